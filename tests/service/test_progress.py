"""What holds a step (service.progress): plan and the board name it."""

from __future__ import annotations

import pytest

from huanjie.service.gates import decide_gate
from huanjie.service.planning import village_plan
from huanjie.service.status import board
from huanjie.steps.status import StepStatus
from tests.fixtures.scenario import APPROVER, RECORDER, VillageDriver, launched_county


@pytest.fixture
def driver(ctx, clock):
    created = launched_county(ctx)
    clock.set("2026-07-20T10:00:00")
    return VillageDriver(ctx, clock, created.code, "V001")


def plan_holds(ctx, step: str) -> list[dict]:
    [row] = [r for r in village_plan(ctx, village_code="V001") if r.step == step]
    return row.holds


def test_plan_and_board_say_that_p21_waits_for_the_townships_p13(ctx, driver):
    driver.record("P1.1")
    driver.record("P2.1")
    driver.run()
    assert driver.states()["P2.1"].status == StepStatus.PENDING  # it did not move
    [hold] = plan_holds(ctx, "P2.1")
    assert hold["kind"] == "waits_for" and hold["steps"] == ["P1.3"]
    assert "P1.3 软弱涣散村党组织整顿" in hold["text"] and "乡镇" in hold["text"]
    [p13] = plan_holds(ctx, "P1.3")
    assert p13["kind"] == "facts" and RECORDER in p13["text"]  # who is to record it, by name
    [v] = board(ctx, village="V001")
    p21 = next(h for h in v.holds if h["step"] == "P2.1")
    assert [h["kind"] for h in p21["holds"]] == ["waits_for"] and "P1.3" in p21["holds"][0]["text"]

    driver.record("P1.3")
    driver.run()
    assert driver.states()["P2.1"].status == StepStatus.DONE
    assert plan_holds(ctx, "P2.1") == []


def test_holds_of_a_gate_a_rejection_a_failed_check_and_a_recorded_step(ctx, driver):
    driver.record("P2.1", committee_seats=9)
    [check] = [h for h in plan_holds(ctx, "P2.1") if h["kind"] == "check"]
    assert "9 名" in check["messages"][0] and "未通过检查" in check["text"]
    for key in ("P1.1", "P1.3", "P2.1", "P2.2", "P2.3"):
        driver.record(key)
    [recorded] = plan_holds(ctx, "P1.1")
    assert recorded["kind"] == "run" and "huanjie run" in recorded["text"]  # recorded, not yet run
    [waiting] = plan_holds(ctx, "P2.2")
    assert "P2.1" in waiting["text"] and "已填报，待流程运行" in waiting["text"]
    driver.run()
    [gate] = plan_holds(ctx, "P2.3")
    assert gate["kind"] == "gate" and gate["users"] == [APPROVER]  # its recorder may not decide it
    assert "乡镇党委" in gate["text"] and APPROVER in gate["text"]

    decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=False,
                reason="批复须写明职数")
    holds = plan_holds(ctx, "P2.3")
    assert [h["kind"] for h in holds] == ["rejected", "facts"]
    assert holds[0]["by"] == APPROVER and holds[0]["reason"] == "批复须写明职数"


def test_a_facts_hold_names_each_required_fact_of_the_schema(ctx, driver):
    from huanjie.steps.catalogue import load_catalogue

    schema = load_catalogue().facts("P1.1")
    required = [f.label for f in schema.facts if f.required]
    optional = [f.label for f in schema.facts if not f.required]
    assert required and optional  # the step has both kinds
    [hold] = plan_holds(ctx, "P1.1")
    assert hold["kind"] == "facts" and hold["text"].endswith("须填：" + "、".join(required))
    assert not [label for label in optional if label in hold["text"].split("须填：")[1].split("、")]
    [v] = board(ctx, village="V001")
    p11 = next(h for h in v.holds if h["step"] == "P1.1")
    assert "须填：" + "、".join(required) in p11["holds"][0]["text"]  # the board's hold says the same


def test_the_required_labels_are_read_once_per_step():
    from huanjie.service.facts import missing_facts_text, required_fact_labels
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    required_fact_labels.cache_clear()
    missing_facts_text.cache_clear()
    for _ in range(3):
        missing_facts_text(catalogue, "V3.2")
    info = missing_facts_text.cache_info()
    assert (info.misses, info.hits) == (1, 2) and required_fact_labels.cache_info().misses == 1
    assert missing_facts_text(catalogue, "V3.2") == "，须填：已公布、登记选民人数"


def _row(key: str, status: str, failures: list | None = None, due: str = "2026-12-31"):
    import json

    from huanjie.service.progress import StepRow

    return StepRow(1, 1, key, status, due, False, False, False, status != "pending",
                   json.dumps(failures) if failures else None, None, None, 1)


@pytest.mark.parametrize("step, check, facts", [
    ("V3.3", "objections_decided", {"objections": [{"subject": "张三：未被登记", "received": "2026-09-24"}]}),
    ("P4.3", "complaints_resolved", {"complaints": [{"subject": "反映李四拉票", "resolved": False}]}),
])
def test_an_open_objection_or_complaint_colours_the_village_yellow(step, check, facts):
    """三色预警 counts open objections and 信访 (domain §9): the check that keeps the matter open
    blocks the step, and a failed check is yellow in the one risk rule."""
    import datetime as dt

    from huanjie.rules import load_profile
    from huanjie.service.progress import derive
    from huanjie.steps.catalogue import load_catalogue
    from huanjie.steps.checks import CheckContext, run_checks

    ctx = CheckContext(facts=facts, case_facts={}, profile=load_profile("national"), step=step)
    failures = [f.__dict__ for f in run_checks([check], ctx)]
    assert failures and "尚未" in failures[0]["message"]
    today = dt.date(2026, 9, 25)
    _, open_risk, *_ = derive(load_catalogue(), {step: _row(step, "blocked", failures)}, today, assessed=None,
                              rejections={})
    assert open_risk == "yellow"
    [(key, rows)] = list(facts.items())
    settled = {key: [{**rows[0], "decision": "补充登记", "decided": "2026-09-25", "resolved": True, "result": "不属实"}]}
    assert run_checks([check], CheckContext(facts=settled, case_facts={}, profile=load_profile("national"),
                                            step=step)) == []
    _, settled_risk, *_ = derive(load_catalogue(), {step: _row(step, "done")}, today, assessed=None, rejections={})
    assert settled_risk == "green"
