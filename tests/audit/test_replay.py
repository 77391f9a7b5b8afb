"""Replay from events alone equals the engine's stored state at every captured moment."""

import datetime as dt

from sqlalchemy import text

from huanjie.audit.check import check_village, compare, replay_village
from huanjie.audit.history import AuditEvent, village_events
from huanjie.audit.replay import replay
from huanjie.store.db import reading, transaction
from tests.audit.scenario import AUDITOR


def _events(story):
    with reading(story.ctx.engine) as s:
        return village_events(s, story.campaign, "V001")


def test_replay_at_each_moment_equals_the_state_the_engine_had(story):
    events = _events(story)
    assert len(story.moments) == 9
    for name, when, stored in story.moments:
        replayed = replay(events, when)
        assert compare(replayed, stored) == [], name
        assert replayed["cases"]["party"]["steps"] == stored["cases"]["party"]["steps"], name
        assert replayed["cases"]["vc"]["steps"] == stored["cases"]["vc"]["steps"], name
    # the story went where it was meant to go
    by_name = {name: stored for name, _, stored in story.moments}
    p23 = by_name["P2.3 rejected"]["cases"]["party"]["steps"]["P2.3"]
    assert (p23["status"], p23["attempt"], p23["note"]) == ("pending", 2, "委员名额与请示不一致")
    assert [d["decision"] for d in p23["decisions"]] == ["reject"]
    assert by_name["P5.2 blocked by the quorum"]["cases"]["party"]["steps"]["P5.2"]["status"] == "blocked"
    moved = by_name["election day moved earlier"]["cases"]["vc"]["steps"]
    assert moved["V3.2"]["invalidated"] and (moved["V3.2"]["status"], moved["V3.2"]["attempt"]) == ("pending", 2)
    assert by_name["overdue noted"]["cases"]["vc"]["steps"]["V3.2"]["overdue_noted"]
    final = by_name["all steps finished"]["cases"]
    assert all(s["status"] in ("done", "skipped") for c in final.values() for s in c["steps"].values())
    assert final["vc"]["steps"]["V4.4"]["status"] == "skipped"
    assert by_name["V4.4 recorded after its skip"]["cases"]["vc"]["steps"]["V4.4"]["recorded_by"]


def test_replay_reads_no_state_rows_and_check_names_every_difference(story):
    ctx = story.ctx
    assert check_village(ctx, village_code="V001", actor_name=AUDITOR) == []
    before = replay_village(ctx, village_code="V001", actor_name=AUDITOR)
    with transaction(ctx.engine) as s:  # someone edits the state tables behind the engine's back
        p23 = "SELECT id FROM step_state WHERE step_key = 'P2.3' AND case_id IN (%s)" % ",".join(
            str(i) for i in story.case_ids)
        s.execute(text(f"UPDATE step_state SET status = 'pending', recorded_by = '某人' WHERE id IN ({p23})"))
        s.execute(text(f"UPDATE gate_decision SET reason = '补写' WHERE attempt = 2 AND step_state_id IN ({p23})"))
    assert replay_village(ctx, village_code="V001", actor_name=AUDITOR) == before
    messages = [d.message() for d in check_village(ctx, village_code="V001", actor_name=AUDITOR)]
    assert messages[:2] == ["党组织换届 P2.3 状态：回放为 done，存储为 pending",
                            "党组织换届 P2.3 填报人：回放为 乡镇干部甲，存储为 某人"]
    assert messages[2].startswith("党组织换届 P2.3 审批记录") and "补写" in messages[2]
    assert len(messages) == 3


def test_replay_keeps_the_versions_the_case_ran_under(story):
    cases = replay(_events(story))["cases"]
    for case in cases.values():
        assert case["versions"]["profile"] == "national"
        assert case["versions"]["catalogue_version"] and case["versions"]["calendar_version"]
        assert case["versions"]["profile_version"]


def _event(seq, kind, at, step=None, **payload):
    return AuditEvent("C", seq, kind, "甲", "village_clerk", at, "V9", "party", step, payload)


def test_replay_is_a_pure_function_of_the_events_and_the_moment():
    t = dt.datetime(2026, 8, 1, 2, tzinfo=dt.timezone.utc)
    events = [
        _event(1, "case.launched", t, steps={"P1.1": {"due": "2026-08-03", "provisional": True, "statutory": False}},
               profile="national", catalogue_version="c1", profile_version="p1", calendar_version="k1"),
        _event(2, "step.recorded", t + dt.timedelta(hours=1), "P1.1", facts={"date": "2026-08-01"},
               failures=[{"message": "缺少"}], attempt=1),
        _event(3, "deadline.moved", t + dt.timedelta(hours=2), "P1.1", to="2026-08-05", provisional=False),
        _event(4, "step.bogus", t + dt.timedelta(hours=2), "P1.1"),
        _event(5, "step.done", t + dt.timedelta(hours=3), "P1.2", done_on="2026-08-01", late=False),
    ]
    at_launch = replay(events, t)["cases"]["party"]["steps"]["P1.1"]
    assert (at_launch["status"], at_launch["due"], at_launch["provisional"]) == ("pending", "2026-08-03", True)
    later = replay(events, t + dt.timedelta(hours=2))
    step = later["cases"]["party"]["steps"]["P1.1"]
    assert (step["status"], step["recorded_by"], step["due"], step["provisional"]) == ("blocked", "甲", "2026-08-05", False)
    assert later["last_seq"] == 4 and later["anomalies"] == []
    assert replay(events)["anomalies"] == ["第 5 号事件（step.done）指向未启动的案件或不存在的步骤 party/P1.2"]
    assert replay([])["cases"] == {}
