"""What the web keeps between requests (inbox, village page, board) follows every change and the day."""

from __future__ import annotations

from collections import Counter

from huanjie.service.gates import decide_gate
from huanjie.service.status import board as full_board
from huanjie.service.todo import todo_list
from huanjie.service.views import _kept, board_view, kept_todo, village_page
from tests.web.world import APPROVER, COUNTY, build_world


def _page(ctx, who=COUNTY):
    return {r.step: (r.status, r.overdue, r.why) for r in village_page(ctx, actor_name=who, village_code="V001").steps}


def test_kept_inbox_and_village_page_follow_a_decision_and_the_day(ctx, clock):
    build_world(ctx, clock)
    before = kept_todo(ctx, actor_name=APPROVER)
    assert any(i.village == "V001" and i.step == "P2.3" and i.action == "decide" for i in before)
    assert kept_todo(ctx, actor_name=APPROVER) is before  # nothing changed: kept
    page = _page(ctx)
    assert page["P2.3"][0] == "awaiting"

    decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=True)
    after = kept_todo(ctx, actor_name=APPROVER)
    assert not any(i.village == "V001" and i.step == "P2.3" for i in after)
    assert [i.as_dict() for i in after] == [i.as_dict() for i in todo_list(ctx, actor_name=APPROVER)]
    assert _page(ctx)["P2.3"][0] != "awaiting"

    overdue_before = {k for k, (_, late, _) in _page(ctx).items() if late}
    clock.advance(days=30)  # no event: the day alone makes steps overdue
    overdue_after = {k for k, (_, late, _) in _page(ctx).items() if late}
    assert overdue_after > overdue_before
    assert [i.as_dict() for i in kept_todo(ctx, actor_name=APPROVER)] == \
        [i.as_dict() for i in todo_list(ctx, actor_name=APPROVER)]
    board = board_view(ctx, actor_name=COUNTY)
    _kept.clear()
    fresh = board_view(ctx, actor_name=COUNTY)
    assert [(r.code, r.state, r.risk, r.stages) for r in board.rows] == \
        [(r.code, r.state, r.risk, r.stages) for r in fresh.rows]
    assert board.stage_counts == fresh.stage_counts and board.risk_counts == fresh.risk_counts
    full = full_board(ctx, campaign_code=board.campaign.code)  # the full derivation of every village
    assert board.stage_counts == {key: Counter(v.stages.get(key, "todo") for v in full) for key, _, _ in board.stages}
    assert board.risk_counts == Counter(v.risk for v in full) and board.state_counts == Counter(v.state for v in full)
