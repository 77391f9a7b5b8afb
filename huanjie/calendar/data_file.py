"""Read and validate the holiday data file (``data/holidays.yaml``), reporting every error at once.

The file lists, per year, the 国务院办公厅 notice it copies (title with document number, date),
the holidays (name and inclusive range) and the make-up workdays (调休上班日).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from huanjie.errors import DataFileError

DEFAULT_DATA_FILE = Path(__file__).parent / "data" / "holidays.yaml"
# A notice cited without its document number cannot be checked against the original.
DOC_NUMBER_RE = re.compile(r"国办发明电〔\d{4}〕\d+号")
YEAR_KEYS = {"source", "published", "amended_by", "holidays", "workdays"}
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


class CalendarDataError(DataFileError):
    """The holiday data file is unreadable or wrong; ``problems`` lists every error found."""


@dataclass(frozen=True)
class Notice:
    source: str          # exact title with document number
    published: dt.date


@dataclass(frozen=True)
class Holiday:
    name: str
    start: dt.date
    end: dt.date         # inclusive


@dataclass(frozen=True)
class YearData:
    year: int
    notice: Notice
    amended_by: tuple[Notice, ...]
    holidays: tuple[Holiday, ...]
    workdays: tuple[dt.date, ...]


@dataclass(frozen=True)
class HolidayData:
    years: dict[int, YearData]
    sha256: str          # of the file's bytes: identifies the data in force


def read_data_file(path: Path = DEFAULT_DATA_FILE) -> HolidayData:
    """Parse and validate ``path``; raise :class:`CalendarDataError` listing every problem."""
    try:
        content = Path(path).read_bytes()
        raw = yaml.safe_load(content)
    except (OSError, yaml.YAMLError) as exc:
        raise CalendarDataError(f"节假日数据文件 {Path(path).name} 无法读取", [str(exc)]) from exc
    problems: list[str] = []
    years = _read_years(raw, problems)
    if problems:
        raise CalendarDataError(f"节假日数据文件 {Path(path).name} 有 {len(problems)} 处错误", problems)
    return HolidayData(years, hashlib.sha256(content).hexdigest())


def _read_years(raw: Any, problems: list[str]) -> dict[int, YearData]:
    table = raw.get("years") if isinstance(raw, dict) else None
    if not isinstance(table, dict) or not table:
        problems.append("years：须为按年份列出的键值表，且至少有一个年份")
        return {}
    years: dict[int, YearData] = {}
    for key, entry in table.items():
        if not isinstance(key, int) or isinstance(key, bool) or not 1949 <= key <= 9999:
            problems.append(f"years：年份“{key}”须为四位整数")
            continue
        year = _read_year(key, entry, problems)
        if year is not None:
            years[key] = year
    return years


def _read_year(year: int, entry: Any, problems: list[str]) -> YearData | None:
    where = f"{year} 年"
    if not isinstance(entry, dict):
        problems.append(f"{where}：须为含 source、published、holidays、workdays 的键值表")
        return None
    before = len(problems)
    problems.extend(f"{where}：未知字段 {k}" for k in entry if k not in YEAR_KEYS)
    notice = _read_notice(entry, where, year, problems)
    amended = _read_amendments(entry.get("amended_by"), where, year, problems)
    holidays = _read_holidays(entry.get("holidays"), where, year, problems)
    workdays = _read_workdays(entry.get("workdays"), where, year, problems)
    rest_days = {h.start + dt.timedelta(days=i): h.name
                 for h in holidays for i in range((h.end - h.start).days + 1)}
    for day in workdays:
        if day in rest_days:
            problems.append(f"{where} workdays：{day} 同时列为节假日（{rest_days[day]}）与调休上班日")
    if len(problems) > before or notice is None:
        return None
    return YearData(year, notice, amended, holidays, workdays)


def _read_notice(entry: dict, where: str, year: int, problems: list[str]) -> Notice | None:
    source, published = entry.get("source"), entry.get("published")
    ok = True
    if not isinstance(source, str) or not DOC_NUMBER_RE.search(source):
        problems.append(f"{where} source：须写明通知标题与文号（如“……（国办发明电〔2025〕7号）”），现为“{source}”")
        ok = False
    day = _as_date(published)
    if day is None:
        problems.append(f"{where} published：须为通知的发布日期（YYYY-MM-DD），现为“{published}”")
        ok = False
    elif day.year > year:
        problems.append(f"{where} published：{day} 晚于该年度，不可能是本年度放假安排的发布日期")
        ok = False
    return Notice(source, day) if ok else None


def _read_amendments(raw: Any, where: str, year: int, problems: list[str]) -> tuple[Notice, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"{where} amended_by：须为通知列表（每项含 source 与 published）")
        return ()
    out = []
    for i, item in enumerate(raw, 1):
        notice = _read_notice(item if isinstance(item, dict) else {}, f"{where} amended_by 第 {i} 项", year, problems)
        if notice is not None:
            out.append(notice)
    return tuple(out)


def _read_holidays(raw: Any, where: str, year: int, problems: list[str]) -> tuple[Holiday, ...]:
    if not isinstance(raw, list):
        problems.append(f"{where} holidays：须为节假日列表（每项含 name、from、to）")
        return ()
    out: list[Holiday] = []
    for i, item in enumerate(raw, 1):
        item = item if isinstance(item, dict) else {}
        name = item.get("name")
        at = f"{where} holidays 第 {i} 项（{name}）"
        named = isinstance(name, str) and bool(name.strip())
        if not named:
            problems.append(f"{at} name：缺少节日名称")
        start = _in_year(item.get("from"), f"{at} from", year, problems)
        end = _in_year(item.get("to"), f"{at} to", year, problems)
        if start is None or end is None or not named:
            continue
        if start > end:
            problems.append(f"{at}：起始日 from {start} 晚于结束日 to {end}")
            continue
        for other in out:
            if start <= other.end and other.start <= end:
                problems.append(f"{at}：{start}～{end} 与“{other.name}”（{other.start}～{other.end}）重叠")
        out.append(Holiday(name.strip(), start, end))
    return tuple(out)


def _read_workdays(raw: Any, where: str, year: int, problems: list[str]) -> tuple[dt.date, ...]:
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        problems.append(f"{where} workdays：须为调休上班日的日期列表")
        return ()
    out: list[dt.date] = []
    for i, value in enumerate(raw, 1):
        day = _in_year(value, f"{where} workdays 第 {i} 项", year, problems)
        if day is None:
            continue
        if day in out:
            problems.append(f"{where} workdays 第 {i} 项：{day} 重复")
        elif day.weekday() < 5:
            problems.append(f"{where} workdays 第 {i} 项：{day} 是{WEEKDAY_NAMES[day.weekday()]}，调休上班日须为周六或周日")
        else:
            out.append(day)
    return tuple(out)


def _in_year(value: Any, at: str, year: int, problems: list[str]) -> dt.date | None:
    day = _as_date(value)
    if day is None:
        problems.append(f"{at}：须为日期（YYYY-MM-DD），现为“{value}”")
        return None
    if day.year != year:
        problems.append(f"{at}：{day} 不在 {year} 年内")
        return None
    return day


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None
