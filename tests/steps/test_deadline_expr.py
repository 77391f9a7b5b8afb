from __future__ import annotations

import dataclasses

import pytest

from huanjie.steps.deadline_expr import (
    After,
    Anchor,
    Before,
    DeadlineSyntaxError,
    Literal,
    On,
    Param,
    Period,
    StepRef,
    Workdays,
    parse,
)

CANONICAL = [
    "before(D_V, voter_list_publish_days_before)",
    "period(period(V3.2, voter_objection_window_days), objection_decision_days)",
    "before(D_P, 60)",
    "after(D_P, 3)",
    "after(D_V, revote_latest_days_after)",
    "period(V6.2, handover_days_after)",
    "after(V9.1, 5)",
    "workdays(P4.2, candidate_publicity_workdays)",
    "on(D_V)",
    "on(after(before(D_V, 2), 0))",
]


@pytest.mark.parametrize("text", CANONICAL)
def test_canonical_text_round_trips(text):
    expr = parse(text)
    assert str(expr) == text
    assert parse(str(expr)) == expr


def test_whitespace_is_normalised():
    assert str(parse("  period( period(V3.2,voter_objection_window_days) ,objection_decision_days )  ")) == CANONICAL[1]


def test_ast_is_typed_and_frozen():
    expr = parse(CANONICAL[1])
    assert expr == Period(Period(StepRef("V3.2"), Param("voter_objection_window_days")), Param("objection_decision_days"))
    assert parse("before(D_P, 60)") == Before(Anchor("D_P"), Literal(60))
    assert parse("on(D_V)") == On(Anchor("D_V"))
    assert parse("workdays(D_V, 1)") == Workdays(Anchor("D_V"), Literal(1))
    # same arguments, different operator: not equal
    assert After(Anchor("D_P"), Literal(3)) != Before(Anchor("D_P"), Literal(3))
    with pytest.raises(dataclasses.FrozenInstanceError):
        expr.days = Literal(1)


def test_refs_and_params():
    expr = parse("period(period(V3.2, voter_objection_window_days), objection_decision_days)")
    assert expr.refs() == ("V3.2",)
    assert expr.step_refs() == ("V3.2",)
    assert expr.anchors() == ()
    assert expr.params() == ("voter_objection_window_days", "objection_decision_days")
    assert expr.literals() == ()
    mixed = parse("after(before(D_V, proxy_filing_days_before), 2)")
    assert mixed.refs() == ("D_V",)
    assert mixed.anchors() == ("D_V",)
    assert mixed.params() == ("proxy_filing_days_before",)
    assert mixed.literals() == (2,)


@pytest.mark.parametrize(
    ("text", "fragment", "position"),
    [
        ("", "期限表达式为空", 1),
        ("   ", "期限表达式为空", 4),
        ("befor(D_V, 3)", "未知的期限函数“befor”", 1),
        ("before(D_V)", "需要两个参数", 11),
        ("before(D_V, 3", "应在此以“)”结束", 14),
        ("before(D_V, 3, 4)", "只有两个参数", 14),
        ("on(D_V, 3)", "on(…) 只有一个参数", 7),
        ("before(D_V, -3)", "天数不能为负数", 13),
        ("before(20, D_V)", "“20”不是合法的引用日期", 8),
        ("after(V3, 2)", "“V3”不是合法的引用日期", 7),
        ("before(D_V, D_P)", "“D_P”不是合法的天数", 13),
        ("before(D_V, Voter_days)", "不是合法的天数", 13),
        ("on(D_V) + 1", "无法识别的字符“+”", 9),
        ("on(D_V) on(D_P)", "多余的“on”", 9),
        ("__import__(os)", "未知的期限函数“__import__”", 1),
        ("exec('1')", "无法识别的字符“'”", 6),
        ("before(D_V; 3)", "无法识别的字符“;”", 11),
    ],
)
def test_bad_expressions_are_rejected_with_position(text, fragment, position):
    with pytest.raises(DeadlineSyntaxError) as info:
        parse(text)
    assert fragment in info.value.message
    assert info.value.position + 1 == position
    assert f"第 {position} 个字符处" in info.value.message


def test_non_string_is_rejected():
    with pytest.raises(DeadlineSyntaxError, match="期限须为字符串表达式"):
        parse(20)
