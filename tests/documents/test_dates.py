"""A document's 成文日期 follows the process; contradicting dates are refused with the reason."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.demo.cast import make_cast
from huanjie.demo.county import TOWNSHIPS
from huanjie.demo.facts import StepFacts
from huanjie.documents.registry import DOCUMENTS
from huanjie.documents.render import prepare
from huanjie.documents.source import Source, Village
from huanjie.errors import InvalidInput
from tests.documents.support import all_facts, env, source


def _refused(code: str, step: str, changes: dict, **kw) -> list[str]:
    with pytest.raises(InvalidInput) as exc:
        prepare(code, source(step, changes, **kw))
    return [p.message for p in exc.value.problems]


def test_the_publicity_and_its_request_and_approval_are_dated_in_order():
    facts, _ = all_facts()
    p43 = facts["P4.3"]
    d05, d06, d07 = (prepare(code, source("P4.3")) for code in ("D05", "D06", "D07"))
    assert d05.day < d06.day <= d07.day == dt.date.fromisoformat(p43["publicity_start"])
    assert d07.day < dt.date.fromisoformat(p43["publicity_end"]) < env().anchors["D_P"]


def test_a_request_dated_before_the_joint_review_it_reports_is_refused():
    facts, _ = all_facts()
    reviewed = dt.date.fromisoformat(facts["P4.2"]["date"])
    assert dt.date.fromisoformat(facts["P4.3"]["request_date"]) > reviewed  # the demo: 联审, then 请示
    messages = _refused("D05", "P4.3", {"P4.3": {"request_date": (reviewed - dt.timedelta(days=1)).isoformat()}})
    assert any("早于资格联审（P4.2）" in m and "应先联审、考察，后请示" in m for m in messages), messages


def test_a_publicity_approved_after_it_began_is_refused():
    facts, _ = all_facts()
    start = dt.date.fromisoformat(facts["P4.3"]["publicity_start"])
    messages = _refused("D07", "P4.3", {"P4.3": {"approval_date": (start + dt.timedelta(days=1)).isoformat()}})
    assert any("晚于公示开始日" in m and "应先批复后公示" in m for m in messages), messages
    messages = _refused("D05", "P4.3", {"P4.3": {"request_date": (start - dt.timedelta(days=1)).isoformat(),
                                                 "approval_date": (start - dt.timedelta(days=2)).isoformat()}})
    assert any("应先请示后批复" in m for m in messages), messages


def test_a_reply_dated_before_its_request_is_refused():
    src = source("P2.3")
    src.dates = {"D01": src.day + dt.timedelta(days=1)}
    with pytest.raises(InvalidInput) as exc:
        prepare("D02", src)
    assert "批复应在收到请示之后" in exc.value.problems[0].message


def test_a_proxy_filed_after_the_deadline_of_the_election_rules_is_refused():
    facts, _ = all_facts()
    proxies = [dict(p) for p in facts["V5.2"]["proxies"]]
    vote = env().anchors["D_V"]
    proxies[0]["filed_on"] = (vote - dt.timedelta(days=1)).isoformat()
    messages = _refused("D22", "V5.2", {"V5.2": {"proxies": proxies}})
    assert any("第 1 项委托" in m and "委托期限" in m for m in messages), messages


def test_an_objection_decided_before_it_was_received_is_refused():
    facts, _ = all_facts()
    rows = [dict(r) for r in facts["V3.3"]["objections"]]
    rows[0]["decided"] = (dt.date.fromisoformat(rows[0]["received"]) - dt.timedelta(days=1)).isoformat()
    messages = _refused("D19", "V3.3", {"V3.3": {"objections": rows}})
    assert any("早于收到日期" in m for m in messages), messages


@pytest.mark.parametrize("code,name,households,groups", [v for vs in TOWNSHIPS.values() for v in vs])
def test_every_document_of_every_demo_village_is_consistent(code, name, households, groups):
    e = env()
    plan = e.plan()
    generator = StepFacts(make_cast(code, households, groups), e, {"name": name, "households": households,
                                                                 "groups": groups})
    facts = {s.key: generator.for_step(s.key, plan[s.key].due) for s in e.catalogue.steps() if not s.condition}
    milestones = {k: p.milestones_json() for k, p in plan.items()}
    for doc, spec in DOCUMENTS.items():
        for step in spec.steps:
            if step not in facts:
                continue
            src = Source(facts=facts, village=Village(name, code, "城关镇", "示范县", households, groups), step=step,
                         day=plan[step].due, anchors=dict(e.anchors), profile=e.profile,
                         step_names={s.key: s.name for s in e.catalogue.steps()}, milestones=milestones)
            prepare(doc, src)  # refuses a missing fact or a contradicting date
    # the Party meeting's scrutineers are voting members who are not candidates (选举工作条例)
    members = {m["name"] for m in facts["P3.1"]["members"] if m["category"] == "正式"}
    candidates = {c["name"] for c in facts["P5.1"]["party_candidates"]}
    staff = set(facts["P5.1"]["scrutineers"]) | set(facts["P5.1"]["tellers"])
    assert staff <= members and not staff & candidates
    # objections filed inside the window, decided within the days allowed (组织法 14)
    end = dt.date.fromisoformat(milestones["V3.3"]["objection_window_end"]["due"])
    for o in facts["V3.3"]["objections"]:
        received, decided = dt.date.fromisoformat(o["received"]), dt.date.fromisoformat(o["decided"])
        limit = e.calendar.period_end(received, e.profile["objection_decision_days"]).date
        assert received <= end and received <= decided <= limit
    # every proxy printed with its 委托日期, on or before the 选举办法's "选举日三日前" and the list's own day
    d22 = prepare("D22", Source(facts=facts, village=Village(name, code, "城关镇", "示范县", households, groups),
                                step="V5.2", day=plan["V5.2"].due, anchors=dict(e.anchors), profile=e.profile,
                                step_names={}, milestones=milestones))
    latest = e.calendar.latest_before(e.anchors["D_V"], e.profile["proxy_filing_days_before"]).date
    assert d22.context["rows"] and all(r["filed_on"] <= min(latest, plan["V5.2"].due) for r in d22.context["rows"])


def test_after_its_term_the_election_committee_signs_nothing():
    facts, days = all_facts()
    assert days["V9.3"] < days["V8.1"]  # the plan: 选委会 mandate ends before the 村民代表 are elected
    doc = prepare("D25", source("V8.1"))
    assert doc.context["committee"] == "东湖村村民委员会" and doc.issuer.prefix == "东湖村村委字"
    assert prepare("D25", source("V6.2")).context["committee"] == "东湖村村民选举委员会"
    late = days["V9.3"] + dt.timedelta(days=1)
    messages = _refused("D27", "V9.1", {}, day=late)
    assert any("任期已于" in m and "V9.3" in m for m in messages), messages
