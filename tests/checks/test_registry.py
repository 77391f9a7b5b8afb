from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from huanjie.steps.checks import CHECKS, CheckContext, CheckFailure, FactProblem, run_checks
from huanjie.steps.conditions import CONDITIONS
from tests.checks.support import make_ctx, run

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CATALOGUE = Path(__file__).resolve().parents[2] / "huanjie" / "steps" / "catalogue"


def test_every_check_has_a_chinese_title_and_labelled_fields():
    assert len(CHECKS) == 52
    for key, spec in CHECKS.items():
        assert spec.key == key
        assert CHINESE.search(spec.title), key
        assert spec.fields or spec.optional, key  # committee_within_term reads only the optional act date
        for name, label in {**spec.fields, **spec.optional}.items():
            assert re.fullmatch(r"[a-z_]+", name), (key, name)
            assert CHINESE.search(label), (key, name)


@pytest.mark.skipif(not CATALOGUE.is_dir(), reason="step catalogue not present")
def test_every_key_the_catalogue_names_is_registered():
    named, conditions = set(), set()
    for path in CATALOGUE.glob("*.yaml"):
        for step in yaml.safe_load(path.read_text(encoding="utf-8"))["steps"]:
            named.update(step.get("checks") or [])
            if step.get("condition"):
                conditions.add(step["condition"])
    assert named == set(CHECKS)
    assert conditions <= set(CONDITIONS)


def test_missing_fact_is_a_failure_naming_field_and_label():
    failures = run("party_quorum", {"expected_voters": 50})
    assert failures == [CheckFailure("party_quorum", "present_voters",
                                     "缺少“实到会有选举权党员人数”（present_voters），无法核对：党员大会到会人数")]


def test_every_missing_fact_is_listed():
    failures = run("party_elected", {})
    assert {f.field for f in failures} == set(CHECKS["party_elected"].fields)


def test_malformed_fact_is_a_failure_not_a_crash():
    [failure] = run("party_quorum", {"expected_voters": 50, "present_voters": "四十"})
    assert failure.field == "present_voters"
    assert "非负整数" in failure.message and "四十" in failure.message


def test_malformed_list_entry_is_a_failure_naming_the_entry():
    [failure] = run("party_recommend_attendance", {"recommend_meetings": [{"expected": 50, "present": "很多"}]})
    assert failure.field == "recommend_meetings"
    assert "第 1 项的 present 须为非负整数" in failure.message
    [failure] = run("no_close_relatives_on_committee", {"election_committee": [{"name": "甲", "relatives": "乙"}]})
    assert "relatives 须为列表" in failure.message


def test_null_counts_as_missing():
    [failure] = run("vc_vote_valid", {"ballots_cast": None, "registered_voters": 10})
    assert failure.field == "ballots_cast" and "缺少" in failure.message


def test_lookup_prefers_this_step_then_the_latest_other_step():
    ctx = make_ctx({"a": 1}, case={"V2.1": {"b": 4}, "V10.1": {"c": 5}, "V1.1": {"a": 2, "b": 3, "c": 6}, "P6.3": {"b": 0}})
    assert ctx.lookup("a") == 1
    assert ctx.lookup("b") == 4
    assert ctx.lookup("c") == 5
    assert ctx.lookup("d", None) is None
    with pytest.raises(FactProblem):
        ctx.lookup("d")


def test_facts_of_other_steps_feed_a_check():
    case = {"P3.2": {"expected_voters": 50}}
    assert run("party_quorum", {"present_voters": 41}, case=case) == []
    assert run("party_quorum", {"present_voters": 40}, case=case)[0].field == "present_voters"


def test_run_checks_runs_several_and_rejects_unknown_keys():
    ctx = make_ctx({"expected_voters": 50, "present_voters": 30, "risk_level": "purple"})
    failures = run_checks(["party_quorum", "risk_level_set"], ctx)
    assert [f.check for f in failures] == ["party_quorum", "risk_level_set"]
    with pytest.raises(KeyError):
        run_checks(["no_such_check"], ctx)


def test_check_functions_are_plain_and_callable_without_the_runner():
    ctx = CheckContext(facts={"risk_level": "green"}, case_facts={}, profile=make_ctx().profile, village={})
    assert list(CHECKS["risk_level_set"].fn(ctx)) == []
