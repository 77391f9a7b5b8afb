"""Issue 9 item 8: one CSV/Excel row per village records the same step for all of them —
every row checked, all or nothing, each problem with its row."""

from __future__ import annotations

import openpyxl
import pytest
from sqlmodel import select

from huanjie.errors import InvalidInput
from huanjie.service.bulk import record_villages
from huanjie.store.db import reading
from huanjie.store.models import Event, StepState
from tests.fixtures.scenario import CLERK, launched_county


@pytest.fixture
def county(ctx, clock):
    campaign = launched_county(ctx)
    clock.set("2026-07-16T10:00:00")
    return campaign


def p11_states(ctx):
    with reading(ctx.engine) as s:
        return {st.case_id: st.facts for st in s.exec(select(StepState).where(StepState.step_key == "P1.1"))}


def test_every_row_checked_and_nothing_written_when_one_is_wrong(ctx, county, tmp_path):
    path = tmp_path / "p11.csv"
    path.write_text("村代码,风险等级,研判意见,研判日期\nV001,green,稳定,2026-07-15\nV002,紫色,,2026/7/16\n"
                    "V009,red,,2026-07-15\n", encoding="utf-8")
    with reading(ctx.engine) as s:
        events_before = len(s.exec(select(Event)).all())
    with pytest.raises(InvalidInput) as err:
        record_villages(ctx, actor_name=CLERK, step_key="P1.1", path=path)
    lines = sorted({p.line for p in err.value.problems})
    assert lines == [3, 4]  # row 2 was fine; rows 3 and 4 each named
    text = str(err.value)
    assert "村 V002" in text and "紫色" in text and "V009" in text
    assert all(f is None for f in p11_states(ctx).values())
    with reading(ctx.engine) as s:
        assert len(s.exec(select(Event)).all()) == events_before


def test_an_excel_file_records_every_village(ctx, county, tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["村代码", "风险等级", "研判日期"])
    for code, level in (("V001", "green"), ("V002", "黄（需关注）")):
        ws.append([code, level, "2026年7月15日"])
    path = tmp_path / "p11.xlsx"
    book.save(path)
    results = record_villages(ctx, actor_name=CLERK, step_key="P1.1", path=path)
    assert [r.village for r in results] == ["V001", "V002"]
    levels = sorted(f["risk_level"] for f in p11_states(ctx).values() if f)
    assert levels == ["green", "yellow"]


def test_a_village_outside_the_clerks_scope_is_one_line(ctx, county, tmp_path):
    path = tmp_path / "p11.csv"
    path.write_text("村代码,风险等级\nV001,green\nV003,red\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        record_villages(ctx, actor_name=CLERK, step_key="P1.1", path=path)
    [problem] = err.value.problems
    assert problem.line == 3 and problem.message.startswith("村 V003：村 V003 不在 村文书 的负责范围内")
    assert all(f is None for f in p11_states(ctx).values())  # V001 not written either


def test_unknown_headers_are_refused_before_anything(ctx, county, tmp_path):
    path = tmp_path / "p11.csv"
    path.write_text("村代码,颜色\nV001,green\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="表头“颜色”不是步骤 P1.1 的单项事实"):
        record_villages(ctx, actor_name=CLERK, step_key="P1.1", path=path)
