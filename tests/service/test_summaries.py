"""The board's fast path (village summaries kept in each change's transaction, today's overdue at read
time) gives exactly what the full derivation (service.progress over every step row) gives."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import delete, select

from huanjie.service.gates import decide_gate
from huanjie.service.progress_rows import load_progress
from huanjie.service.replan import move_campaign, reopen
from huanjie.service.summaries import backfill, load_summaries
from huanjie.steps.catalogue import load_catalogue
from huanjie.store.db import reading, transaction
from huanjie.store.models import Campaign
from huanjie.store.summary_models import VillageSummaryRow
from tests.fixtures.scenario import VillageDriver
from tests.web.world import APPROVER, COUNTY, build_world


def _both(ctx, code: str, today: dt.date | None = None):
    today = today or ctx.clock.today()
    catalogue = load_catalogue()
    with reading(ctx.engine) as s:
        cid = s.exec(select(Campaign.id).where(Campaign.code == code)).one()
        full = [(p.code, p.township, p.state, p.risk, p.stage, p.stages, len(p.overdue))
                for p in load_progress(s, catalogue, today, campaign_id=cid)]
        fast = [(p.code, p.township, p.state, p.risk, p.stage, p.stages, p.overdue_count)
                for p in load_summaries(s, catalogue, today, campaign_id=cid)]
        town = [(p.code, p.state, p.risk, p.stages) for p in load_summaries(s, catalogue, today, campaign_id=cid,
                                                                            township="城关镇")]
    assert town == [(c, st, r, sg) for c, t, st, r, _, sg, _ in full if t == "城关镇"]
    return full, fast


def _rows(ctx) -> dict[int, tuple]:
    with reading(ctx.engine) as s:
        return {r.village_id: (r.open_stages, r.blocked, r.awaiting, r.rejected, r.open_dues)
                for r in s.exec(select(VillageSummaryRow))}


def _assert_same(ctx, code, today=None):
    full, fast = _both(ctx, code, today)
    assert fast == full
    return full


def test_summaries_equal_the_full_derivation_through_a_campaign(ctx, clock):
    info = build_world(ctx, clock)
    code = info["campaign"]
    seen = {tuple(v[2:5]) for v in _assert_same(ctx, code)}
    assert len(_rows(ctx)) == 5  # every launched village of both campaigns has its row (no fallback)

    # rejected, then redone and approved: the rejection colours while open, and nothing once redone
    before = _rows(ctx)
    decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=False, reason="职数写错")
    assert _rows(ctx) != before  # written in the decision's transaction
    full = _assert_same(ctx, code)
    assert next(v for v in full if v[0] == "V001")[3] != "green"
    v001 = VillageDriver(ctx, clock, code, "V001")
    v001.record("P2.3")
    v001.run()
    v001.approve("P2.3")
    v001.run()
    seen |= {tuple(v[2:5]) for v in _assert_same(ctx, code)}

    # a done step reopened, then a failed check on it
    reopen(ctx, actor_name=COUNTY, village_code="V002", step_key="P2.1", reason="候选人更换")
    seen |= {tuple(v[2:5]) for v in _assert_same(ctx, code)}
    VillageDriver(ctx, clock, code, "V002").record("P2.1", committee_seats=9)
    full = _assert_same(ctx, code)
    assert any(blocked for _, blocked, _, _, _ in _rows(ctx).values())

    # days pass with no event: overdue steps (a statutory one among them) change at read time only
    rows = _rows(ctx)
    for days in (3, 20, 60):
        later = clock.today() + dt.timedelta(days=days)
        seen |= {tuple(v[2:5]) for v in _assert_same(ctx, code, later)}
    assert _rows(ctx) == rows
    clock.advance(days=20)
    full = _assert_same(ctx, code)
    assert any(v[6] >= 3 for v in full) and any(v[3] == "red" for v in full)

    # the election day moved (campaign-wide)
    move_campaign(ctx, campaign_code=code, actor_name=COUNTY, vc_day=dt.date(2026, 10, 19), reason="台风")
    seen |= {tuple(v[2:5]) for v in _assert_same(ctx, code)}
    _assert_same(ctx, info["other"])
    assert {s.value for s, _, _ in seen} >= {"overdue", "running"} and {r for _, r, _ in seen} >= {"green", "red"}


def test_a_store_from_before_the_summaries_reads_the_same_and_is_backfilled(ctx, clock):
    info = build_world(ctx, clock)
    clock.advance(days=10)
    expected = _assert_same(ctx, info["campaign"])
    with transaction(ctx.engine) as s:
        s.exec(delete(VillageSummaryRow))
    assert _rows(ctx) == {}
    assert _assert_same(ctx, info["campaign"]) == expected  # derived from the steps meanwhile
    assert backfill(ctx.engine) == 5 and len(_rows(ctx)) == 5
    assert backfill(ctx.engine) == 0
    assert _assert_same(ctx, info["campaign"]) == expected


def test_a_refused_change_leaves_the_summaries(ctx, clock):
    from huanjie.errors import HuanjieError

    info = build_world(ctx, clock)
    rows = _rows(ctx)
    with pytest.raises(HuanjieError):  # the recorder of P2.3 may not decide it: nothing written
        decide_gate(ctx, actor_name="乡镇干部甲", village_code="V001", step_key="P2.3", approve=True)
    assert _rows(ctx) == rows
    _assert_same(ctx, info["campaign"])


def test_summaries_on_postgresql(pg_ctx, clock):
    ctx = pg_ctx
    info = build_world(ctx, clock)
    _assert_same(ctx, info["campaign"])
    decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=False, reason="职数写错")
    clock.advance(days=30)
    _assert_same(ctx, info["campaign"])
