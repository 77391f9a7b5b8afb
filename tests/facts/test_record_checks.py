"""Issue 9 item 3: facts are checked when recorded, all at once; each problem names its PATH."""

from __future__ import annotations

import pytest
from sqlmodel import select

from huanjie.errors import InvalidInput
from huanjie.service.records import record_facts
from huanjie.store.db import reading
from huanjie.store.models import Event
from tests.facts.conftest import walk_to
from tests.fixtures.scenario import CLERK, RECORDER


def refused(driver, key, **overrides) -> list:
    before = driver.states()[key].facts
    with pytest.raises(InvalidInput) as err:
        driver.record(key, **overrides)
    assert driver.states()[key].facts == before  # nothing written
    return err.value.problems


def test_formats_are_normalised_and_echoed_chinese_numerals_and_unknown_keys_refused(driver):
    walk_to(driver, "P2.1")
    result = driver.record("P2.1", meeting_date="2026年9月15日")
    assert driver.states()["P2.1"].facts["meeting_date"] == "2026-09-15"
    assert any(n["field"] == "meeting_date" and "2026-09-15" in n["message"] for n in result.notes)
    problems = refused(driver, "P2.1", formal_members="四十五", sent_on="2026/07/02", committee_seats=-1)
    by_field = {p.field: p.message for p in problems}
    assert "中文数字" in by_field["formal_members"]
    assert "没有名为“sent_on”的事实" in by_field["sent_on"] and "formal_members（正式党员人数）" in by_field["sent_on"]
    assert "非负整数" in by_field["committee_seats"]
    assert len(problems) == 3  # every problem at once


def test_id_number_check_digit_and_a_candidate_not_on_the_member_list(driver):
    walk_to(driver, "P3.1")
    members = driver.facts.for_step("P3.1", driver.clock.today())["members"]
    bad = dict(members[2], id=members[2]["id"][:-1] + ("0" if members[2]["id"][-1] != "0" else "1"))
    [problem] = refused(driver, "P3.1", members=[*members[:2], bad, *members[3:]])
    assert problem.field == "members[2].id" and "校验码" in problem.message
    assert bad["id"] not in problem.message  # never the full number
    driver.do_step("P3.1")
    walk_to(driver, "P4.1")
    facts = driver.facts.for_step("P4.1", driver.clock.today())
    outsider = [*facts["party_candidates"][:-1], {"name": "外村人", "votes": 30}]
    [problem] = refused(driver, "P4.1", party_candidates=outsider)
    assert problem.field == f"party_candidates[{len(outsider) - 1}].name"
    assert "不在步骤 P3.1" in problem.message


def test_reviews_for_every_candidate_from_every_department(driver):
    walk_to(driver, "P4.2")
    facts = driver.facts.for_step("P4.2", driver.clock.today())
    partial = [dict(r, departments=["公安"]) for r in facts["reviews"][:2]]
    result = driver.record("P4.2", reviews=partial)
    messages = " ".join(f["message"] for f in result.failures)
    assert result.status == "blocked"
    assert "没有资格联审结果" in messages and "尚缺 纪委监委" in messages


def test_expected_voters_must_agree_with_the_approved_figure(driver):
    walk_to(driver, "P5.2")
    approved = driver.states()["P3.2"].facts["expected_voters"]
    [problem] = refused(driver, "P5.2", expected_voters=approved + 5)
    assert problem.field == "expected_voters"
    assert f"经审批的“expected_voters” {approved}" in problem.message


def test_a_meeting_not_after_today_nor_before_its_prerequisites(driver):
    walk_to(driver, "P2.1")
    today = driver.clock.today()
    [future] = refused(driver, "P2.1", date=str(today.replace(day=28) if today.day < 28 else today))
    assert future.field == "date" and "晚于今天" in future.message
    done = driver.states()["P1.3"].done_on  # P2.1 follows P1.3
    import datetime as dt

    [early] = refused(driver, "P2.1", date=str(done - dt.timedelta(days=1)))
    assert early.field == "date" and "早于前序步骤 P1.3" in early.message


def test_merge_replaces_entries_by_key_and_corrections_hold_the_difference(ctx, driver):
    walk_to(driver, "P4.2")
    full = driver.facts.for_step("P4.2", driver.clock.today())
    driver.record("P4.2")
    wrong = dict(full["reviews"][0], listed=False)
    result = record_facts(ctx, actor_name=RECORDER, village_code="V001", step_key="P4.2",
                          facts={"reviews": [wrong]}, merge=True)
    reviews = driver.states()["P4.2"].facts["reviews"]
    assert len(reviews) == len(full["reviews"]) and reviews[0]["listed"] is False  # replaced, not appended
    assert result.changes["changed"]["reviews"]["changed"][0]["after"]["listed"] is False
    with reading(ctx.engine) as s:
        last = s.exec(select(Event).where(Event.kind == "step.recorded").order_by(Event.seq.desc())).first()
    assert last.payload["changes"]["changed"]["reviews"]["changed"][0]["before"]["listed"] is True


def test_the_recorder_corrects_while_the_gate_waits(ctx, driver):
    from huanjie.errors import PermissionDenied
    from huanjie.service.users import add_user

    add_user(ctx, name="村文书乙", role="village_clerk", scope_kind="township", scope="城关镇", actor_name="县办")
    walk_to(driver, "P3.2")
    facts = driver.facts.for_step("P3.2", driver.clock.today())
    driver.record("P3.2")
    driver.run()
    assert driver.states()["P3.2"].status == "awaiting"
    result = record_facts(ctx, actor_name=CLERK, village_code="V001", step_key="P3.2",
                          facts={**facts, "exclusions": [], "expected_voters": facts["expected_voters"] + 1})
    assert result.changes["changed"]["exclusions"]["removed"]
    driver.run()
    assert driver.states()["P3.2"].status == "awaiting"  # waits for the decision again
    with pytest.raises(PermissionDenied, match="原填报人或乡镇工作人员"):
        record_facts(ctx, actor_name="村文书乙", village_code="V001", step_key="P3.2", facts=facts)


def test_a_statutory_deadline_missed_fails_the_act(driver):
    walk_to(driver, "V3.2")
    due = driver.states()["V3.2"].due
    import datetime as dt

    driver.at(due + dt.timedelta(days=2))
    result = driver.record("V3.2")
    assert result.status == "blocked"
    assert any(f["check"] == "statutory_deadline" and "组织法" in f["message"] for f in result.failures)


def test_a_step_whose_documents_cannot_be_made_does_not_complete(driver):
    """Issue 9: a gap of a document is shown at record and holds the step (no step done, or gate
    approved, without its document)."""
    walk_to(driver, "P3.1")
    facts = driver.facts.for_step("P3.1", driver.clock.today())
    members = [dict(m) for m in facts["members"]]
    members[0]["name"] = "\U00020000" + members[0]["name"][1:]  # a surname the stroke table cannot place
    result = driver.record("P3.1", members=members)
    assert result.status == "blocked"
    gaps = [f for f in result.failures if f["check"] == "document_D03"]
    assert gaps and "D03《党员大会及推荐工作公告》不能生成" in gaps[0]["message"]
    driver.run()
    assert driver.states()["P3.1"].status == "blocked"
    driver.record("P3.1")  # the name corrected
    driver.run()
    assert driver.states()["P3.1"].status == "done"
