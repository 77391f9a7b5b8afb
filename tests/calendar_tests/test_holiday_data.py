"""The packaged holiday data: cross-checked against chinesecalendar, and validated when it loads."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import chinese_calendar
import pytest

from huanjie.calendar import CalendarDataError, load_calendar
from huanjie.calendar.data_file import DEFAULT_DATA_FILE, read_data_file

PACKAGE = Path(__file__).resolve().parents[2] / "huanjie"

# Document numbers as checked against the published notices (see the report / commit message).
NOTICE_NUMBERS = {
    2020: "国办发明电〔2019〕16号",
    2021: "国办发明电〔2020〕27号",
    2022: "国办发明电〔2021〕11号",
    2023: "国办发明电〔2022〕16号",
    2024: "国办发明电〔2023〕7号",
    2025: "国办发明电〔2024〕12号",
    2026: "国办发明电〔2025〕7号",
}


def test_every_day_2020_to_2026_agrees_with_chinesecalendar():
    calendar = load_calendar()
    mismatches = []
    day = dt.date(2020, 1, 1)
    while day <= dt.date(2026, 12, 31):
        ours = calendar.is_workday(day)
        if ours != chinese_calendar.is_workday(day) or (not ours) != chinese_calendar.is_holiday(day):
            mismatches.append(f"{day}: ours workday={ours}, chinesecalendar workday={chinese_calendar.is_workday(day)}")
        day += dt.timedelta(days=1)
    assert mismatches == [], "\n".join(mismatches)


def test_every_year_2020_to_2026_cites_its_notice():
    data = read_data_file()
    assert sorted(data.years) == list(range(2020, 2027))
    for year, entry in data.years.items():
        assert entry.notice.source == f"国务院办公厅关于{year}年部分节假日安排的通知（{NOTICE_NUMBERS[year]}）"
        assert entry.notice.published.year == year - 1
    amendment, = data.years[2020].amended_by
    assert amendment.source == "国务院办公厅关于延长2020年春节假期的通知（国办发明电〔2020〕1号）"
    assert amendment.published == dt.date(2020, 1, 26)


def test_version_names_the_years_and_the_file_hash(tmp_path):
    calendar = load_calendar()
    assert re.fullmatch(r"cn-holidays:2020-2026:[0-9a-f]{12}", calendar.version)
    assert calendar.data_years == frozenset(range(2020, 2027))
    changed = tmp_path / "holidays.yaml"
    changed.write_text(DEFAULT_DATA_FILE.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert load_calendar(changed).version != calendar.version


def test_default_calendar_is_parsed_once():
    assert load_calendar() is load_calendar()


def test_huanjie_code_does_not_import_chinesecalendar():
    offenders = [str(p) for p in PACKAGE.rglob("*.py") if "chinese_calendar" in p.read_text(encoding="utf-8")]
    assert offenders == []


GOOD_YEAR = """\
  2026:
    source: "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"
    published: 2025-11-04
    holidays:
      - {name: 国庆节, from: 2026-10-01, to: 2026-10-07}
    workdays: [2026-09-20, 2026-10-10]
