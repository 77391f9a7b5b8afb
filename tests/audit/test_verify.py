"""verify finds an edited, rewritten or deleted event and names it; an intact chain gives its head."""

import hashlib

import orjson
import pytest
from sqlalchemy import text

from huanjie.audit.encoding import canonical_row
from huanjie.audit.rows import event_batches
from huanjie.audit.verify import verify, verify_chain
from huanjie.service.launch import launch
from huanjie.store.db import reading, transaction
from huanjie.store.events import GENESIS
from tests.factories import make_campaign, make_villages

CHAIN = "HJ2026-001"


def _launched(ctx) -> int:
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    launch(ctx, campaign_code=campaign.code, everything=True)
    with reading(ctx.engine) as s:
        return s.execute(text(f"SELECT count(*) FROM event WHERE chain = '{CHAIN}'")).scalar_one()


def _unprotect(ctx) -> None:
    with transaction(ctx.engine) as s:
        if ctx.engine.dialect.name == "sqlite":
            s.execute(text("DROP TRIGGER event_no_update"))
            s.execute(text("DROP TRIGGER event_no_delete"))
        else:
            s.execute(text("DROP TRIGGER event_append_only ON event"))


def _sql(ctx, sql: str) -> None:
    with transaction(ctx.engine) as s:
        s.execute(text(sql))


def _chain(ctx, workers=1, per_worker_min=100_000):
    with reading(ctx.engine) as s:
        return verify_chain(s, CHAIN, workers=workers, per_worker_min=per_worker_min)


def test_an_intact_store_reports_every_chain_with_its_head(ctx):
    count = _launched(ctx)
    report = verify(ctx)
    assert report.intact and [c.chain for c in report.chains] == [CHAIN]
    [chain] = report.chains
    with reading(ctx.engine) as s:
        head = s.execute(text(f"SELECT seq, hash FROM chain_head WHERE chain = '{CHAIN}'")).one()
    assert (chain.events, chain.head_seq, chain.head_hash) == (count, head.seq, head.hash) == (count, count, head.hash)
    assert report.as_dict()["chains"][0]["intact"] is True
    # several processes give the same answer as one (PostgreSQL: they share one snapshot)
    parallel = _chain(ctx, workers=3, per_worker_min=2)
    assert (parallel.events, parallel.head_hash, parallel.broken) == (count, head.hash, None)


@pytest.mark.parametrize("workers", [1, 3])
def test_an_edited_payload_is_found_and_named(ctx, workers):
    _launched(ctx)
    _unprotect(ctx)
    payload = "payload::jsonb || '{\"households\": 999}'" if ctx.engine.dialect.name == "postgresql" \
        else "json_set(payload, '$.households', 999)"
    _sql(ctx, f"UPDATE event SET payload = {payload} WHERE chain = '{CHAIN}' AND seq = 3")
    broken = _chain(ctx, workers=workers, per_worker_min=2).broken
    assert (broken.problem, broken.seq, broken.kind, broken.village_code) == ("hash", 3, "village.created", "V002")
    assert "第 3 号事件（village.created，村 V002" in broken.message and "被改动" in broken.message
    assert verify(ctx, campaign_code=CHAIN).intact is False


# 10 events; with 3 workers the ranges are 1-3, 4-6, 7-10: a range's first, middle and last row
@pytest.mark.parametrize(("workers", "seq"), [(1, 5), (3, 4), (3, 5), (3, 6)])
def test_a_deleted_event_is_found_and_named(ctx, workers, seq):
    assert _launched(ctx) == 10
    _unprotect(ctx)
    _sql(ctx, f"DELETE FROM event WHERE chain = '{CHAIN}' AND seq = {seq}")
    broken = _chain(ctx, workers=workers, per_worker_min=2).broken
    assert (broken.problem, broken.seq) == ("missing", seq)
    assert f"缺少第 {seq} 号事件" in broken.message and "被删除" in broken.message


def test_the_last_event_deleted_shows_at_the_head(ctx):
    count = _launched(ctx)
    _unprotect(ctx)
    _sql(ctx, f"DELETE FROM event WHERE chain = '{CHAIN}' AND seq = {count}")
    broken = _chain(ctx).broken
    assert (broken.problem, broken.seq) == ("head", count)
    assert f"链头记录为第 {count} 号" in broken.message and f"最后一条为第 {count - 1} 号" in broken.message


@pytest.mark.parametrize(("workers", "seq"), [(1, 4), (3, 3), (3, 4)])
def test_an_event_rewritten_with_a_new_hash_shows_at_the_next_link(ctx, workers, seq):
    _launched(ctx)
    _unprotect(ctx)
    with reading(ctx.engine) as s:
        row = [r for b in event_batches(s, CHAIN) for r in b if r[1] == seq][0]
    payload = orjson.loads(row[9]) | {"households": 1}
    forged = hashlib.sha256(canonical_row(CHAIN, seq, *row[2:9], payload, row[10])).hexdigest()
    with transaction(ctx.engine) as s:
        s.execute(text("UPDATE event SET payload = :p, hash = :h WHERE chain = :c AND seq = :s"),
                  {"p": orjson.dumps(payload).decode(), "h": forged, "c": CHAIN, "s": seq})
    broken = _chain(ctx, workers=workers, per_worker_min=2).broken
    assert (broken.problem, broken.seq, broken.stored, broken.expected) == ("prev_hash", seq + 1, row[11], forged)
    assert f"第 {seq} 号事件被改写" in broken.message


def test_a_changed_chain_head_is_found(ctx):
    _launched(ctx)
    _sql(ctx, f"UPDATE chain_head SET hash = '{GENESIS}' WHERE chain = '{CHAIN}'")
    broken = verify(ctx).chains[0].broken
    assert broken.problem == "head" and "链头" in broken.message
