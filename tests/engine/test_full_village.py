"""One village through all 47 steps with a moving clock, as staff and approvers would."""

import pytest
from sqlmodel import func, select

from huanjie.errors import Conflict, PermissionDenied
from huanjie.service.status import board
from huanjie.store.db import reading
from huanjie.store.models import Event, GateDecision
from tests.fixtures.scenario import APPROVER, CLERK, RECORDER, VillageDriver, launched_county


def _events(ctx) -> int:
    with reading(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(Event)).one()


@pytest.fixture
def driver(ctx, clock):
    campaign = launched_county(ctx)
    return VillageDriver(ctx, clock, campaign.code, "V001")


def test_a_village_goes_through_all_47_steps(ctx, driver):
    for spec in driver.timeline():
        driver.at(driver.states()[spec.key].due)
        if spec.key == "P2.3":
            driver.record("P2.3")
            driver.run()
            assert driver.states()["P2.3"].status == "awaiting"
            # the recorder may not approve their own step, nor may a village clerk
            with pytest.raises(PermissionDenied, match="职责分离"):
                driver.approve("P2.3", who=RECORDER)
            with pytest.raises(PermissionDenied, match="乡镇党委"):
                driver.approve("P2.3", who=CLERK)
            driver.approve("P2.3")
            driver.run()
            with pytest.raises(Conflict):  # decided once
                driver.approve("P2.3")
            continue
        if spec.key == "P5.2":
            result = driver.record("P5.2", variant="quorum_fails")
            driver.run()
            assert result.status == "blocked"
            assert any("五分之四" in f["message"] and "条例" in f["message"] for f in result.failures)
            assert driver.states()["P5.2"].status == "blocked"
            assert driver.states()["P5.3"].status == "pending"  # nothing after it moved
            [village] = board(ctx, village="V001")
            assert village.state == "blocked" and village.risk == "yellow"
        driver.do_step(spec.key)
    states = driver.states()
    skipped = {k for k, s in states.items() if s.status == "skipped"}
    assert skipped == {"V4.4", "V7.1", "V7.2", "V7.3"}
    assert all(s.status == "done" for k, s in states.items() if k not in skipped)
    assert len(states) == 47
    assert not any(s.late for s in states.values())
    assert all(states[k].note for k in skipped)  # the recorded reason
    [village] = board(ctx, village="V001")
    assert village.state == "done" and village.risk == "green"

    # a second run changes nothing
    before = _events(ctx)
    driver.run()
    assert _events(ctx) == before
    assert {k: s.status for k, s in driver.states().items()} == {k: s.status for k, s in states.items()}
    with reading(ctx.engine) as s:
        decisions = s.exec(select(GateDecision.decided_by)).all()
    assert set(decisions) == {APPROVER}


def test_reject_sends_the_step_back_with_its_reason(ctx, driver):
    for spec in driver.timeline():
        if spec.key == "P2.3":
            break
        driver.at(driver.states()[spec.key].due)
        driver.do_step(spec.key)
    driver.record("P2.3")
    driver.run()
    from huanjie.errors import InvalidInput
    from huanjie.service.gates import decide_gate

    with pytest.raises(InvalidInput, match="理由"):
        decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=False)
    decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=False, reason="委员名额有误")
    state = driver.states()["P2.3"]
    assert (state.status, state.attempt, state.note, state.facts) == ("pending", 2, "委员名额有误", None)
    assert board(ctx, village="V001")[0].risk == "yellow"  # an open rejection (domain.md §9)
    driver.do_step("P2.3")
    assert driver.states()["P2.3"].status == "done"
    assert board(ctx, village="V001")[0].risk == "green"  # put right


