from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from huanjie.rules import Range, Ratio, chinese_number


def test_exactly_four_fifths_fails_strict_and_passes_inclusive():
    assert not Ratio(4, 5, ">").holds(40, 50)
    assert Ratio(4, 5, ">").holds(41, 50)
    assert Ratio(4, 5, ">=").holds(40, 50)
    assert not Ratio(4, 5, ">=").holds(39, 50)


def test_exactly_half_fails_strict():
    assert not Ratio(1, 2, ">").holds(25, 50)
    assert Ratio(1, 2, ">").holds(26, 50)


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 20), st.integers(1, 20))
def test_holds_matches_exact_fraction(part, whole, num, den):
    from fractions import Fraction

    share = Fraction(num, den) * whole
    assert Ratio(num, den, ">").holds(part, whole) == (part > share)
    assert Ratio(num, den, ">=").holds(part, whole) == (part >= share)


def test_margin_rounds_up():
    margin = Ratio(1, 5, ">=", "ceil")
    assert [margin.min_extra(n) for n in range(1, 10)] == [1, 1, 1, 1, 1, 2, 2, 2, 2]
    assert margin.min_extra(10) == 2
    assert Ratio(1, 5, ">=", "floor").min_extra(7) == 1


def test_ratio_wording():
    assert Ratio(4, 5, ">").text() == "五分之四"
    assert Ratio(1, 2, ">").requirement() == "超过二分之一"
    assert Ratio(2, 3, ">=").requirement() == "不少于三分之二"
    assert Ratio(4, 5, ">").shortfall() == "未超过"
    assert Ratio(1, 3, ">=").shortfall() == "不足"


def test_chinese_numbers():
    assert [chinese_number(n) for n in (0, 3, 10, 12, 20, 31)] == ["零", "三", "十", "十二", "二十", "三十一"]


def test_range():
    odd = Range(3, None, True)
    assert [odd.contains(n) for n in (2, 3, 4, 5, 99)] == [False, True, False, True, True]
    zj = Range(5, 9, False)
    assert [zj.contains(n) for n in (4, 5, 6, 9, 10)] == [False, True, True, True, False]
    assert zj.text() == "5 至 9 人"
    assert odd.text() == "不少于 3 人且为单数"
