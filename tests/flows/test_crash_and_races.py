"""Real processes: a flow run killed with SIGKILL, and two approvals of one gate at once."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlmodel import func, select

from huanjie.flows.driver import run_cases
from huanjie.store.db import make_engine, reading
from huanjie.store.events import event_hash
from huanjie.store.models import Event, GateDecision
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import APPROVER, COUNTY, VillageDriver, add_staff, launch_all

NOW = "2026-07-20T10:00:00"
FIRST_STEPS = ["P1.1", "P1.3", "P2.1", "P2.2", "V1.1", "V1.2"]  # no gate among them


def _env(db_url: str, home=None) -> dict:
    env = {**os.environ, "HUANJIE_DATABASE_URL": db_url, "HUANJIE_NOW": NOW}
    if home is not None:
        env["PREFECT_HOME"] = str(home)  # a Prefect of its own, not shared with other runs
    return env


def _count(ctx, kind: str) -> int:
    with reading(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(Event).where(Event.kind == kind)).one()


@pytest.fixture
def county(ctx, clock, tmp_path):
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
    return campaign, drivers


def test_a_killed_run_resumes_with_no_step_lost_or_doubled(ctx, db_url, county, tmp_path):
    campaign, drivers = county
    log = open(tmp_path / "run.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "huanjie", "run", "--json", "--as", COUNTY], env=_env(db_url, tmp_path / "prefect"),
                            stdout=log, stderr=log)
    deadline = time.monotonic() + 180
    while _count(ctx, "step.done") < 20:
        assert proc.poll() is None, (tmp_path / "run.log").read_text()
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the flow run did not start: " + (tmp_path / "run.log").read_text()[-3000:])
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # in the middle of a stage
    proc.wait()
    done_at_kill = _count(ctx, "step.done")
    assert done_at_kill < len(drivers) * len(FIRST_STEPS)
    # the next run (here in-process) continues where it stopped
    run_cases(ctx, [cid for d in drivers for cid in d.case_ids], prefect=False)
    with reading(ctx.engine) as s:
        done = s.exec(select(Event.village_code, Event.step_key).where(Event.kind == "step.done")).all()
        chain = s.exec(select(Event).where(Event.chain == campaign.code).order_by(Event.seq)).all()
    assert len(done) == len(set(done)) == len(drivers) * len(FIRST_STEPS)  # none lost, none doubled
    for d in drivers:
        assert all(d.states()[k].status == "done" for k in FIRST_STEPS)
    prev = "0" * 64
    for e in chain:  # the chain is whole after the crash
        assert e.prev_hash == prev and e.hash == event_hash(e.chain, e.seq, e, prev)
        prev = e.hash


def test_two_simultaneous_approvals_make_one_decision(ctx, db_url, clock, tmp_path):
    from huanjie.service.users import add_user

    clock.set(NOW)
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    add_user(ctx, name="乡镇审批丙", role="township_approver", scope_kind="township", scope="城关镇",
             actor_name=COUNTY)
    launch_all(ctx, campaign.code)
    driver = VillageDriver(ctx, clock, campaign.code, "V001")
    for key in ("P1.1", "P1.3", "P2.1", "P2.2", "P2.3"):
        driver.record(key)
    driver.run()
    assert driver.states()["P2.3"].status == "awaiting"
    procs = [subprocess.Popen([sys.executable, "-m", "huanjie", "gate", "approve", "P2.3", "--village", "V001",
                               "--as", who, "--json"], env=_env(db_url), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for who in (APPROVER, "乡镇审批丙")]
    codes = sorted(p.wait(timeout=120) for p in procs)
    assert codes == [0, 2], [p.stderr.read() for p in procs]
    with reading(ctx.engine) as s:
        assert s.exec(select(func.count()).select_from(GateDecision)).one() == 1
        assert s.exec(select(func.count()).select_from(Event).where(Event.kind == "gate.decided")).one() == 1
    assert driver.states()["P2.3"].status == "done"
