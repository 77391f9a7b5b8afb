from __future__ import annotations

from huanjie.steps.conditions import CONDITIONS
from tests.checks.support import make_ctx

SEATS = {"主任": 1, "委员": 2}


def test_candidate_withdrew():
    fn = CONDITIONS["candidate_withdrew"].fn
    assert fn(make_ctx()) == (False, "无候选人退出，本步骤跳过")
    assert fn(make_ctx(case={"V4.3": {"withdrawals": []}})) == (False, "无候选人退出，本步骤跳过")
    holds, reason = fn(make_ctx(case={"V4.3": {"withdrawals": [{"name": "甲", "post": "委员"}]}}))
    assert holds and "甲 书面退出" in reason


def _first_round(*elected):
    rows = [{"name": n, "post": p, "votes": 60, "elected": True} for n, p in elected]
    return make_ctx(case={"V2.1": {"seats_by_post": SEATS}, "V6.2": {"vc_results": rows}})


def test_seats_unfilled():
    fn = CONDITIONS["seats_unfilled"].fn
    assert fn(_first_round(("甲", "主任"), ("乙", "委员"), ("丙", "委员"))) == (
        False, "第一轮当选 3 名，已满应选名额 3 名，无需另行选举，本步骤跳过")
    holds, reason = fn(_first_round(("甲", "主任"), ("乙", "委员")))
    assert holds and "第一轮当选 2 名，少于应选 3 名" in reason


def test_seats_unfilled_counts_those_who_gave_way_as_vacancies():
    ctx = _first_round(("甲", "主任"), ("乙", "委员"), ("丙", "委员"))
    ctx.case_facts["V6.2"]["vc_results"][2]["gave_way"] = True
    assert CONDITIONS["seats_unfilled"].fn(ctx)[0]


def test_seats_unfilled_does_not_skip_when_it_cannot_tell():
    holds, reason = CONDITIONS["seats_unfilled"].fn(make_ctx())
    assert holds and "无法判断是否缺额" in reason
