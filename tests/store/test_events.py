import threading

import pendulum
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from huanjie.store.db import transaction
from huanjie.store.events import GENESIS, EventDraft, append, append_many, event_hash
from huanjie.store.models import ChainHead, Event


def _draft(i=0, **kw):
    return EventDraft(kind="test", actor="张三", role="county_office",
                      at=pendulum.datetime(2026, 9, 1, 9, tz="Asia/Shanghai"), payload={"i": i, **kw})


def test_events_form_a_hash_chain(ctx):
    with transaction(ctx.engine) as s:
        first = append(s, "C1", _draft(0, day=pendulum.date(2026, 9, 22)))
        append_many(s, "C1", [_draft(i) for i in range(1, 5)])
        append(s, "C2", _draft(99))
    with transaction(ctx.engine) as s:
        events = s.exec(select(Event).where(Event.chain == "C1").order_by(Event.seq)).all()
        head = s.get(ChainHead, "C1")
    assert first.prev_hash == GENESIS
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    prev = GENESIS
    for e in events:
        assert e.prev_hash == prev
        assert e.hash == event_hash("C1", e.seq, e, prev)  # recomputed from what was stored
        prev = e.hash
    assert (head.seq, head.hash) == (5, prev)
    assert events[0].payload == {"i": 0, "day": "2026-09-22"}


def test_database_refuses_to_change_or_delete_events(ctx):
    with transaction(ctx.engine) as s:
        append(s, "C1", _draft())
    for sql in ("UPDATE event SET actor = 'x'", "DELETE FROM event"):
        with pytest.raises(DBAPIError, match="只可追加"):
            with transaction(ctx.engine) as s:
                s.execute(text(sql))
    with transaction(ctx.engine) as s:
        assert s.exec(select(Event.actor)).all() == ["张三"]


def test_a_failed_transaction_leaves_no_event(ctx):
    with pytest.raises(RuntimeError):
        with transaction(ctx.engine) as s:
            append(s, "C1", _draft())
            raise RuntimeError("boom")
    with transaction(ctx.engine) as s:
        assert s.exec(select(Event)).all() == []
        assert s.get(ChainHead, "C1") is None


def test_concurrent_appenders_never_fork_the_chain(ctx):
    def worker():
        for i in range(10):
            with transaction(ctx.engine) as s:
                append(s, "C1", _draft(i))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with transaction(ctx.engine) as s:
        seqs = s.exec(select(Event.seq).where(Event.chain == "C1").order_by(Event.seq)).all()
    assert seqs == list(range(1, 41))
