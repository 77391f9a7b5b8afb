"""Legal time: working days and periods under 《民法典》第二百条至第二百零四条 (domain.md §2).

Days are handled as ordinals (``date.toordinal()``). The workdays of a window around the data
years are kept as one sorted list, so ``add_workdays`` is a bisect and an index. A year without
official data is counted on weekends only and everything that consulted it is provisional.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pendulum

from huanjie.calendar.data_file import DEFAULT_DATA_FILE, WEEKDAY_NAMES, HolidayData, read_data_file
from huanjie.clock import TZ

# Years after the last data year kept in the fast workday list (counted on weekends only).
_WINDOW_YEARS_AFTER = 10
_PERIOD_EXTENSION = "《民法典》第二百零三条"


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    workday: bool
    kind: str          # "workday" | "weekend" | "holiday" | "makeup_workday" | "local_rest"
    name: str | None   # holiday name or local rest-day label; None for plain days
    provisional: bool  # the year has no official data (weekends-only guess)


@dataclass(frozen=True)
class LegalDate:
    date: dt.date
    provisional: bool               # some day consulted lies in a year without data
    warnings: tuple[str, ...] = ()  # Chinese
    proposed: dt.date | None = None  # a working day to use instead, where the date is a rest day


class LegalCalendar:
    """The official calendar of one data file, optionally with a county's local rest days."""

    def __init__(self, data: HolidayData, local_rest_days: Mapping[dt.date, str] | None = None) -> None:
        self._data = data
        self.data_years: frozenset[int] = frozenset(data.years)
        self._holidays: dict[int, str] = {}
        self._makeup: set[int] = set()
        for year in data.years.values():
            for holiday in year.holidays:
                for o in range(holiday.start.toordinal(), holiday.end.toordinal() + 1):
                    self._holidays[o] = holiday.name
            self._makeup.update(d.toordinal() for d in year.workdays)
        self._local: dict[int, str] = {d.toordinal(): label for d, label in (local_rest_days or {}).items()}
        self.version = _version(data, self._local)
        first, last = min(data.years), max(data.years) + _WINDOW_YEARS_AFTER
        self._lo = dt.date(first, 1, 1).toordinal()
        self._hi = dt.date(last, 12, 31).toordinal()
        self._workdays = [o for o in range(self._lo, self._hi + 1) if self._is_workday(o)]

    # --- single days -------------------------------------------------------------------

    def day_info(self, d: dt.date) -> DayInfo:
        o = d.toordinal()
        date = dt.date.fromordinal(o)
        provisional = date.year not in self.data_years
        if o in self._local:
            return DayInfo(date, False, "local_rest", self._local[o], provisional)
        if o in self._holidays:
            return DayInfo(date, False, "holiday", self._holidays[o], provisional)
        if o in self._makeup:
            return DayInfo(date, True, "makeup_workday", None, provisional)
        if _weekday(o) >= 5:
            return DayInfo(date, False, "weekend", None, provisional)
        return DayInfo(date, True, "workday", None, provisional)

    def is_workday(self, d: dt.date) -> bool:
        return self._is_workday(d.toordinal())

    def _is_workday(self, o: int) -> bool:
        if o in self._local or o in self._holidays:
            return False
        return o in self._makeup or _weekday(o) < 5

    # --- counting ----------------------------------------------------------------------

    def add_workdays(self, d: dt.date, n: int) -> LegalDate:
        """The ``n``-th working day after ``d`` (``d`` itself not counted); ``n == 0`` gives ``d``."""
        if n < 0:
            raise ValueError(f"工作日数须为非负整数，现为 {n}")
        o = d.toordinal()
        if n == 0:
            return LegalDate(dt.date.fromordinal(o), False)
        end = self._nth_workday_after(o, n)
        return LegalDate(dt.date.fromordinal(end), self._provisional(o + 1, end))

    def _nth_workday_after(self, o: int, n: int) -> int:
        if self._lo - 1 <= o:
            i = bisect.bisect_right(self._workdays, o) + n - 1
            if i < len(self._workdays):
                return self._workdays[i]
        while n:  # outside the precomputed window: day by day
            o += 1
            n -= self._is_workday(o)
        return o

    def period_end(self, start: dt.date, days: int) -> LegalDate:
        """Last day of a period of ``days`` days from ``start`` (《民法典》第二百零一条、第二百零三条).

        The start day is not counted; a last day that is a rest day moves to the first working
        day after the rest.
        """
        if days < 0:
            raise ValueError(f"期间天数须为非负整数，现为 {days}")
        last = start.toordinal() + days
        end = last
        while not self._is_workday(end):
            end += 1
        if end == last:
            return LegalDate(dt.date.fromordinal(last), self._provisional(last, last))
        warning = (f"{_iso(last)} 为{self._rest_label(last)}，期间最后一日顺延至 {_iso(end)}"
                   f"（{_PERIOD_EXTENSION}）")
        return LegalDate(dt.date.fromordinal(end), self._provisional(last, end), (warning,))

    def latest_before(self, event_day: dt.date, days: int) -> LegalDate:
        """Latest date that is ``days`` days before ``event_day`` (“……日前”): no extension.

        A latest date on a rest day stays the answer; a warning proposes the previous working day.
        """
        if days < 0:
            raise ValueError(f"“日前”的天数须为非负整数，现为 {days}")
        latest = event_day.toordinal() - days
        if self._is_workday(latest):
            return LegalDate(dt.date.fromordinal(latest), self._provisional(latest, latest))
        proposed = latest - 1
        while not self._is_workday(proposed):
            proposed -= 1
        warning = (f"{_iso(latest)}（{event_day.isoformat()} 的 {days} 日前）为{self._rest_label(latest)}；"
                   f"向前计算的期限不因休假日顺延，建议提前至前一个工作日 {_iso(proposed)}")
        return LegalDate(dt.date.fromordinal(latest), self._provisional(proposed, latest), (warning,),
                         dt.date.fromordinal(proposed))

    def after(self, anchor: dt.date, days: int) -> LegalDate:
        """``anchor + days`` calendar days (a plan date); a rest day gets a warning and a proposal."""
        target = anchor.toordinal() + days
        if self._is_workday(target):
            return LegalDate(dt.date.fromordinal(target), self._provisional(target, target))
        proposed = target + 1
        while not self._is_workday(proposed):
            proposed += 1
        warning = f"计划日期 {_iso(target)} 为{self._rest_label(target)}，建议改至下一个工作日 {_iso(proposed)}"
        return LegalDate(dt.date.fromordinal(target), self._provisional(target, proposed), (warning,),
                         dt.date.fromordinal(proposed))

    def deadline_end(self, d: dt.date) -> pendulum.DateTime:
        """The moment day ``d`` ends: 24:00 Asia/Shanghai, i.e. the next day 00:00 (《民法典》第二百零三条)."""
        return pendulum.datetime(d.year, d.month, d.day, tz=TZ).add(days=1)

    # --- variants ----------------------------------------------------------------------

    def with_local_rest_days(self, days: Mapping[dt.date, str]) -> LegalCalendar:
        """A copy where each of ``days`` (e.g. a declared 选举日 holiday) is a rest day named by its label."""
        merged = {dt.date.fromordinal(o): label for o, label in self._local.items()}
        for day, label in days.items():
            if not isinstance(label, str) or not label.strip():
                raise ValueError(f"本地休息日 {day.isoformat()} 须注明名称（如“选举日”）")
            merged[dt.date.fromordinal(day.toordinal())] = label.strip()
        return LegalCalendar(self._data, merged)

    # --- helpers -----------------------------------------------------------------------

    def _provisional(self, first: int, last: int) -> bool:
        """Whether a year of ``first``..``last`` (ordinals, inclusive) has no official data."""
        y1, y2 = dt.date.fromordinal(first).year, dt.date.fromordinal(last).year
        return any(y not in self.data_years for y in range(y1, y2 + 1))

    def _rest_label(self, o: int) -> str:
        if o in self._local:
            return f"本地休息日（{self._local[o]}）"
        if o in self._holidays:
            return f"法定休假日（{self._holidays[o]}）"
        return f"法定休假日（{WEEKDAY_NAMES[_weekday(o)]}）"


