"""时间表 and 流程图: generated from the catalogue and the cases."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from typer.testing import CliRunner

from huanjie.charts.service import as_format, campaign_timeline, flow_chart, village_timeline
from huanjie.cli import common
from huanjie.cli.main import app
from huanjie.steps.catalogue import load_catalogue
from tests.fixtures.scenario import COUNTY, VillageDriver, launched_county

RED = "#d32f2f"


@pytest.fixture
def campaign(ctx, clock):
    c = launched_county(ctx)
    driver = VillageDriver(ctx, clock, c.code, "V001")
    for spec in driver.timeline()[:3]:  # the first three steps done, one of them late
        driver.at(driver.states()[spec.key].due + dt.timedelta(days=2 if spec.key == "P1.1" else 0))
        driver.do_step(spec.key)
    return c


def _rows(svg: str) -> dict[str, str]:
    """Step key -> the colour of its label."""
    return {m.group(2): m.group(1) for m in re.finditer(r'fill="(#[0-9a-f]+)">(P\d\.\d|V\d\.\d) ', svg)}


def test_flow_chart_has_every_stage_step_and_gate():
    catalogue = load_catalogue()
    svg = flow_chart()
    assert "15 个阶段、47 个关键步骤" in svg
    for stage in catalogue.stages():
        assert f"{stage.key} {stage.name[:10]}" in svg
    for spec in catalogue.steps():
        assert f">{spec.key}</text>" in svg
    gated = [s for s in catalogue.steps() if s.gate]
    assert svg.count("审批：") == len(gated) and len(gated) > 5
    assert svg.count('stroke-dasharray="4,3"') == 1 + sum(1 for s in catalogue.steps() if s.condition)


def test_village_timeline_marks_overdue_done_late_and_today(ctx, campaign):
    today = dt.date(2026, 8, 20)
    svg = village_timeline(ctx, village_code="V001", today=today)
    rows = _rows(svg)
    assert len(rows) == 47
    assert f"今天 {today.isoformat()}" in svg
    overdue = [k for k, colour in rows.items() if colour == RED]
    assert "P1.1" in overdue  # done two days late
    assert "P2.2" in overdue and "V3.2" not in overdue  # P2.2 due 08-11 and open; V3.2 in September
    assert svg.count("<path") >= 3  # a done-date diamond per done step


def test_campaign_timeline_counts_villages(ctx, campaign):
    svg = campaign_timeline(ctx, campaign_code=campaign.code, today=dt.date(2026, 7, 20))
    assert "（3 个村）" in svg and "1/3 完成" in svg
    assert as_format(svg, ".png")[:4] == b"\x89PNG"


def test_chart_cli(ctx, campaign, tmp_path, monkeypatch):
    monkeypatch.setattr(common, "_context", ctx)
    runner = CliRunner()
    for args, name in ((["--village", "V001"], "v.svg"), (["--campaign", campaign.code], "c.png"),
                       (["--flow"], "f.svg")):
        result = runner.invoke(app, ["chart", *args, "--output", str(tmp_path / name), "--as", COUNTY])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "v.svg").read_text(encoding="utf-8").startswith("<svg")
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    result = runner.invoke(app, ["chart", "--output", str(tmp_path / "x.gif"), "--flow", "--as", COUNTY])
    assert result.exit_code == 2 and ".svg" in result.output
