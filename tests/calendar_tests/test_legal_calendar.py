"""Working days and statutory periods on the packaged calendar (domain.md §2)."""

from __future__ import annotations

import datetime as dt
import time

import pendulum
import pytest

from huanjie.calendar import DayInfo, LegalDate, load_calendar

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return load_calendar()


# --- single days ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("day", "workday", "kind", "name", "provisional"),
    [
        (D(2026, 10, 1), False, "holiday", "国庆节", False),
        (D(2026, 9, 26), False, "holiday", "中秋节", False),
        (D(2026, 10, 10), True, "makeup_workday", None, False),
        (D(2026, 9, 19), False, "weekend", None, False),
        (D(2026, 9, 21), True, "workday", None, False),
        (D(2020, 2, 1), False, "holiday", "春节（延长假期）", False),  # make-up workday cancelled
        (D(2027, 10, 1), True, "workday", None, True),  # no 2027 data: a Friday is a workday
        (D(2027, 10, 2), False, "weekend", None, True),
    ],
)
def test_day_info(cal, day, workday, kind, name, provisional):
    assert cal.day_info(day) == DayInfo(day, workday, kind, name, provisional)
    assert cal.is_workday(day) is workday


def test_pendulum_dates_work_and_plain_dates_come_back(cal):
    got = cal.add_workdays(pendulum.date(2026, 9, 28), 5)
    assert got.date == D(2026, 10, 10)
    assert type(got.date) is dt.date
    assert type(cal.day_info(pendulum.date(2026, 10, 1)).date) is dt.date


# --- working days ----------------------------------------------------------------------------

def test_five_working_days_after_2026_09_28_is_the_saturday_make_up_day(cal):
    assert cal.add_workdays(D(2026, 9, 28), 5) == LegalDate(D(2026, 10, 10), False)


def test_the_same_count_in_2027_is_provisional(cal):
    got = cal.add_workdays(D(2027, 9, 28), 5)
    assert got.provisional
    assert got.date == D(2027, 10, 5)  # weekends only: 29, 30, 1, 4, 5


def test_working_days_running_into_a_year_without_data_are_provisional(cal):
    assert cal.add_workdays(D(2026, 12, 28), 10).provisional
    assert not cal.add_workdays(D(2026, 12, 1), 3).provisional


def test_zero_working_days_is_the_day_itself_and_negative_is_refused(cal):
    assert cal.add_workdays(D(2026, 10, 3), 0) == LegalDate(D(2026, 10, 3), False)
    with pytest.raises(ValueError, match="非负"):
        cal.add_workdays(D(2026, 10, 3), -1)


def test_working_days_outside_the_precomputed_window(cal):
    assert cal.add_workdays(D(2015, 1, 2), 1) == LegalDate(D(2015, 1, 5), True)  # Fri -> Mon
    assert cal.add_workdays(D(2060, 3, 5), 5) == LegalDate(D(2060, 3, 12), True)  # Fri -> next Fri


def test_add_workdays_over_100_days_takes_microseconds(cal):
    start = time.perf_counter()
    for _ in range(10_000):
        cal.add_workdays(D(2026, 3, 1), 100)
    assert (time.perf_counter() - start) / 10_000 < 50e-6


# --- periods (民法典 art. 201/203) ------------------------------------------------------------

def test_period_ending_on_a_holiday_moves_to_the_next_working_day(cal):
    got = cal.period_end(D(2026, 9, 22), 5)
    assert got.date == D(2026, 9, 28) and not got.provisional and got.proposed is None
    assert got.warnings == (
        "2026-09-27 为法定休假日（中秋节），期间最后一日顺延至 2026-09-28（《民法典》第二百零三条）",
    )


def test_period_ending_in_national_day_moves_past_the_whole_holiday(cal):
    got = cal.period_end(D(2026, 9, 28), 3)
    assert got.date == D(2026, 10, 8)
    assert "2026-10-01" in got.warnings[0] and "国庆节" in got.warnings[0]


def test_period_ending_on_a_weekend_moves_to_monday(cal):
    got = cal.period_end(D(2026, 9, 1), 4)  # 09-05 is a Saturday
    assert got.date == D(2026, 9, 7)
    assert "星期六" in got.warnings[0]


def test_period_ending_on_a_make_up_saturday_is_not_extended(cal):
    assert cal.period_end(D(2026, 10, 5), 5) == LegalDate(D(2026, 10, 10), False)


def test_period_on_a_working_day_has_no_warning(cal):
    assert cal.period_end(D(2026, 9, 1), 7) == LegalDate(D(2026, 9, 8), False)


# --- backward deadlines ----------------------------------------------------------------------

