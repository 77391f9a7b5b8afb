"""The human timeline: Chinese descriptions, filters by person, step and period, 身份证号 masked."""

import datetime as dt

from huanjie.audit.history import AuditEvent
from huanjie.audit.timeline import DESCRIPTIONS, mask, timeline, village_log
from tests.audit.scenario import AUDITOR
from tests.fixtures.scenario import APPROVER, CLERK

STORY_KINDS = ("campaign.created", "campaign.moved", "village.created", "case.launched", "step.recorded",
               "gate.awaiting", "gate.decided", "step.done", "step.returned", "step.skipped", "step.overdue",
               "step.reopened", "step.invalidated", "deadline.moved")


def test_every_event_of_the_story_has_a_chinese_line(story):
    entries = village_log(story.ctx, village_code="V001", actor_name=AUDITOR)
    kinds = {e.kind for e in entries}
    assert set(STORY_KINDS) <= kinds <= set(DESCRIPTIONS)
    assert all(e.time and e.actor and e.role and e.content for e in entries)
    assert not any(e.content.startswith(e.kind) for e in entries)  # each kind described, not dumped
    reject = next(e for e in entries if e.kind == "gate.decided" and "驳回" in e.content)
    assert (reject.actor, reject.role) == (APPROVER, "乡镇党委（审批）")
    assert reject.step == "党组织 P2.3 乡镇党委批复" and "理由：委员名额与请示不一致" in reject.content
    invalidated = next(e for e in entries if e.kind == "step.invalidated")
    assert invalidated.step.startswith("村委会 V3.2") and "失效" in invalidated.content
    quorum = next(e for e in entries if e.kind == "step.recorded" and "检查未通过" in e.content)
    assert quorum.step.startswith("党组织 P5.2") and "五分之四" in quorum.content
    moved = next(e for e in entries if e.kind == "campaign.moved")
    assert "村委会选举日 2026-10-12 → 2026-10-09" in moved.content and "台风预警" in moved.content
    assert next(e for e in entries if e.actor == "系统（流程引擎）").role == "系统"


def test_filters_by_person_step_and_period(story):
    def log(**kw):
        return village_log(story.ctx, village_code="V001", actor_name=AUDITOR, **kw)

    everything = log()
    by_clerk = log(person=CLERK)
    assert by_clerk and {e.actor for e in by_clerk} == {CLERK}
    p23 = log(step="P2.3")
    assert {e.step for e in p23} == {"党组织 P2.3 乡镇党委批复"}
    assert [e.kind for e in p23].count("step.recorded") == 2
    august = log(since=dt.date(2026, 8, 1), until=dt.date(2026, 8, 31))
    assert august and all(e.time.startswith("2026-08") for e in august)
    assert len(august) < len(everything)
    assert log(person=CLERK, step="P2.3") == []  # P2.3 is recorded by the township


def test_id_numbers_are_masked_everywhere():
    assert mask("身份证号110105199001010026，另 11010519900101002X") == "身份证号110105********0026，另 110105********002X"
    assert mask({"a": ["110105199001010026", 110105199001010026], "b": "1101051990010100261"}) == \
        {"a": ["110105********0026", "110105********0026"], "b": "1101051990010100261"}  # 19 digits: not an id
    event = AuditEvent("C", 1, "step.recorded", "甲", "village_clerk", dt.datetime(2026, 8, 1, tzinfo=dt.timezone.utc),
                       "V1", "vc", "V1.1", {"facts": {"contact": "110105199001010026", "members": [
                           {"name": "张三", "id": "11010519900101002X"}]}, "failures": [], "attempt": 1})
    [entry] = timeline([event])
    assert "110105********0026" in entry.content and "199001010026" not in entry.content
    assert entry.payload["facts"]["members"][0]["id"] == "110105********002X"
    assert entry.time == "2026-08-01 08:00"  # Asia/Shanghai


def test_the_story_log_shows_no_full_id_number(story):
    import json
    import re

    entries = village_log(story.ctx, village_code="V001", actor_name=AUDITOR)
    dumped = json.dumps([e.as_dict() for e in entries], ensure_ascii=False)
    assert "********" in dumped  # the member lists carry 身份证号
    assert not re.search(r"(?<![0-9A-Za-z])\d{17}[0-9X](?![0-9A-Za-z])", dumped)  # hashes are not IDs


def test_campaign_wide_events_other_than_dates_stay_out_of_a_village_log():
    at = dt.datetime(2026, 8, 1, tzinfo=dt.timezone.utc)
    events = [AuditEvent("C", 1, "reminder.sent", "engine", "system", at, None, None, None, {"subject": "提醒"}),
              AuditEvent("C", 2, "calendar.local_rest_day", "县办", "county_office", at, None, None, None,
                         {"date": "2026-10-12", "label": "选举日", "removed": False})]
    assert [e.content for e in timeline(events)] == ["增加本地休息日 2026-10-12（选举日）"]


def test_unknown_kinds_are_still_shown():
    event = AuditEvent("C", 1, "web.viewed", "engine", "system", dt.datetime(2026, 8, 1, tzinfo=dt.timezone.utc),
                       "V1", None, None, {"code": "D01", "sha256": "ab"})
    [entry] = timeline([event])
    assert entry.content == 'web.viewed：{"code":"D01","sha256":"ab"}'
