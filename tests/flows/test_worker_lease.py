"""Real worker processes: one killed with SIGKILL mid-batch; the other takes its cases up only
once the dead worker's lease has expired, and every step is done exactly once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

from sqlmodel import col, func, select

from huanjie.store.db import reading
from huanjie.store.models import Case, Event
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import COUNTY, VillageDriver, add_staff, launch_all

NOW = "2026-07-20T10:00:00"
FIRST_STEPS = ["P1.1", "P1.3", "P2.1", "P2.2", "V1.1", "V1.2"]  # no gate among them
LEASE = 60  # long enough that the second worker is up and polling well before it expires


def _done(ctx) -> int:
    with reading(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(Event).where(Event.kind == "step.done")).one()


def _worker(db_url, tmp_path, name):
    env = {**os.environ, "HUANJIE_DATABASE_URL": db_url, "HUANJIE_NOW": NOW, "HUANJIE_LEASE_SECONDS": str(LEASE),
           "PREFECT_HOME": str(tmp_path / f"prefect-{name}")}
    log = open(tmp_path / f"{name}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "huanjie", "worker", "--interval", "0.2", "--as", COUNTY],
                            env=env, stdout=log, stderr=log)
    return proc, tmp_path / f"{name}.log"


def test_a_killed_workers_cases_wait_for_its_lease_then_run_once(ctx, clock, db_url, tmp_path):
    clock.set(NOW)
    campaign = make_campaign(ctx)
    rows = [(f"K{i:03d}", f"第{i}村", "城关镇") for i in range(40)]
    make_villages(ctx, campaign, rows)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    drivers = [VillageDriver(ctx, clock, campaign.code, code) for code, _, _ in rows]
    for d in drivers:
        for key in FIRST_STEPS:
            d.record(key)
    total = len(drivers) * len(FIRST_STEPS)

    first, first_log = _worker(db_url, tmp_path, "first")
    deadline = time.monotonic() + 240
    while _done(ctx) < 10:
        assert first.poll() is None, first_log.read_text()
        if time.monotonic() > deadline:
            first.kill()
            raise AssertionError("the worker did not start: " + first_log.read_text()[-3000:])
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)  # in the middle of its batch: its leases stay behind
    first.wait()
    done_at_kill = _done(ctx)
    assert done_at_kill < total
    with reading(ctx.engine) as s:
        leased = s.exec(select(Case).where(col(Case.wake) > col(Case.ran))).all()
    assert leased and all(f":{first.pid}:" in (c.lease_owner or "") for c in leased)  # the killed worker holds them
    expires = max(c.lease_until for c in leased)
    assert expires > dt.datetime.now(dt.timezone.utc)  # the killed worker's claim still holds

    dead_owner = {c.lease_owner for c in leased}
    ids = [c.id for c in leased]
    second, second_log = _worker(db_url, tmp_path, "second")
    try:
        deadline = time.monotonic() + 300
        ready_at = None
        while True:  # watch who holds the dead worker's cases until someone else does
            assert second.poll() is None, second_log.read_text()
            assert time.monotonic() < deadline, second_log.read_text()[-3000:]
            if ready_at is None and "工作进程已" in second_log.read_text():  # started (main) / ready (i9-state)
                ready_at = dt.datetime.now(dt.timezone.utc)
            with reading(ctx.engine) as s:
                owners = set(s.exec(select(Case.lease_owner).where(col(Case.id).in_(ids))).all())
            if owners != dead_owner:
                break
            time.sleep(0.05)
        taken_at = dt.datetime.now(dt.timezone.utc)
        # the second worker was polling while the lease held, and took nothing until it expired
        assert ready_at is not None and ready_at < expires - dt.timedelta(seconds=5), (ready_at, expires)
        assert taken_at >= expires - dt.timedelta(seconds=1), (taken_at, expires)
        while _done(ctx) < total:
            assert second.poll() is None, second_log.read_text()
            assert time.monotonic() < deadline, second_log.read_text()[-3000:]
            time.sleep(0.1)
        with reading(ctx.engine) as s:
            done = s.exec(select(Event.village_code, Event.step_key).where(Event.kind == "step.done")).all()
            woken = s.exec(select(func.count()).select_from(Case).where(col(Case.wake) > col(Case.ran))).one()
            stale = s.exec(select(func.count()).select_from(Case).where(col(Case.lease_owner).is_not(None))).one()
        assert len(done) == len(set(done)) == total  # none lost, none doubled
        deadline = time.monotonic() + 60
        while woken or stale:  # the batch is marked run and its leases released right after
            assert time.monotonic() < deadline, (woken, stale)
            time.sleep(0.2)
            with reading(ctx.engine) as s:
                woken = s.exec(select(func.count()).select_from(Case).where(col(Case.wake) > col(Case.ran))).one()
                stale = s.exec(select(func.count()).select_from(Case)
                               .where(col(Case.lease_owner).is_not(None))).one()
    finally:
        second.send_signal(signal.SIGTERM)
        code = second.wait(timeout=120)
    assert code == 0, second_log.read_text()[-3000:]