def test_twenty_days_before_2026_10_12(cal):
    assert cal.latest_before(D(2026, 10, 12), 20) == LegalDate(D(2026, 9, 22), False)


@pytest.mark.parametrize(
    ("event", "days", "latest", "proposed", "label"),
    [
        (D(2026, 10, 23), 20, D(2026, 10, 3), D(2026, 9, 30), "法定休假日（国庆节）"),
        (D(2026, 8, 31), 1, D(2026, 8, 30), D(2026, 8, 28), "法定休假日（星期日）"),
        (D(2026, 10, 21), 10, D(2026, 10, 11), D(2026, 10, 10), "法定休假日（星期日）"),  # make-up Sat
    ],
)
def test_latest_date_on_a_rest_day_warns_and_proposes_the_previous_working_day(
    cal, event, days, latest, proposed, label
):
    got = cal.latest_before(event, days)
    assert got.date == latest  # no extension backwards
    assert got.proposed == proposed
    (warning,) = got.warnings
    assert latest.isoformat() in warning and proposed.isoformat() in warning and label in warning


# --- plan dates --------------------------------------------------------------------------------

def test_after_is_a_plain_calendar_offset(cal):
    assert cal.after(D(2026, 9, 1), 20) == LegalDate(D(2026, 9, 21), False)
    assert cal.after(D(2026, 9, 21), -20) == LegalDate(D(2026, 9, 1), False)


def test_after_landing_on_a_rest_day_warns_and_proposes_the_next_working_day(cal):
    got = cal.after(D(2026, 9, 1), 32)
    assert got.date == D(2026, 10, 3)
    assert got.proposed == D(2026, 10, 8)
    assert "2026-10-03" in got.warnings[0] and "国庆节" in got.warnings[0]


def test_after_in_a_year_without_data_is_provisional(cal):
    got = cal.after(D(2026, 12, 1), 40)
    assert (got.date, got.provisional, got.proposed) == (D(2027, 1, 10), True, D(2027, 1, 11))
    assert "星期日" in got.warnings[0]
    assert cal.after(D(2026, 12, 1), 10) == LegalDate(D(2026, 12, 11), False)


# --- end of the last day -----------------------------------------------------------------------

def test_deadline_ends_at_midnight_shanghai(cal):
    end = cal.deadline_end(D(2026, 9, 28))
    assert end == pendulum.datetime(2026, 9, 29, tz="Asia/Shanghai")
    assert end.isoformat() == "2026-09-29T00:00:00+08:00"
    assert end.timezone_name == "Asia/Shanghai"


# --- local rest days ---------------------------------------------------------------------------

def test_local_rest_day_makes_a_workday_a_rest_day(cal):
    local = cal.with_local_rest_days({D(2026, 9, 29): "选举日"})
    assert cal.is_workday(D(2026, 9, 29))
    assert not local.is_workday(D(2026, 9, 29))
    assert local.day_info(D(2026, 9, 29)) == DayInfo(D(2026, 9, 29), False, "local_rest", "选举日", False)
    assert local.add_workdays(D(2026, 9, 28), 1).date == D(2026, 9, 30)
    assert cal.add_workdays(D(2026, 9, 28), 1).date == D(2026, 9, 29)


def test_local_rest_day_extends_a_period(cal):
    local = cal.with_local_rest_days({D(2026, 9, 29): "选举日"})
    got = local.period_end(D(2026, 9, 26), 3)
    assert got.date == D(2026, 9, 30)
    assert "本地休息日（选举日）" in got.warnings[0]
    assert cal.period_end(D(2026, 9, 26), 3).date == D(2026, 9, 29)


def test_local_rest_day_on_a_make_up_saturday(cal):
    local = cal.with_local_rest_days({D(2026, 10, 10): "选举日"})
    assert local.add_workdays(D(2026, 9, 28), 5).date == D(2026, 10, 12)


def test_local_rest_days_change_the_version_and_accumulate(cal):
    one = cal.with_local_rest_days({D(2026, 9, 29): "选举日"})
    two = one.with_local_rest_days({D(2027, 3, 1): "补选日"})
    assert one.version.startswith(cal.version + "+local:1:")
    assert two.version.startswith(cal.version + "+local:2:")
    assert cal.with_local_rest_days({D(2026, 9, 29): "选举日"}).version == one.version
    assert cal.with_local_rest_days({D(2026, 9, 29): "换届日"}).version != one.version
    assert not two.is_workday(D(2026, 9, 29)) and not two.is_workday(D(2027, 3, 1))
    assert len(two.version) <= 120  # fits the store's calendar_version column


def test_local_rest_day_needs_a_label(cal):
    with pytest.raises(ValueError, match="2026-09-29"):
        cal.with_local_rest_days({D(2026, 9, 29): " "})
