"""The packaged catalogue: counts, keys and the registries it names (domain.md §5–7)."""

from __future__ import annotations

import pytest

from huanjie.documents.registry import DOCUMENTS
from huanjie.steps.catalogue import PLAN_SOURCE, load_catalogue

PARAMS = {
    "voter_list_publish_days_before", "voter_objection_window_days", "objection_decision_days",
    "candidate_list_publish_days_before", "candidate_withdrawal_days_before", "vote_notice_days_before",
    "proxy_filing_days_before", "proxy_list_publish_days_before", "revote_latest_days_after",
    "handover_days_after", "handover_seal_days_after", "candidate_publicity_workdays", "audit_publicity_times",
    "audit_publicity_days", "election_committee_objection_days",
}

CHECKS_BY_STEP = {
    "P1.1": ["risk_level_set"], "P1.2": ["audit_items_complete", "audit_publicity"],
    "P2.1": ["party_committee_seats"], "P3.1": ["party_voting_rights"], "P3.2": ["party_exclusions_valid"],
    "P3.3": ["discipline_pledges_signed"],
    "P4.1": ["party_recommend_attendance", "party_recommend_support", "party_margin"],
    "P4.2": ["negative_list_passed", "inspection_disagreement", "reviews_cover_candidates"],
    "P4.3": ["candidate_publicity_period", "complaints_resolved"], "P5.1": ["scrutineers_not_candidates"],
    "P5.2": ["party_quorum", "party_margin", "party_elected"], "P5.3": ["party_secretary_elected"],
    "P6.3": ["archive_index_complete"],
    "V1.1": ["election_committee_size", "no_close_relatives_on_committee"], "V1.2": ["electing_meeting_quorum"],
    "V2.1": ["vc_seats", "women_seat"], "V3.1": ["voter_eligibility", "no_double_registration"],
    "V3.3": ["objections_decided", "objections_in_time"], "V3.4": ["voter_cards_issued"], "V4.1": ["nominations_valid"],
    "V4.2": ["negative_list_passed", "reviews_cover_candidates"], "V4.3": ["vc_margin", "committee_candidates_withdrawn"],
    "V4.4": ["replacement_order"], "V5.2": ["proxies_valid", "proxies_filed_in_time"],
    "V5.3": ["staff_not_candidates_or_relatives", "mobile_box_scrutineers"],
    "V6.1": ["ballots_issued_within_registered"],
    "V6.2": ["vc_vote_valid", "ballots_counted_within_issued", "vc_elected", "relatives_avoidance"],
    "V7.1": ["revote_within_limit"], "V7.2": ["vc_revote_threshold", "revote_within_limit"], "V7.3": ["vacancies_allowed"],
    "V8.1": ["representatives_ratio", "women_representatives"], "V8.2": ["group_meeting_quorum"],
    "V8.3": ["supervisory_committee_valid"], "V9.1": ["handover_items_signed"], "V9.2": ["archive_index_complete"],
}
# the 村民选举委员会's term ends at V9.3: every step it carries out, and V9.3 itself, check it
TERM_CHECKED = ("V2.1", "V2.3", "V3.1", "V3.2", "V3.3", "V3.4", "V4.3", "V4.4", "V5.1", "V5.2", "V5.3", "V6.1",
                "V6.2", "V7.1", "V7.2", "V7.3", "V9.1", "V9.2", "V9.3")
for _key in TERM_CHECKED:
    CHECKS_BY_STEP[_key] = [*CHECKS_BY_STEP.get(_key, []), "committee_within_term"]
CONDITIONS = {"V4.4": "candidate_withdrew", "V7.1": "seats_unfilled", "V7.2": "seats_unfilled",
              "V7.3": "seats_unfilled"}
GATED = {"P1.2", "P2.3", "P3.2", "P4.2", "P4.3", "P6.2", "V1.3", "V2.2", "V4.2", "V5.3", "V6.3", "V7.1", "V9.1"}
ALL_CHECKS = {c for checks in CHECKS_BY_STEP.values() for c in checks}


@pytest.fixture(scope="module")
def catalogue():
    """Validated against the registries of the brief, independent of modules still being written."""
    return load_catalogue(check_keys=ALL_CHECKS, condition_keys=set(CONDITIONS.values()),
                          document_codes=DOCUMENTS, param_names=PARAMS)