"""


def _write(tmp_path: Path, years: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text("years:\n" + years, encoding="utf-8")
    return path


def test_a_minimal_good_file_loads(tmp_path):
    calendar = load_calendar(_write(tmp_path, GOOD_YEAR))
    assert calendar.data_years == frozenset({2026})
    assert calendar.day_info(dt.date(2026, 10, 10)).kind == "makeup_workday"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("from: 2026-10-01", "from: 2025-12-31", ["2026 年 holidays 第 1 项（国庆节） from", "不在 2026 年内"]),
        ("to: 2026-10-07", "to: 2026-09-30", ["2026 年 holidays 第 1 项（国庆节）", "晚于结束日"]),
        ("to: 2026-10-07", "to: 十月七日", ["2026 年 holidays 第 1 项（国庆节） to", "须为日期"]),
        ("2026-09-20,", "2026-10-08,", ["2026 年 workdays 第 1 项", "星期四", "周六或周日"]),
        ("2026-09-20,", "2026-10-03,", ["2026 年 workdays", "同时列为节假日（国庆节）与调休上班日"]),
        ("2026-09-20,", "2027-01-02,", ["2026 年 workdays 第 1 项", "不在 2026 年内"]),
        ("（国办发明电〔2025〕7号）", "", ["2026 年 source", "文号"]),
        ("published: 2025-11-04", "published: 2027-01-05", ["2026 年 published", "晚于该年度"]),
        ("published: 2025-11-04", "published: soon", ["2026 年 published"]),
        ("name: 国庆节, ", "", ["2026 年 holidays 第 1 项", "name", "缺少节日名称"]),
        ("    workdays:", "    workday:", ["2026 年", "未知字段 workday"]),
        ("    holidays:\n", "    holidays: {}\n    extra:\n", ["2026 年 holidays", "列表"]),
    ],
)
def test_bad_data_is_refused_naming_year_and_field(tmp_path, old, new, expected):
    assert old in GOOD_YEAR
    with pytest.raises(CalendarDataError) as caught:
        load_calendar(_write(tmp_path, GOOD_YEAR.replace(old, new, 1)))
    text = str(caught.value)
    for fragment in expected:
        assert fragment in text


def test_overlapping_holidays_are_refused(tmp_path):
    years = GOOD_YEAR.replace(
        "      - {name: 国庆节", "      - {name: 中秋节, from: 2026-09-25, to: 2026-10-01}\n      - {name: 国庆节"
    )
    with pytest.raises(CalendarDataError, match="2026 年 holidays 第 2 项（国庆节）.*重叠"):
        load_calendar(_write(tmp_path, years))


def test_every_error_of_every_year_is_reported_at_once(tmp_path):
    bad_2026 = GOOD_YEAR.replace("2026-09-20,", "2026-10-08,")
    bad_2027 = GOOD_YEAR.replace("2026", "2027").replace("2025", "2026").replace("to: 2027-10-07", "to: 2027-09-30")
    with pytest.raises(CalendarDataError) as caught:
        load_calendar(_write(tmp_path, bad_2026 + bad_2027))
    problems = caught.value.problems
    assert len(problems) == 3
    assert "2026 年 workdays 第 1 项：2026-10-08 是星期四" in problems[0]
    assert "2027 年 holidays 第 1 项（国庆节）：起始日" in problems[1]
    assert "2027 年 workdays 第 1 项：2027-09-20 是星期一" in problems[2]  # 2027-09-20 is a Monday
    assert "3 处错误" in caught.value.message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("years: {}\n", "至少有一个年份"),
        ("other: 1\n", "years"),
        ("years:\n  twenty: {}\n", "年份“twenty”"),
        ("years: [unclosed\n", "无法读取"),
    ],
)
def test_malformed_files_are_refused(tmp_path, content, fragment):
    path = tmp_path / "holidays.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CalendarDataError, match=re.escape(fragment)):
        load_calendar(path)


def test_a_missing_file_is_a_calendar_data_error(tmp_path):
    with pytest.raises(CalendarDataError, match="无法读取"):
        load_calendar(tmp_path / "absent.yaml")


def test_calendar_data_error_is_a_value_error(tmp_path):
    shutil.copy(DEFAULT_DATA_FILE, tmp_path / "ok.yaml")
    assert issubclass(CalendarDataError, ValueError)
    assert load_calendar(tmp_path / "ok.yaml").version == load_calendar().version


def test_a_calendar_version_reads_as_words():
    from huanjie.calendar.legal import version_label

    assert version_label("cn-holidays:2020-2026:15abb0975d69") == "全国节假日安排 2020-2026 年（15abb0975d69）"
    assert version_label("cn-holidays:2020-2026:15abb0975d69+local:3:0a1b2c3d") == (
        "全国节假日安排 2020-2026 年（15abb0975d69），本地休息日 3 天（0a1b2c3d）")
    assert version_label("k1") == "k1"  # not ours: shown as it is
