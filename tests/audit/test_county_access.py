"""Audit and read access stay inside the county; refused actions are audit events."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from huanjie.audit import export_archive, replay_village, verify, village_log
from huanjie.cli import common
from huanjie.cli.main import app
from huanjie.errors import InvalidInput, PermissionDenied
from huanjie.service.launch import launch
from huanjie.service.refusals import refusals
from huanjie.service.users import add_user
from huanjie.store.db import transaction
from tests.factories import make_campaign, make_villages


@pytest.fixture
def counties(ctx):
    a = make_campaign(ctx, county="甲县")
    make_villages(ctx, a, rows=(("A001", "东湖村", "城关镇"), ("A002", "南山村", "清溪镇")))
    b = make_campaign(ctx, county="乙县")
    make_villages(ctx, b, rows=(("B001", "西塘村", "城关镇"),))
    launch(ctx, campaign_code=a.code, everything=True)
    launch(ctx, campaign_code=b.code, everything=True)
    add_user(ctx, name="甲县办", role="county_office", scope_kind="county", scope=None, county="甲县")
    add_user(ctx, name="甲县审计", role="auditor", scope_kind="county", scope=None, actor_name="甲县办")
    add_user(ctx, name="甲审批", role="township_approver", scope_kind="township", scope="城关镇", county="甲县",
             actor_name="甲县办")
    return a, b


@pytest.mark.parametrize("who", ["甲县办", "甲县审计"])
def test_another_countys_audit_trail_is_refused(ctx, counties, who, tmp_path):
    a, b = counties
    for attempt in (lambda: verify(ctx, actor_name=who, campaign_code=b.code),
                    lambda: village_log(ctx, village_code="B001", actor_name=who),
                    lambda: replay_village(ctx, village_code="B001", actor_name=who),
                    lambda: export_archive(ctx, output=tmp_path / "b.zip", campaign_code=b.code, actor_name=who),
                    lambda: export_archive(ctx, output=tmp_path / "b.zip", village_code="B001", actor_name=who)):
        with pytest.raises(PermissionDenied, match="乙县"):
            attempt()
    assert not (tmp_path / "b.zip").exists()
    report = verify(ctx, actor_name=who)  # all it may see: its own county's chains
    assert b.code not in {c.chain for c in report.chains} and a.code in {c.chain for c in report.chains}
    assert village_log(ctx, village_code="A001", actor_name=who)


def test_a_county_office_needs_its_county(ctx):
    for county in ("甲县", "乙县"):
        make_campaign(ctx, county=county)
    with pytest.raises(InvalidInput, match="须指明所在县"):  # two counties in the store: which one?
        add_user(ctx, name="某办", role="county_office", scope_kind="county", scope=None)
    add_user(ctx, name="某办", role="county_office", scope_kind="county", scope=None, county="乙县")


def test_a_county_office_registered_without_a_county_acts_nowhere(ctx, counties, tmp_path):
    a, b = counties
    with transaction(ctx.engine) as s:  # as registered before counties were recorded (before 0005)
        s.execute(text("INSERT INTO app_user (name, role, scope_kind, active) "
                       "VALUES ('旧县办', 'county_office', 'county', true)"))
    for attempt in (lambda: launch(ctx, campaign_code=b.code, actor_name="旧县办", everything=True),
                    lambda: launch(ctx, campaign_code=a.code, actor_name="旧县办", everything=True),
                    lambda: export_archive(ctx, output=tmp_path / "x.zip", campaign_code=a.code, actor_name="旧县办"),
                    lambda: add_user(ctx, name="新人", role="village_clerk", scope_kind="village", scope="A001",
                                     actor_name="旧县办")):
        with pytest.raises(PermissionDenied):
            attempt()
    assert verify(ctx, actor_name="旧县办").chains == [] or all(
        c.chain in ("system", "access") for c in verify(ctx, actor_name="旧县办").chains)


@pytest.fixture
def cli(ctx, monkeypatch, tmp_path):
    monkeypatch.setattr(common, "_context", ctx)
    (tmp_path / "notify.yaml").write_text(f"outbox: {tmp_path / 'outbox'}\n", encoding="utf-8")
    monkeypatch.setenv("HUANJIE_NOTIFY_CONFIG", str(tmp_path / "notify.yaml"))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


UNNAMED = [("status",), ("plan", "--village", "A001"), ("docs", "render", "--village", "A001", "--doc", "D01",
                                                        "--output", "x.docx"),
           ("docs", "bundle", "--village", "A001", "--output", "x.zip"), ("chart", "--flow", "--output", "x.svg"),
           ("digest", "--send", "--campaign", "HJ2026-001"), ("reminders",), ("user", "list"), ("run",),
           ("worker", "--once"), ("scheduler",)]


@pytest.mark.parametrize("args", UNNAMED, ids=[" ".join(a[:2]) for a in UNNAMED])
def test_once_users_exist_every_command_names_its_user(ctx, counties, cli, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert result.exit_code == 2 and "--as" in result.output, result.output
    [refused] = refusals(ctx, actor_name="甲县审计")[:1]
    assert refused["actor"] == "（未指明用户）" and refused["action"].endswith(" ".join(
        a for a in args[:2] if not a.startswith("-")))


@pytest.mark.parametrize("args", [("run",), ("worker", "--once"), ("scheduler",), ("reminders",), ("user", "list"),
                                  ("digest", "--send", "--campaign", "HJ2026-001")],
                         ids=lambda a: " ".join(a[:2]))
def test_engine_and_county_commands_refuse_other_roles(ctx, counties, cli, args):
    result = cli(*args, "--as", "甲审批")
    assert result.exit_code == 2 and "不能" in result.output, result.output
    [refused] = refusals(ctx, actor_name="甲县办")[:1]
    assert refused["actor"] == "甲审批" and refused["role"] == "township_approver" and refused["reason"]


def test_read_commands_stay_in_the_users_scope(ctx, counties, cli):
    import json

    board = json.loads(cli("status", "--json", "--as", "甲审批").output)
    assert [v["code"] for v in board["villages"]] == ["A001"]  # 城关镇 of 甲县 only, not 乙县's 城关镇
    county = json.loads(cli("status", "--json", "--as", "甲县办").output)
    assert [v["code"] for v in county["villages"]] == ["A001", "A002"]
    for args in (("plan", "--village", "A002"), ("plan", "--village", "B001"), ("status", "--township", "清溪镇"),
                 ("status", "--campaign", "HJ2026-002")):
        result = cli(*args, "--as", "甲审批")
        assert result.exit_code == 2 and "不能" in result.output, (args, result.output)
    assert cli("plan", "--village", "A001", "--as", "甲审批").exit_code == 0
    assert cli("plan", "--village", "B001", "--as", "甲县办").exit_code == 2
    result = cli("audit", "refusals", "--as", "甲县审计")
    assert "甲审批" in result.output and "plan" in result.output
