"""我的待办 (service.todo): what each person must record or decide, oldest due first."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.errors import InvalidInput
from huanjie.service.gates import decide_gate
from huanjie.service.todo import todo_list
from tests.fixtures.scenario import APPROVER, CLERK, COUNTY, RECORDER, VillageDriver, launched_county


@pytest.fixture
def driver(ctx, clock):
    created = launched_county(ctx)
    clock.set("2026-07-20T10:00:00")
    return VillageDriver(ctx, clock, created.code, "V001")


def keys(items) -> list[tuple[str, str, str]]:
    return [(i.village, i.step, i.action) for i in items]


def test_each_person_sees_what_they_must_do_in_their_scope(ctx, driver):
    clerk = todo_list(ctx, actor_name=CLERK)
    assert {i.village for i in clerk} == {"V001", "V002"}  # 城关镇 only, not 清溪镇's V003
    assert ("V001", "P1.1", "record") in keys(clerk) and ("V001", "P2.1", "record") not in keys(clerk)
    assert [i.due for i in clerk] == sorted(i.due for i in clerk)
    assert all(i.action_label == "填报" and "待填报事实" in i.why for i in clerk)
    assert not [i for i in todo_list(ctx, actor_name=RECORDER) if i.step == "P1.3"]  # P1.3 waits for P1.1
    assert todo_list(ctx, actor_name=COUNTY) == []

    driver.record("P1.1")
    driver.run()
    township = todo_list(ctx, actor_name=RECORDER)
    assert ("V001", "P1.3", "record") in keys(township) and ("V002", "P1.3", "record") not in keys(township)
    for key in ("P1.3", "P2.1", "P2.2", "P2.3"):
        driver.record(key)
    driver.run()
    assert ("V001", "P2.3", "decide") in keys(todo_list(ctx, actor_name=APPROVER))
    assert ("V001", "P2.3", "decide") not in keys(todo_list(ctx, actor_name=RECORDER))  # recorded it himself

    decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=False, reason="职数有误")
    [redo] = [i for i in todo_list(ctx, actor_name=RECORDER) if i.step == "P2.3"]
    assert redo.action == "redo" and "职数有误" in redo.why and APPROVER in redo.why


def test_a_failed_check_asks_the_clerk_to_correct(ctx, driver):
    driver.record("P1.1")
    driver.record("P1.3")
    driver.run()
    driver.record("P2.1", committee_seats=9)
    [item] = [i for i in todo_list(ctx, actor_name=CLERK) if i.village == "V001" and i.step == "P2.1"]
    assert item.action == "correct" and "9 名" in item.why and item.status_label == "未通过检查"


def test_filters(ctx, driver):
    everything = todo_list(ctx, actor_name=CLERK)
    assert {i.stage for i in todo_list(ctx, actor_name=CLERK, stage="V1")} == {"V1"}
    assert {i.village for i in todo_list(ctx, actor_name=CLERK, village="V002")} == {"V002"}
    assert todo_list(ctx, actor_name=CLERK, township="清溪镇") == []  # outside the clerk's scope
    day = dt.date(2026, 8, 1)
    early = todo_list(ctx, actor_name=CLERK, due_before=day)
    assert early and all(i.due <= day for i in early) and len(early) < len(everything)
    with pytest.raises(InvalidInput):
        todo_list(ctx, actor_name=CLERK, stage="X9")
