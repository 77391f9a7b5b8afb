"""Issue 9 item 4: time limits over recorded dates, counted with the legal calendar (民法典
201–203; 0 days = the day itself), at their boundaries."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from huanjie.calendar import load_calendar
from huanjie.rules import load_profile
from huanjie.steps.checks import CheckContext, run_checks
from huanjie.steps.checks.legal_dates import limit_end, workdays_between

CAL = load_calendar()
ONE = dt.timedelta(days=1)
days_2026 = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 20))


class Profile:
    """The national profile with some values replaced (a province that sets another limit)."""

    def __init__(self, **values):
        self.base, self.values = load_profile("national"), values

    def __getitem__(self, name):
        return self.values.get(name, self.base[name]) if name in self.values else self.base[name]

    def cite(self, name):
        return self.base.cite(name)


def objection_failures(published, received, decided, profile=None, decision="补充登记"):
    ctx = CheckContext(facts={"objections": [{"subject": "甲：未被登记", "received": received.isoformat(),
                                               "decision": decision, "decided": decided.isoformat()}]},
                       case_facts={"V3.2": {"date": published.isoformat()}},
                       profile=profile or load_profile("national"), step="V3.3", calendar=CAL)
    return [f.message for f in run_checks(["objections_in_time"], ctx)]


@settings(max_examples=60, deadline=None)
@given(days_2026, st.integers(min_value=0, max_value=10))
def test_the_last_day_of_the_objection_window_counts_and_the_next_does_not(published, window):
    profile = Profile(voter_objection_window_days=window)
    last = limit_end(CAL, published, window)
    assert objection_failures(published, last, last, profile) == []
    [late] = objection_failures(published, last + ONE, last + ONE, profile)
    assert "异议期内" in late and last.isoformat() in late
    assert objection_failures(published, last + ONE, last + ONE, profile, decision="逾期，不予受理") == []


def test_a_window_spanning_national_day_ends_after_the_holiday():
    published = dt.date(2026, 9, 28)  # 5 days → 10-03, inside 国庆节 10-01..07 → 10-08
    assert limit_end(CAL, published, 5) == dt.date(2026, 10, 8)
    assert objection_failures(published, dt.date(2026, 10, 8), dt.date(2026, 10, 8)) == []
    assert objection_failures(published, dt.date(2026, 10, 9), dt.date(2026, 10, 9))


def test_a_limit_ending_on_a_make_up_working_day_is_not_extended():
    received = dt.date(2026, 10, 7)  # + 3 days = Saturday 10-10, a make-up working day
    assert CAL.is_workday(dt.date(2026, 10, 10)) and dt.date(2026, 10, 10).weekday() == 5
    assert objection_failures(dt.date(2026, 10, 5), received, dt.date(2026, 10, 10)) == []
    [late] = objection_failures(dt.date(2026, 10, 5), received, dt.date(2026, 10, 11))
    assert "超过 3 日的法定处理期限（至 2026-10-10" in late
    # five working days from Monday 09-28 end on that Saturday: the make-up day counts
    assert workdays_between(CAL, dt.date(2026, 9, 28), dt.date(2026, 10, 10)) == 5


@settings(max_examples=60, deadline=None)
@given(days_2026)
def test_a_zero_day_limit_is_the_day_itself_even_on_a_sunday(received):
    profile = Profile(objection_decision_days=0)
    assert limit_end(CAL, received, 0) == received
    published = received - ONE
    assert objection_failures(published, received, received, profile) == []
    [late] = objection_failures(published, received, received + ONE, profile)
    assert "超过 0 日" in late


def test_a_sunday_zero_day_limit_explicitly():
    sunday = dt.date(2026, 11, 1)
    assert sunday.weekday() == 6
    profile = Profile(objection_decision_days=0)
    assert objection_failures(dt.date(2026, 10, 31), sunday, sunday, profile) == []
    assert objection_failures(dt.date(2026, 10, 31), sunday, dt.date(2026, 11, 2), profile)


@settings(max_examples=60, deadline=None)
@given(days_2026, st.integers(min_value=1, max_value=40))
def test_revote_within_n_days_by_the_civil_code(election_day, days):
    profile = Profile(revote_latest_days_after=days)
    last = limit_end(CAL, election_day, days)

    def failures(held):
        ctx = CheckContext(facts={"revote_day": held.isoformat()}, case_facts={}, profile=profile, step="V7.1",
                           calendar=CAL, anchors={"D_V": election_day})
        return [f.message for f in run_checks(["revote_within_limit"], ctx)]

    assert CAL.is_workday(last) and last >= election_day + dt.timedelta(days=days)
    assert failures(last) == []
    assert failures(last + ONE) and "另行选举日" in failures(last + ONE)[0]


def test_proxies_filed_by_the_profiles_day():
    day_v = dt.date(2026, 10, 12)
    latest = CAL.latest_before(day_v, 3).date  # national: 3 days before

    def failures(filed):
        ctx = CheckContext(facts={"proxies": [{"principal": "甲", "proxy": "乙", "relation": "配偶", "away": True,
                                               "filed_on": filed.isoformat()}]},
                           case_facts={}, profile=load_profile("national"), step="V5.2", calendar=CAL,
                           anchors={"D_V": day_v})
        return [f.message for f in run_checks(["proxies_filed_in_time"], ctx)]

    assert failures(latest) == []
    assert "晚于选举日" in failures(latest + ONE)[0]


def test_the_revote_deadline_is_a_civil_code_period_not_a_plan_offset():
    from huanjie.steps.catalogue import load_catalogue
    from huanjie.steps.env import _env

    catalogue = load_catalogue()
    for key in ("V7.1", "V7.2", "V7.3"):
        assert str(catalogue.step(key).deadline) == "period(D_V, revote_latest_days_after)"
    # D_V 2026-09-05 (Saturday) + 30 days = 10-05, inside 国庆节 → the period ends 10-08
    env = _env("national", catalogue.version, dt.date(2026, 8, 1), dt.date(2026, 9, 5), ())
    assert env.plan()["V7.1"].due == dt.date(2026, 10, 8)


def test_d14_item_six_reads_one_fifth_of_the_villagers():
    """《村民委员会组织法》第三十五条: 本村五分之一以上的村民要求审计的其他事项."""
    from huanjie.steps.checks.lists import audit_items

    [item] = [i for i in audit_items().items if i.key == "requested"]
    assert item.title == "本村五分之一以上的村民要求审计的其他事项"


def test_dates_as_clerks_write_them_are_normalised():
    from huanjie.steps.facts.coerce import parse_date

    for text in ("2026/9/18", "2026年9月18日", "2026.9.18", "2026-9-18", "２０２６年９月１８日"):
        assert parse_date(text)[0] == dt.date(2026, 9, 18)


def test_proxies_count_back_from_the_moved_election_day_not_v31s_recorded_day():
    """V3.1 recorded 2026-10-12 as the election day; the county then moved it to 2026-10-20."""
    recorded, moved = dt.date(2026, 10, 12), dt.date(2026, 10, 20)
    latest = CAL.latest_before(moved, 3).date

    def failures(filed, anchors):
        ctx = CheckContext(facts={"proxies": [{"principal": "甲", "proxy": "乙", "relation": "配偶", "away": True,
                                               "filed_on": filed.isoformat()}]},
                           case_facts={"V3.1": {"vc_election_day": recorded.isoformat()}},
                           profile=load_profile("national"), step="V5.2", calendar=CAL, anchors=anchors)
        return [f.message for f in run_checks(["proxies_filed_in_time"], ctx)]

    assert latest > CAL.latest_before(recorded, 3).date
    assert failures(latest, {"D_V": moved}) == []  # in time for the day in force, late for the old one
    [late] = failures(latest + ONE, {"D_V": moved})
    assert f"晚于选举日 {moved}" in late and str(latest) in late
    assert failures(latest, {}) and f"晚于选举日 {recorded}" in failures(latest, {})[0]  # no plan: the recorded day
