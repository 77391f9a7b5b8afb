"""record → approve as a user sees it: each answer says what happened and what moves the step next."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.fixtures.scenario import APPROVER, CLERK, RECORDER, VillageDriver, launched_county

NOW = "2026-07-20T10:00:00"


@pytest.fixture
def driver(ctx, clock):
    clock.set(NOW)
    campaign = launched_county(ctx)
    return VillageDriver(ctx, clock, campaign.code, "V001")


@pytest.fixture
def cli(db_url, tmp_path):
    def run(*args: str, code: int = 0) -> subprocess.CompletedProcess:
        env = {**os.environ, "HUANJIE_DATABASE_URL": db_url, "HUANJIE_NOW": NOW, "COLUMNS": "80",
               "PREFECT_HOME": str(tmp_path / "pf")}
        proc = subprocess.run([sys.executable, "-m", "huanjie", *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=180)
        assert proc.returncode == code, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
        return proc
    return run


def flat(text: str) -> str:
    return text.replace("\n", "")  # rich wraps at 80 columns


def test_record_then_approve_explains_itself(driver, cli, tmp_path):
    for key in ("P1.1", "P1.3", "P2.1", "P2.2"):
        driver.record(key)
    facts = driver.facts.for_step("P2.3", driver.clock.today(), None)
    (tmp_path / "p23.json").write_text(json.dumps(facts, ensure_ascii=False, default=str), encoding="utf-8")

    out = flat(cli("record", "P2.3", "--village", "V001", "--file", "p23.json", "--as", RECORDER).stdout)
    assert "已记录 V001 P2.3，检查通过" in out and "P2.3 现在：待办" in out
    assert "没有运行中的工作进程" in out and "huanjie run" in out and "huanjie worker" in out

    err = flat(cli("gate", "approve", "P2.3", "--village", "V001", "--as", APPROVER, code=2).stderr)
    assert "还不能审批" in err and "流程尚未运行" in err and "pending" not in err

    driver.run()
    out = flat(cli("gate", "approve", "P2.3", "--village", "V001", "--as", APPROVER).stdout)
    assert "已批准 V001 P2.3" in out and "P2.3 现在：已完成" in out
    assert "下一步 P3.1" in out and "待填报事实" in out and CLERK in out

    board = cli("status", "--as", CLERK, "--json").stdout
    assert {v["code"] for v in json.loads(board)["villages"]} == {"V001", "V002"}  # 城关镇 only
    err = flat(cli("plan", "--village", "V003", "--as", CLERK, code=2).stderr)
    assert "村 V003 不在其范围内" in err
    plan = flat(cli("plan", "--village", "V001", "--as", CLERK).stdout)
    assert "已完成" in plan and "待办" in plan and "awaiting" not in plan

    todo = flat(cli("todo", "--as", CLERK, "--village", "V001").stdout)
    assert "P3.1" in todo and "填报" in todo
    assert json.loads(cli("todo", "--as", CLERK, "--stage", "P3", "--json").stdout)[0]["step"] == "P3.1"


def test_plan_status_and_step_show_name_the_facts_still_to_record(driver, cli):
    from rich.cells import cell_len

    from huanjie.steps.catalogue import load_catalogue

    required = [f.label for f in load_catalogue().facts("P1.1").facts if f.required]
    need = "须填：" + "、".join(required)
    outputs = [cli("plan", "--village", "V001", "--as", CLERK).stdout,
               cli("status", "--village", "V001", "--as", CLERK).stdout,
               cli("step", "show", "P1.1", "--village", "V001").stdout]
    for out in outputs:
        assert need.replace("：", "") in "".join(flat(out).split()).replace("：", ""), out
        assert max(cell_len(line.rstrip()) for line in out.splitlines()) <= 80
