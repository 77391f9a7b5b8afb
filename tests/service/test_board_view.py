"""The web board keeps each scope's derivation between requests: after a change it must equal a fresh one."""

from __future__ import annotations

from huanjie.service.gates import decide_gate
from huanjie.service.replan import move_campaign
from huanjie.service.status import board
from huanjie.service.todo import todo_list
from huanjie.service.views import board_view
from tests.web.world import APPROVER, COUNTY, build_world


def _rows(view):
    return {r.code: (r.state, r.risk, r.stages, r.waiting_for, [o["step"] for o in r.overdue]) for r in view.rows}


def _fresh(ctx, code):
    return {r.code: (r.state, r.risk, r.stages, r.waiting_for, [o["step"] for o in r.overdue])
            for r in board(ctx, campaign_code=code)}


def test_kept_derivation_follows_every_change(ctx, clock):
    info = build_world(ctx, clock)
    code = info["campaign"]
    first = board_view(ctx, actor_name=COUNTY, campaign_code=code)
    assert _rows(first) == _fresh(ctx, code)
    assert sum(1 for r in first.rows if r.waiting_for) == 2
    decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=True)
    after = board_view(ctx, actor_name=COUNTY, campaign_code=code)
    assert _rows(after) == _fresh(ctx, code) != _rows(first)
    assert not any(i.village == "V001" and i.step == "P2.3" for i in todo_list(ctx, actor_name=APPROVER))
    move_campaign(ctx, campaign_code=code, actor_name=COUNTY, vc_day=__import__("datetime").date(2026, 10, 19),
                  reason="台风")  # campaign-wide: every village derived again
    assert _rows(board_view(ctx, actor_name=COUNTY, campaign_code=code)) == _fresh(ctx, code)
    clock.advance(days=40)  # a new day: overdue steps change without any event
    assert _rows(board_view(ctx, actor_name=COUNTY, campaign_code=code)) == _fresh(ctx, code)


def test_a_township_user_sees_only_their_township(ctx, clock):
    info = build_world(ctx, clock)
    view = board_view(ctx, actor_name=APPROVER, campaign_code=info["campaign"])
    assert {r.township for r in view.rows} == {"城关镇"} and view.townships == ["城关镇"]
    assert board_view(ctx, actor_name=APPROVER, campaign_code=info["other"]).campaign.code == info["campaign"]
