"""Properties of the counting functions, over data years, provisional years and far dates."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from huanjie.calendar import load_calendar

CAL = load_calendar().with_local_rest_days({dt.date(2026, 9, 29): "选举日", dt.date(2026, 10, 10): "选举日"})
days_ = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2040, 12, 31))
ONE = dt.timedelta(days=1)


def _between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@given(days_, st.integers(min_value=1, max_value=120))
def test_add_workdays_lands_on_the_nth_workday(day, n):
    got = CAL.add_workdays(day, n).date
    assert CAL.is_workday(got)
    assert sum(CAL.is_workday(d) for d in _between(day + ONE, got)) == n


@given(days_, st.integers(min_value=0, max_value=60))
def test_period_end_is_the_first_working_day_from_the_last_day(start, days):
    got = CAL.period_end(start, days)
    last = start + dt.timedelta(days=days)
    assert got.date >= last and CAL.is_workday(got.date)
    assert not any(CAL.is_workday(d) for d in _between(last, got.date - ONE))
    assert bool(got.warnings) == (got.date != last)


@given(days_, st.integers(min_value=0, max_value=60))
def test_latest_before_never_extends_and_proposes_the_previous_working_day(event, days):
    got = CAL.latest_before(event, days)
    assert got.date == event - dt.timedelta(days=days)
    if CAL.is_workday(got.date):
        assert got.proposed is None and got.warnings == ()
    else:
        assert got.proposed < got.date and CAL.is_workday(got.proposed)
        assert not any(CAL.is_workday(d) for d in _between(got.proposed + ONE, got.date))


@given(days_)
def test_day_info_agrees_with_is_workday_and_marks_years_without_data(day):
    info = CAL.day_info(day)
    assert info.workday == CAL.is_workday(day)
    assert info.provisional == (day.year not in CAL.data_years)