def test_late_and_overdue_steps(ctx, driver, clock):
    first = driver.timeline()[0]
    due = driver.states()[first.key].due
    driver.at(due.replace(day=due.day + 2))
    from huanjie.service.deadlines import sweep_overdue

    assert sweep_overdue(ctx) >= 1
    assert sweep_overdue(ctx) == 0  # once only
    assert driver.states()[first.key].overdue_noted
    [village] = board(ctx, village="V001")
    assert village.state == "overdue" and first.key in [o["step"] for o in village.overdue]
    driver.do_step(first.key)
    assert driver.states()[first.key].late


def test_a_gate_decided_later_keeps_the_date_of_the_act(ctx, driver, clock):
    for spec in driver.timeline():
        if spec.key == "P2.3":
            break
        driver.at(driver.states()[spec.key].due)
        driver.do_step(spec.key)
    due = driver.states()["P2.3"].due
    driver.at(due)
    driver.record("P2.3")  # the 批复 is dated on its due day
    driver.run()
    driver.at(due.replace(day=due.day + 2))  # the approver signs off two days later
    driver.approve("P2.3")
    state = driver.states()["P2.3"]
    assert state.done_on == due and not state.late


def test_a_withdrawal_step_waits_for_its_window_and_a_needless_revote_is_refused(ctx, driver, clock):
    from huanjie.service.deadlines import sweep_overdue

    window = driver.states()["V4.4"].due  # written withdrawals until D_V - 3
    for spec in driver.timeline():
        if driver.states()[spec.key].due >= window:
            break
        driver.at(driver.states()[spec.key].due)
        driver.do_step(spec.key)
    v44 = driver.states()["V4.4"]
    assert driver.states()["V4.3"].status == "done" and v44.status == "pending"  # withdrawals still possible
    driver.at(v44.due.replace(day=v44.due.day + 1))
    sweep_overdue(ctx)  # past its day without a withdrawal: skipped, not overdue
    v44 = driver.states()["V4.4"]
    assert v44.status == "skipped" and not v44.overdue_noted and "无候选人退出" in v44.note


def test_facts_for_a_needless_revote_are_refused(ctx, driver):
    for spec in driver.timeline():
        if spec.key == "V6.3":
            break
        driver.at(driver.states()[spec.key].due)
        driver.do_step(spec.key)
    assert driver.states()["V6.2"].status == "done"  # every seat filled in the first round
    driver.record("V7.1")  # a clerk records a 另行选举 anyway
    driver.run()
    v71 = driver.states()["V7.1"]
    assert v71.status == "blocked"
    assert "前提不成立" in v71.failures[0]["message"] and "已满应选名额" in v71.failures[0]["message"]


def test_departments_add_findings_and_none_of_the_recorders_may_approve(ctx, driver):
    from huanjie.service.gates import decide_gate
    from huanjie.service.records import record_facts
    from tests.fixtures.scenario import REVIEWER

    for spec in driver.timeline():
        if spec.key == "P4.2":
            break
        driver.at(driver.states()[spec.key].due)
        driver.do_step(spec.key)
    driver.at(driver.states()["P4.2"].due)
    full = driver.facts.for_step("P4.2", driver.clock.today())
    half = len(full["reviews"]) // 2
    record_facts(ctx, actor_name=RECORDER, village_code="V001", step_key="P4.2",
                 facts={"reviews": full["reviews"][:half], "inspections": full["inspections"]})
    record_facts(ctx, actor_name=REVIEWER, village_code="V001", step_key="P4.2",
                 facts={"reviews": full["reviews"][half:]}, merge=True)
    assert driver.states()["P4.2"].recorded_by == REVIEWER
    assert [r["name"] for r in driver.states()["P4.2"].facts["reviews"]] == [r["name"] for r in full["reviews"]]
    driver.run()
    assert driver.states()["P4.2"].status == "awaiting"
    with pytest.raises(PermissionDenied, match="职责分离"):  # a recorder, though not the last one
        decide_gate(ctx, actor_name=RECORDER, village_code="V001", step_key="P4.2", approve=True)
    driver.approve("P4.2")
    assert driver.states()["P4.2"].status == "done"
