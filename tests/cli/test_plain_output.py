"""Stored data is printed as plain text: never parsed as Rich markup, never driving the terminal."""

from __future__ import annotations

import pendulum
import pytest
from typer.testing import CliRunner

from huanjie.cli import common
from huanjie.cli.main import app
from huanjie.service.launch import launch
from huanjie.service.users import add_user
from huanjie.service.village_csv import VillageRow
from huanjie.service.villages import save_villages
from huanjie.store.db import transaction
from huanjie.store.reminder_models import Delivery, Notice
from tests.factories import make_campaign

MARKUP = "[/x]"
ESC = "\x1b]0;owned\x07\x1b[2J"


@pytest.fixture
def store(ctx, monkeypatch):
    campaign = make_campaign(ctx, name=f"换届{MARKUP}")
    # stored before names were checked at import: markup, an escape sequence, a line break
    save_villages(ctx, campaign_code=campaign.code, rows=[
        VillageRow(2, "V001", f"东湖{MARKUP}村", "城关镇", 320, 6),
        VillageRow(3, "V002", f"西塘{ESC}村", "城关\r\n镇", 300, 5)])
    launch(ctx, campaign_code=campaign.code, everything=True)
    add_user(ctx, name="县办", role="county_office", scope_kind="county", scope=None)
    add_user(ctx, name=MARKUP, role="village_clerk", scope_kind="village", scope="V001", actor_name="县办")
    add_user(ctx, name="审计", role="auditor", scope_kind="county", scope=None, actor_name="县办")
    monkeypatch.setattr(common, "_context", ctx)
    runner = CliRunner()
    return campaign, lambda *args: runner.invoke(app, list(args))


def _plain(result):
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "\x1b" not in result.output and "\x07" not in result.output
    return result.output


def test_user_and_campaign_lists(store):
    _, cli = store
    assert MARKUP in _plain(cli("user", "list", "--as", "县办"))
    assert f"换届{MARKUP}" in _plain(cli("campaign", "list"))


def test_gate_approve_by_a_user_named_like_markup(store):
    _, cli = store
    result = cli("gate", "approve", "P2.3", "--village", "V001", "--as", MARKUP)
    assert result.exit_code == 2 and MARKUP in _plain(result)


def test_audit_replay_and_log_of_villages_named_with_markup_and_escapes(store):
    _, cli = store
    assert f"东湖{MARKUP}村" in _plain(cli("audit", "replay", "--village", "V001", "--as", "审计"))
    out = _plain(cli("audit", "log", "--village", "V002", "--as", "审计"))
    assert "西塘" in out and "\ufffd" in out  # the escape shown as a replacement character


def test_status_with_a_webhook_reply_in_markup(store, ctx):
    campaign, cli = store
    now = pendulum.datetime(2026, 8, 1, tz="UTC")
    with transaction(ctx.engine) as s:
        notice = Notice(key="k", kind="digest", campaign_code=campaign.code, audience="county", subject=f"提醒{MARKUP}",
                        body_md="", brief_md="", sha256="0" * 64, created_at=now)
        s.add(notice)
        s.flush()
        s.add(Delivery(dedupe_key="d", notice_id=notice.id, campaign_code=campaign.code, channel="wecom",
                       address="https://qyapi.weixin.qq.com/x", status="retrying", attempts=2,
                       last_error="[/bold] \x1b[31mupstream", created_at=now))
    out = _plain(cli("status", "--as", "县办"))
    assert "[/bold]" in out and "西塘" in out
    assert _plain(cli("reminders", "--as", "县办")).count("[/bold]") == 1
