"""kill -9 of huanjie worker (or run) takes Prefect's ephemeral API server with it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import COUNTY, VillageDriver, add_staff, launch_all

NOW = "2026-07-10T09:00:00"


def _servers_of(pid: int) -> list[int]:
    """Processes running Prefect's API server for ``pid`` (through huanjie.parent_watch)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"huanjie.parent_watch" in cmd and str(pid).encode() in cmd and b"uvicorn" in cmd:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_worker_leaves_no_prefect_server(ctx, clock, db_url, tmp_path):
    clock.set(NOW)
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    VillageDriver(ctx, clock, campaign.code, "V001").record("P1.1")
    env = {**os.environ, "HUANJIE_DATABASE_URL": db_url, "HUANJIE_NOW": NOW, "PREFECT_HOME": str(tmp_path / "pf")}
    log = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen([sys.executable, "-m", "huanjie", "worker", "--interval", "0.5", "--as", COUNTY],
                              env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 240
        while not (servers := _servers_of(worker.pid)):
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker never started Prefect's server"
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in servers):
        assert time.monotonic() < deadline, f"Prefect's server {servers} outlived the killed worker"
        time.sleep(0.5)
