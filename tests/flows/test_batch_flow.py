"""``cases_flow``, the one flow a deployment runs: it claims its cases first and releases them
last, one broken case does not stop the batch, each case is advanced once per step, and a
process killed mid-batch leaves its lease to expire."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from sqlmodel import func, select

from huanjie.clock import MovableClock
from huanjie.flows import runtime, walk
from huanjie.service.claims import claim_cases, release, woken_cases
from huanjie.store.db import reading
from huanjie.store.models import Case, Event
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import VillageDriver, add_staff, launch_all

NOW = "2026-07-20T10:00:00"
FIRST_STEPS = ["P1.1", "P1.3", "P2.1", "P2.2", "V1.1", "V1.2"]  # no gate among them


def _county(ctx, clock, n: int):
    clock.set(NOW)
    ctx.wall = MovableClock(NOW)  # leases expire only when a test moves this clock
    campaign = make_campaign(ctx)
    rows = [(f"K{i:03d}", f"第{i}村", "城关镇") for i in range(n)]
    make_villages(ctx, campaign, rows)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    drivers = [VillageDriver(ctx, clock, campaign.code, code) for code, _, _ in rows]
    for d in drivers:
        for key in FIRST_STEPS:
            d.record(key)
    return drivers


def _cases(ctx, ids) -> dict[int, Case]:
    with reading(ctx.engine) as s:
        return {c.id: c for c in s.exec(select(Case).where(Case.id.in_(ids))).all()}


def _done_events(ctx) -> list[tuple[str, str]]:
    with reading(ctx.engine) as s:
        return list(s.exec(select(Event.village_code, Event.step_key).where(Event.kind == "step.done")).all())


def _run_flow(ctx, ids, owner):
    from huanjie.flows.batch import cases_flow

    with runtime.using(ctx):
        return asyncio.run(cases_flow(ids, owner))


def test_cases_flow_claims_first_runs_each_step_once_per_batch_and_releases_last(ctx, clock, monkeypatch):
    drivers = _county(ctx, clock, 6)
    ids = [c for d in drivers for c in d.case_ids]
    held = claim_cases(ctx, [ids[0]], owner="another-worker")  # another owner's case is skipped
    assert [c.case_id for c in held] == [ids[0]]
    calls, leases = [], []
    real = walk.advance_step

    def spying(c, case_id, step_key):
        leases.append(_cases(c, [case_id])[case_id].lease_owner)  # held by this run while it runs
        calls.append((case_id, step_key))
        return real(c, case_id, step_key)

    monkeypatch.setattr(walk, "advance_step", spying)
    result = _run_flow(ctx, ids, "this-run")

    assert result.claimed == ids[1:]
    assert set(leases) == {"this-run"} and ids[0] not in {c for c, _ in calls}
    assert len(calls) == len(set(calls))  # each case advanced once per step
    cases = _cases(ctx, ids)
    assert all((cases[c].lease_owner, cases[c].ran) == (None, cases[c].wake) for c in ids[1:])  # marked, released
    assert cases[ids[0]].lease_owner == "another-worker" and cases[ids[0]].ran < cases[ids[0]].wake
    done = _done_events(ctx)
    skipped = [k for k, state in drivers[0].states().items() if state.case_id == ids[0] and k in FIRST_STEPS]
    assert skipped and len(done) == len(set(done)) == len(drivers) * len(FIRST_STEPS) - len(skipped)
    assert {k for k, ks in result.advanced.items() for _ in ks} == set(ids[1:])
    release(ctx, held, owner="another-worker")
    assert _run_flow(ctx, ids, "this-run").claimed == [ids[0]]  # the rest were marked run: not woken


def test_one_broken_case_does_not_stop_the_batch(ctx, clock, monkeypatch):
    drivers = _county(ctx, clock, 4)
    broken = drivers[1].case_ids
    real = walk.advance_step

    def failing(c, case_id, step_key):
        if case_id in broken and step_key in ("P1.3", "V1.2"):
            raise RuntimeError("the store refused this case's step")
        return real(c, case_id, step_key)

    monkeypatch.setattr(walk, "advance_step", failing)
    ids = [c for d in drivers for c in d.case_ids]
    result = _run_flow(ctx, ids, "this-run")

    for d in drivers:
        states = d.states()
        if d is drivers[1]:
            assert [k for k in FIRST_STEPS if states[k].status == "done"] == ["P1.1", "V1.1"]  # stopped there
        else:
            assert all(states[k].status == "done" for k in FIRST_STEPS)
    assert woken_cases(ctx) == [] and result.claimed == ids  # the batch finished and was marked run


def test_a_failed_flow_releases_its_cases_unrun(ctx, clock, monkeypatch):
    from huanjie.store.faults import StoreFault

    drivers = _county(ctx, clock, 2)
    ids = [c for d in drivers for c in d.case_ids]

    def full_disk(c, case_id, step_key):
        raise StoreFault("磁盘已满")

    monkeypatch.setattr(walk, "advance_step", full_disk)
    with pytest.raises(Exception):
        _run_flow(ctx, ids, "this-run")
    cases = _cases(ctx, ids)
    assert all(cases[c].lease_owner is None and cases[c].ran < cases[c].wake for c in ids)
    assert [c for c, _ in woken_cases(ctx)] == ids


def test_a_process_killed_mid_batch_leaves_its_lease_to_expire(ctx, clock, db_url, tmp_path):
    drivers = _county(ctx, clock, 40)
    ids = [c for d in drivers for c in d.case_ids]
    script = textwrap.dedent(f"""
        import asyncio
        from huanjie.flows import runtime
        from huanjie.flows.batch import cases_flow
        from huanjie.service.context import build_context
        ctx = build_context()
        with runtime.using(ctx):
            asyncio.run(cases_flow({ids!r}, "doomed"))
    """)
    env = {**os.environ, "HUANJIE_DATABASE_URL": db_url, "HUANJIE_NOW": NOW, "HUANJIE_LEASE_SECONDS": "600",
           "PREFECT_HOME": str(tmp_path / "prefect")}
    log = open(tmp_path / "flow.log", "w")
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 240
    while len(_done_events(ctx)) < 20:
        assert proc.poll() is None, (tmp_path / "flow.log").read_text()[-3000:]
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the flow did not start: " + (tmp_path / "flow.log").read_text()[-3000:])
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # mid-batch: no last task
    proc.wait()
    assert len(_done_events(ctx)) < len(drivers) * len(FIRST_STEPS)
    cases = _cases(ctx, ids)
    assert {c.lease_owner for c in cases.values()} == {"doomed"}
    assert claim_cases(ctx, ids, owner="next") == []  # still leased
    ctx.wall = MovableClock((dt.datetime.now(dt.UTC) + dt.timedelta(seconds=601)).isoformat())  # the child's wall
    assert _run_flow(ctx, ids, "next").claimed == ids  # expired: taken up, and finished
    done = _done_events(ctx)
    assert len(done) == len(set(done)) == len(drivers) * len(FIRST_STEPS)  # none lost, none doubled
    assert woken_cases(ctx) == []


def test_the_plain_walk_and_the_flow_agree(ctx, clock):
    """run_woken without Prefect takes the same steps through the same batch sequence."""
    from huanjie.flows.driver import run_woken

    drivers = _county(ctx, clock, 3)
    assert run_woken(ctx, prefect=False, owner="plain") == 6
    for d in drivers:
        assert all(d.states()[k].status == "done" for k in FIRST_STEPS)
    with reading(ctx.engine) as s:
        assert s.exec(select(func.count()).select_from(Case).where(Case.lease_owner.is_not(None))).one() == 0
