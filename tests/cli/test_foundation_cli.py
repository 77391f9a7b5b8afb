"""The foundation's commands, run as a user would (a real process, the embedded SQLite file)."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.usefixtures("cli_store")

def huanjie(tmp_path, *args, check=True, env=None):
    """``huanjie`` as a process on the test's store (the cli_store fixture)."""
    env = {**os.environ, "HUANJIE_DATA_DIR": str(tmp_path / "data"), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "huanjie", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(proc.stderr + proc.stdout)
    return proc


@pytest.fixture
def village(tmp_path):
    code = huanjie(tmp_path, "campaign", "create", "--name", "2026年换届", "--county", "示范县", "--profile", "national",
                   "--party-day", "2026-09-15", "--vc-day", "2026-10-12").stdout.strip()
    (tmp_path / "v.csv").write_text("村代码,村名,乡镇,户数,村民小组数\n330101001,东湖村,城关镇,320,6\n", encoding="utf-8")
    huanjie(tmp_path, "village", "import", "v.csv", "--campaign", code)
    return code


def test_plan_lists_47_steps_with_statutory_dates(tmp_path, village):
    rows = json.loads(huanjie(tmp_path, "plan", "--village", "330101001", "--json").stdout)
    by_step = {r["step"]: r for r in rows}
    assert len(rows) == 47
    assert {"step", "name", "due", "statutory", "provisional", "warnings"} <= set(rows[0])
    assert by_step["V3.2"]["due"] == "2026-09-22" and by_step["V3.2"]["statutory"]
    # objections filed within 5 days of 09-22: the 27th is a holiday, so the window ends 09-28;
    # an objection received on the 28th is decided within 3 days: 10-01..07 are holidays -> 10-08.
    assert by_step["V3.3"]["milestones"]["objection_window_end"]["due"] == "2026-09-28"
    assert by_step["V3.3"]["due"] == "2026-10-08"
    assert not any(r["provisional"] for r in rows)
    assert any("休假日" in w for w in by_step["V3.3"]["warnings"])


def test_plan_in_a_year_without_holiday_data_is_provisional(tmp_path):
    huanjie(tmp_path, "campaign", "create", "--name", "2027年换届", "--county", "示范县", "--profile", "BJ",
            "--party-day", "2027-09-15", "--vc-day", "2027-10-12")
    (tmp_path / "v.csv").write_text("code,name,township,households,groups\nB1,北村,城关镇,100,2\n", encoding="utf-8")
    huanjie(tmp_path, "village", "import", "v.csv", "--campaign", "HJ2027-001")
    rows = json.loads(huanjie(tmp_path, "plan", "--village", "B1", "--json").stdout)
    # 2027's schedule is not published: every computed date is provisional; the election days
    # themselves (P5.2/P5.3 on D_P, V6.1/V6.2 on D_V) are fixed by the county, not computed.
    fixed = {r["step"] for r in rows if not r["provisional"]}
    assert fixed == {"P5.2", "P5.3", "V6.1", "V6.2"}


def test_calendar_commands(tmp_path):
    out = json.loads(huanjie(tmp_path, "calendar", "add-workdays", "2026-09-28", "5", "--json").stdout)
    assert out == {"date": "2026-10-10", "provisional": False, "warnings": [], "proposed": None}
    out = json.loads(huanjie(tmp_path, "calendar", "add-workdays", "2027-09-28", "5", "--json").stdout)
    assert out["provisional"] is True
    out = json.loads(huanjie(tmp_path, "calendar", "period-end", "2026-09-22", "5", "--json").stdout)
    assert out["date"] == "2026-09-28"
    out = json.loads(huanjie(tmp_path, "calendar", "workday", "2026-10-10", "--json").stdout)
    assert out["workday"] and out["kind"] == "makeup_workday"


def test_bad_input_names_the_field_in_chinese_and_exits_2(tmp_path):
    proc = huanjie(tmp_path, "campaign", "create", "--name", "x", "--county", "示范县", "--profile", "XX",
                   "--party-day", "2026-10-15", "--vc-day", "2026-10-12", check=False)
    assert proc.returncode == 2
    assert "XX" in proc.stderr and "须晚于党组织选举日" in proc.stderr
    proc = huanjie(tmp_path, "campaign", "create", "--name", "x", "--county", "示范县", "--profile", "XX",
                   "--party-day", "2026-10-15", "--vc-day", "2026-10-12", "--json", check=False)
    body = json.loads(proc.stdout)
    assert proc.returncode == 2 and {p["field"] for p in body["problems"]} == {"profile", "vc_day"}


def test_import_reports_bad_rows_with_line_numbers(tmp_path, village):
    (tmp_path / "bad.csv").write_text("code,name,township,households,groups\nX1,甲村,城关镇,-3,2\n", encoding="utf-8")
    proc = huanjie(tmp_path, "village", "import", "bad.csv", "--campaign", village, check=False)
    assert proc.returncode == 2 and "第 2 行" in proc.stderr and "户数" in proc.stderr


def test_commands_without_flows_do_not_import_prefect():
    code = "import sys; from huanjie.cli.main import app; assert 'prefect' not in sys.modules, 'prefect imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
