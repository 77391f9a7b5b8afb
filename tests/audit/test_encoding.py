"""The verifier's row encoding produces exactly the store's canonical bytes."""

import datetime as dt

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from huanjie.audit.encoding import at_text, canonical_row
from huanjie.audit.rows import event_batches
from huanjie.store.db import reading, transaction
from huanjie.store.events import EventDraft, append_many, canonical, jsonable
from huanjie.store.models import Event

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1),
                       timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=8))]))
optional_text = st.none() | st.text(max_size=12)


@settings(max_examples=300, deadline=None)
@given(payload=st.dictionaries(st.text(max_size=8), json_values, max_size=5), at=moments, kind=st.text(max_size=20),
       actor=st.text(max_size=10), village=optional_text, election=optional_text, step=optional_text,
       seq=st.integers(1, 10**9))
def test_row_encoding_is_the_canonical_encoding(payload, at, kind, actor, village, election, step, seq):
    payload = jsonable(payload)
    draft = EventDraft(kind, actor, "auditor", at, payload, village, election, step)
    prev = "ab" * 32
    assert canonical_row("C-1", seq, kind, actor, "auditor", at_text(at), village, election, step, payload, prev) \
        == canonical("C-1", seq, draft, prev)


def test_rows_read_raw_from_either_database_hash_to_the_stored_hash(ctx):
    import hashlib

    import orjson

    drafts = [EventDraft("test", "张三", "county_office", pendulum.datetime(2026, 9, 1, 9, 0, 0, 123456, tz="Asia/Shanghai"),
                         {"名单": ["李四", "110105199001010026"], "n": 1.5, "nested": {"b": 1, "a": [None, True]}},
                         "V1", "party", "P1.1"),
              EventDraft("test", "system", "system", pendulum.datetime(2026, 1, 1, tz="UTC"), {})]
    with transaction(ctx.engine) as s:
        append_many(s, "C1", drafts)
    with reading(ctx.engine) as s:
        rows = [row for batch in event_batches(s, "C1") for row in batch]
        stored = s.exec(select(Event).order_by(Event.seq)).all()
    assert len(rows) == 2
    for row, event in zip(rows, stored):
        _, seq, kind, actor, role, at, village, election, step, payload, prev, digest = row
        body = canonical_row("C1", seq, kind, actor, role, at, village, election, step, orjson.loads(payload), prev)
        assert body == canonical("C1", seq, event, prev)
        assert hashlib.sha256(body).hexdigest() == digest == event.hash
