"""The engine's commands as staff use them: users, launch, record, gate, run, status."""

import json

from tests.cli.test_foundation_cli import huanjie


def test_staff_work_through_the_cli(tmp_path, cli_store):
    h = lambda *a, **k: huanjie(tmp_path, *a, **k)  # noqa: E731
    code = h("campaign", "create", "--name", "换届", "--county", "示范县", "--profile", "ZJ", "--party-day",
             "2026-09-15", "--vc-day", "2026-10-12").stdout.strip()
    (tmp_path / "v.csv").write_text("code,name,township,households,groups\nV1,东湖村,城关镇,300,5\n", encoding="utf-8")
    h("village", "import", "v.csv", "--campaign", code)
    h("user", "add", "县办", "--role", "county_office")
    proc = h("user", "add", "冒名", "--role", "county_office", check=False)
    assert proc.returncode == 2 and "--as" in proc.stderr  # only the county office registers users now
    h("user", "add", "文书", "--role", "village_clerk", "--scope", "V1", "--as", "县办")  # a village code
    proc = h("user", "add", "某人", "--role", "village_clerk", "--scope", "不存在镇", "--as", "县办", check=False)
    assert proc.returncode == 2 and "既不是已导入的村代码" in proc.stderr
    proc = h("user", "add", "某人", "--role", "village_clerk", "--scope", "V1", "--as", "文书", check=False)
    assert proc.returncode == 2 and "县换届办" in proc.stderr
    h("user", "add", "周敏", "--role", "township_approver", "--scope", "城关镇", "--as", "县办")
    h("user", "add", "王强", "--role", "township_approver", "--scope", "城关镇", "--as", "县办")
    # once users exist, every change names its actor
    proc = h("launch", "--campaign", code, "--all", check=False)
    assert proc.returncode == 2 and "--as" in proc.stderr
    assert json.loads(h("launch", "--campaign", code, "--all", "--as", "县办", "--json").stdout)["launched"] == ["V1"]
    assert json.loads(h("launch", "--campaign", code, "--all", "--as", "县办", "--json").stdout)["launched"] == []

    (tmp_path / "p11.yaml").write_text("date: 2026-07-15\nrisk_level: purple\n", encoding="utf-8")
    env_now = {"HUANJIE_NOW": "2026-07-16T09:00:00"}
    proc = h("record", "P1.1", "--village", "V1", "--file", "p11.yaml", "--as", "文书", "--json", check=False,
             env=env_now)
    assert proc.returncode == 2  # refused at once, naming the field and the allowed values
    problem = json.loads(proc.stdout)["problems"][0]
    assert problem["field"] == "risk_level" and "purple" in problem["message"] and "green" in problem["message"]
    out = json.loads(huanjie_env(tmp_path, env_now, "record", "P1.1", "--village", "V1", "--set", "risk_level=green",
                                 "--as", "文书", "--json"))
    assert out["status"] == "pending" and out["failures"] == []
    proc = h("record", "P2.3", "--village", "V1", "--set", "approved_items=x", "--as", "文书", check=False)
    assert proc.returncode == 2 and "不能填报" in proc.stderr  # a township step

    status = json.loads(h("status", "--json", "--as", "县办").stdout)
    [village] = status["villages"]
    assert {"code", "name", "township", "state", "stage", "risk", "waiting_for", "overdue"} <= set(village)
    assert village["code"] == "V1" and village["state"] in ("running", "overdue")

    gates = json.loads(h("gate", "list", "--as", "王强", "--json").stdout)
    assert gates == []


def huanjie_env(tmp_path, extra, *args):
    import os
    import subprocess
    import sys

    env = {**os.environ, "HUANJIE_DATA_DIR": str(tmp_path / "data"), **extra}
    proc = subprocess.run([sys.executable, "-m", "huanjie", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
