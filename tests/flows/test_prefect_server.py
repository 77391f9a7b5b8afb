"""The same flows against a real Prefect server (PREFECT_API_URL), as in production."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import COUNTY, VillageDriver, add_staff, launch_all

NOW = "2026-07-20T10:00:00"


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_UI_ENABLED": "false"}
    log = open(home / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 300  # a busy two-core machine: Prefect's server may take minutes
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("Prefect server did not start: " + (home / "server.log").read_text()[-2000:])
        time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_flows_run_against_a_prefect_server(ctx, clock, db_url, prefect_server, tmp_path):
    clock.set(NOW)
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    driver = VillageDriver(ctx, clock, campaign.code, "V001")
    for key in ("P1.1", "P1.3", "P2.1", "P2.2", "P2.3"):
        driver.record(key)
    env = {**os.environ, "HUANJIE_DATABASE_URL": db_url, "HUANJIE_NOW": NOW, "PREFECT_API_URL": prefect_server,
           "PREFECT_HOME": str(tmp_path / "client")}
    proc = subprocess.run([sys.executable, "-m", "huanjie", "run", "--json", "--as", COUNTY], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    states = driver.states()
    assert [states[k].status for k in ("P1.1", "P1.3", "P2.1", "P2.2", "P2.3")] == \
        ["done", "done", "done", "done", "awaiting"]
    runs = httpx.post(f"{prefect_server}/flow_runs/filter", json={"limit": 50}, timeout=10).json()
    names = {r["name"].split(" · ")[0] for r in runs}
    assert {"P1", "P2"} <= names
    assert all(r["state_type"] == "COMPLETED" for r in runs)
    tasks = httpx.post(f"{prefect_server}/task_runs/filter", json={"limit": 200}, timeout=10).json()
    names = {t["name"] for t in tasks}
    # one step task per step and batch; the cases flow's first task claims, its last marks run
    assert {"P2.1 · 1 个村", "P2.3 · 1 个村"} <= names and any(n.startswith("claim") for n in names)
    assert any(n.startswith("finish") for n in names)
