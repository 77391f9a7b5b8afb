"""The long-lived worker picks up a decision made by another process and stops cleanly."""

import os
import signal
import subprocess
import sys
import time

from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import COUNTY, VillageDriver, add_staff, launch_all

NOW = "2026-07-20T10:00:00"


def test_worker_runs_woken_cases(ctx, clock, db_url, tmp_path):
    clock.set(NOW)
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    driver = VillageDriver(ctx, clock, campaign.code, "V001")
    env = {**os.environ, "HUANJIE_DATABASE_URL": db_url, "HUANJIE_NOW": NOW, "PREFECT_HOME": str(tmp_path / "pf")}
    log = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen([sys.executable, "-m", "huanjie", "worker", "--interval", "0.2", "--as", COUNTY], env=env,
                              stdout=log, stderr=log)
    try:
        for key in ("P1.1", "P1.3", "P2.1", "P2.2", "P2.3", "P3.1"):
            driver.record(key)

        def wait_for(step, status):
            deadline = time.monotonic() + 120
            while driver.states()[step].status != status:
                assert worker.poll() is None, (tmp_path / "worker.log").read_text()
                assert time.monotonic() < deadline, f"{step} never became {status}"
                time.sleep(0.1)

        wait_for("P2.3", "awaiting")
        assert driver.states()["P3.1"].status == "pending"
        driver.approve("P2.3")  # a decision from this process; the worker carries on
        wait_for("P3.1", "done")
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=60)
    assert code == 0, (tmp_path / "worker.log").read_text()[-3000:]
    assert "完成当前批次后退出" in (tmp_path / "worker.log").read_text()
