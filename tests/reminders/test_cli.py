"""huanjie digest / reminders, run in-process over the test store (the CLI is a thin layer)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from huanjie.cli import common
from huanjie.cli.main import app
from tests.fixtures.scenario import COUNTY


@pytest.fixture
def cli(ctx, clock, campaign, tmp_path, monkeypatch):
    (tmp_path / "notify.yaml").write_text(f"outbox: {tmp_path / 'outbox'}\ndigest: {{attach_pdf: false}}\n",
                                          encoding="utf-8")
    monkeypatch.setenv("HUANJIE_NOTIFY_CONFIG", str(tmp_path / "notify.yaml"))
    monkeypatch.setattr(common, "_context", ctx)
    clock.set("2026-08-03T09:00:00")
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(app, [*args, "--as", COUNTY])
        assert result.exit_code in (0, 2), result.output
        return result

    return run


def test_preview_send_once_and_what_is_due(cli, tmp_path):
    due = json.loads(cli("reminders", "--due", "--json").stdout)
    assert {d["audience"] for d in due["digests"]} == {"township:城关镇", "township:清溪镇", "county"}
    assert any(r["step"] == "P2.1" and r["stage"] == "before-3" for r in due["reminders"])

    preview = cli("digest", "--township", "城关镇", "--week", "2026-W32").stdout
    assert preview.startswith("# 城关镇换届每周重点工作提醒（2026年第32周")
    cli("digest", "--township", "城关镇", "--format", "pdf", "--output", str(tmp_path / "d.pdf"))
    assert (tmp_path / "d.pdf").read_bytes()[:5] == b"%PDF-"

    sent = json.loads(cli("digest", "--township", "城关镇", "--send", "--json").stdout)
    assert sent["sent"] and sent["deliveries"]["sent"] == 1
    again = json.loads(cli("digest", "--township", "城关镇", "--send", "--json").stdout)
    assert again == {"sent": False, "key": sent["key"], "reason": "该周提醒此前已发送，不重复发送"}
    due = json.loads(cli("reminders", "--due", "--json").stdout)
    assert {d["audience"] for d in due["digests"]} == {"township:清溪镇", "county"}
    assert json.loads(cli("reminders", "--json").stdout) == []


def test_errors_are_chinese_and_name_the_option(cli):
    result = cli("digest", "--week", "2026-39")
    assert result.exit_code == 2 and "2026-W39" in result.output
    result = cli("digest", "--format", "doc")
    assert result.exit_code == 2 and "--format" in result.output
