"""Engine speed goals (issue 3), measured, not asserted in the test suite.

Run: ./dev bench  (or python -m pytest bench/bench_engine.py --benchmark-enable -s)

- launching villages: bench/bench_launch.py (SQLite and PostgreSQL, beside each's bulk insert rate);
- a gate decision to the next step done: p50 <= 300 ms in a warm long-lived process;
- commands that run no flow answer in <= 1 s (`plan`, `status`, `--help`).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from huanjie.clock import MovableClock
from huanjie.service.context import Context
from huanjie.service.village_csv import VillageRow
from huanjie.service.villages import save_villages
from huanjie.store.db import make_engine, upgrade
from tests.factories import make_campaign


def _county(tmp_path, n: int) -> tuple[Context, str]:
    engine = make_engine(f"sqlite:///{tmp_path / 'bench.db'}")
    upgrade(engine)
    ctx = Context(engine=engine, clock=MovableClock("2026-07-01T09:00:00"))
    campaign = make_campaign(ctx)
    rows = [VillageRow(i, f"B{i:05d}", f"村{i}", f"镇{i % 40}", 300, 6) for i in range(n)]
    save_villages(ctx, campaign_code=campaign.code, rows=rows)
    return ctx, campaign.code


def test_gate_decision_to_next_step(tmp_path):
    from tests.fixtures.scenario import APPROVER, VillageDriver, add_staff, launch_all

    ctx, code = _county(tmp_path, 240)
    add_staff(ctx, township="镇0")
    launch_all(ctx, code)
    from huanjie.flows.driver import run_cases

    run_cases(ctx, [1], prefect=True)  # warm the process (Prefect's API server starts here)
    timings = []
    for i in range(0, 240, 40):
        code_v = f"B{i:05d}"
        driver = VillageDriver(ctx, ctx.clock, code, code_v)
        for key in ("P1.1", "P1.3", "P2.1", "P2.2", "P2.3", "P3.1"):
            driver.record(key)
        driver.run()
        started = time.perf_counter()
        driver.approve("P2.3", who=APPROVER)
        run_cases(ctx, driver.case_ids, prefect=True)
        timings.append(time.perf_counter() - started)
        assert driver.states()["P3.1"].status == "done"
    print(f"\ngate decision -> next step done: p50 {statistics.median(timings) * 1000:.0f} ms over {len(timings)}")


def test_commands_without_flows(tmp_path):
    env = {**os.environ, "HUANJIE_DATA_DIR": str(tmp_path)}
    for args in (["--help"], ["calendar", "add-workdays", "2026-09-28", "5"]):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "huanjie", *args], env=env, check=True, capture_output=True)
        print(f"\nhuanjie {' '.join(args)}: {time.perf_counter() - started:.2f} s (goal <= 1 s)")