def _weekday(o: int) -> int:
    """Monday 0 … Sunday 6 (ordinal 1, 0001-01-01, was a Monday)."""
    return (o + 6) % 7


def _iso(o: int) -> str:
    return dt.date.fromordinal(o).isoformat()


def _version(data: HolidayData, local: Mapping[int, str]) -> str:
    years = sorted(data.years)
    span = f"{years[0]}-{years[-1]}" if years == list(range(years[0], years[-1] + 1)) else ",".join(map(str, years))
    version = f"cn-holidays:{span}:{data.sha256[:12]}"
    if local:
        listing = "\n".join(f"{_iso(o)}={local[o]}" for o in sorted(local))
        version += f"+local:{len(local)}:{hashlib.sha256(listing.encode()).hexdigest()[:8]}"
    return version


def version_label(version: str) -> str:
    """A calendar version (``_version``) as a reader says it: 全国节假日 2020-2026 年（15abb0975d69）, plus the
    local rest days; a version in another form is shown as it is."""
    national, _, local = version.partition("+local:")
    parts = national.split(":")
    if len(parts) != 3 or parts[0] != "cn-holidays":
        return version
    label = f"全国节假日安排 {parts[1]} 年（{parts[2]}）"
    count, _, digest = local.partition(":")
    return label + (f"，本地休息日 {count} 天（{digest}）" if count.isdigit() else "")


def load_calendar(path: Path | None = None) -> LegalCalendar:
    """The calendar of ``path`` (default: the packaged data file, parsed once per process)."""
    if path is None:
        return _default_calendar()
    return LegalCalendar(read_data_file(Path(path)))


@functools.cache
def _default_calendar() -> LegalCalendar:
    return LegalCalendar(read_data_file(DEFAULT_DATA_FILE))
