"""huanjie audit …: the commands over the library, exit codes and --json."""

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from huanjie.cli import common
from huanjie.cli.main import app
from huanjie.store.db import transaction
from tests.audit.scenario import AUDITOR
from tests.fixtures.scenario import CLERK
from tests.fixtures.tamper import tamper


@pytest.fixture
def cli(story, monkeypatch):
    monkeypatch.setattr(common, "_context", story.ctx)
    runner = CliRunner()

    def run(*args, code=0):
        result = runner.invoke(app, ["audit", *args])
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_verify_then_tamper(cli, story):
    out = json.loads(cli("verify", "--as", AUDITOR, "--json"))
    assert out["intact"] and {c["chain"] for c in out["chains"]} == {story.campaign, "system"}
    assert "全部完整" in cli("verify", "--as", AUDITOR)
    tamper(story.ctx, f"UPDATE event SET actor = '某人' WHERE chain = '{story.campaign}' AND seq = 7")
    text_out = cli("verify", "--as", AUDITOR, "--campaign", story.campaign, code=1)
    assert "断裂" in text_out and "第 7 号事件" in text_out and "被改动" in text_out
    broken = json.loads(cli("verify", "--as", AUDITOR, "--json", code=1))["chains"][0]["broken"]
    assert (broken["seq"], broken["problem"]) == (7, "hash")


def test_replay_log_and_check(cli, story):
    [when] = [t for name, t, _ in story.moments if name == "P2.3 awaiting its gate"]
    at = when.strftime("%Y-%m-%d %H:%M")
    state = json.loads(cli("replay", "--village", "V001", "--as", AUDITOR, "--at", at, "--json"))
    assert state["cases"]["party"]["steps"]["P2.3"]["status"] == "awaiting"
    assert state["at"].startswith(when.strftime("%Y-%m-%dT%H:%M")) and state["at"].endswith("+08:00")
    assert "P2.3" in cli("replay", "--village", "V001", "--as", AUDITOR)
    assert "回放与存储状态一致" in cli("replay", "--village", "V001", "--check", "--as", AUDITOR)
    with transaction(story.ctx.engine) as s:
        s.execute(text("UPDATE step_state SET late = true WHERE step_key = 'V6.1' AND case_id IN (%s)"
                       % ",".join(map(str, story.case_ids))))
    diff = json.loads(cli("replay", "--village", "V001", "--check", "--as", AUDITOR, "--json", code=1))
    assert [d["message"] for d in diff["differences"]] == ["村委会换届 V6.1 逾期完成：回放为 False，存储为 True"]
    cli("replay", "--village", "V001", "--at", "昨天", "--as", AUDITOR, code=2)
    log = cli("log", "--village", "V001", "--as", AUDITOR, "--step", "P2.3")
    assert "驳回" in log and "操作人" in log
    entries = json.loads(cli("log", "--village", "V001", "--as", AUDITOR, "--person", CLERK, "--since", "2026-09-01",
                             "--json"))
    assert entries and {e["actor"] for e in entries} == {CLERK}
    denied = cli("log", "--village", "V001", "--as", CLERK, code=2)
    assert "不能查看审计记录" in denied


def test_keygen_export_and_verify_export(cli, tmp_path):
    cli("keygen", "--out", str(tmp_path / "k"))
    archive = tmp_path / "V001.zip"
    out = json.loads(cli("export", "--village", "V001", "--output", str(archive), "--key",
                         str(tmp_path / "k" / "audit_private.pem"), "--as", AUDITOR, "--json"))
    assert out["signed"] and out["events"] > 100
    ok = cli("verify-export", str(archive), "--public-key", str(tmp_path / "k" / "audit_public.pem"))
    assert "核验通过：村 V001" in ok
    cli("keygen", "--out", str(tmp_path / "k2"))
    bad = cli("verify-export", str(archive), "--public-key", str(tmp_path / "k2" / "audit_public.pem"), code=1)
    assert "签名无效" in bad