def test_counts(catalogue):
    assert catalogue.version == "2026.1"
    assert len(catalogue.stages()) == 15
    assert len(catalogue.steps()) == 47
    assert (len(catalogue.stages("party")), len(catalogue.steps("party"))) == (6, 18)
    assert (len(catalogue.stages("vc")), len(catalogue.steps("vc"))) == (9, 29)
    assert {k: e.anchor for k, e in catalogue.elections.items()} == {"party": "D_P", "vc": "D_V"}


def test_run_order_is_party_then_vc_stage_by_stage(catalogue):
    keys = [s.key for s in catalogue.steps()]
    assert keys[:3] == ["P1.1", "P1.2", "P1.3"] and keys[-1] == "V9.3"
    assert [catalogue.order(k) for k in keys] == list(range(47))
    assert [s.name for s in catalogue.stages("party")] == ["前期准备", "部署启动", "宣传动员", "确定人选", "大会选举", "后续工作"]
    assert [s.key for s in catalogue.stage_steps("V7")] == ["V7.1", "V7.2", "V7.3"]
    assert all(s.key.startswith(s.stage + ".") for s in catalogue.steps())


def test_checks_conditions_and_gates_are_those_of_the_brief(catalogue):
    assert {s.key: list(s.checks) for s in catalogue.steps() if s.checks} == CHECKS_BY_STEP
    assert {s.key: s.condition for s in catalogue.steps() if s.condition} == CONDITIONS
    assert {s.key for s in catalogue.steps() if s.gate} == GATED
    assert {s.gate for s in catalogue.steps() if s.gate} == {"township"}
    assert catalogue.step("V5.3").gate_label == "流动票箱审批"


def test_statutory_deadlines_use_profile_parameters_and_cite_a_clause(catalogue):
    statutory = {s.key for s in catalogue.steps() if s.statutory}
    assert statutory == {"V3.2", "V3.3", "V4.3", "V4.4", "V5.2", "V5.3", "V7.1", "V7.2", "V7.3", "V9.1"}
    for spec in catalogue.steps():
        if spec.statutory:
            assert spec.deadline.params() and not spec.deadline.literals(), spec.key
            assert spec.source != PLAN_SOURCE and ("《" in spec.source), spec.key
        else:
            assert spec.source == PLAN_SOURCE, spec.key
    assert catalogue.step("V3.2").source == "《村民委员会组织法》第十四条"
    assert str(catalogue.step("V3.3").deadline) == (
        "period(period(V3.2, voter_objection_window_days), objection_decision_days)")
    window = {m.key: str(m.expr) for m in catalogue.step("V3.3").milestones}
    assert window == {"objection_window_end": "period(V3.2, voter_objection_window_days)"}
    assert str(catalogue.step("V9.1").deadline) == "period(V6.2, handover_days_after)"
    assert str(catalogue.step("P1.1").deadline) == "before(D_P, 60)"


def test_documents_and_steps_agree_both_ways(catalogue):
    by_step = {(d, s.key) for s in catalogue.steps() for d in s.documents}
    by_document = {(code, step) for code, doc in DOCUMENTS.items() for step in doc.steps}
    assert by_step == by_document
    assert len(DOCUMENTS) == 27 and list(DOCUMENTS) == [f"D{i:02d}" for i in range(1, 28)]
    assert all(doc.must_contain and doc.title for doc in DOCUMENTS.values())
    assert all(doc.public == ("公告" in doc.title or "公示" in doc.title) for doc in DOCUMENTS.values())


def test_dependents_follow_requires_transitively(catalogue):
    after_review = catalogue.dependents("P4.2")
    assert list(after_review) == ["P4.3", "P5.1", "P5.2", "P5.3", "P6.1", "P6.2", "P6.3"]
    assert catalogue.dependents("P6.3") == ()
    # the audit runs alongside the Party steps: redoing it reopens nothing else
    assert catalogue.dependents("P1.2") == ()
    assert {"V9.1", "V9.3", "V7.1", "V8.3"} <= set(catalogue.dependents("V6.2"))
    assert "V3.4" in catalogue.dependents("V3.3") and "V6.1" in catalogue.dependents("V3.4")


def test_every_requirement_comes_earlier_in_run_order(catalogue):
    for spec in catalogue.steps():
        assert all(catalogue.order(r) < catalogue.order(spec.key) for r in spec.requires), spec.key
    assert catalogue.step("P1.1").requires == () and catalogue.step("P2.1").requires == ("P1.3",)


def test_unknown_step_raises_key_error(catalogue):
    with pytest.raises(KeyError):
        catalogue.step("P7.1")


def test_default_load_is_cached_and_matches():
    first = load_catalogue()
    assert load_catalogue() is first
    assert len(first.steps()) == 47
