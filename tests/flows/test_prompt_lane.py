"""A decision made in the worker's own process (``huanjie serve``) wakes its prompt lane on
commit, which runs the case without waiting for the polling loop."""

from __future__ import annotations

import threading

import pytest

from huanjie.errors import PermissionDenied
from huanjie.flows.worker import PromptLane
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import COUNTY, VillageDriver, add_staff, launch_all

NOW = "2026-07-20T10:00:00"


@pytest.fixture
def at_gate(ctx, clock):
    return walk_to_gate(ctx, clock)


def walk_to_gate(ctx, clock):
    """One village walked up to its first gate (P2.3 awaiting), nothing woken left over."""
    clock.set(NOW)
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign, [("G001", "第一村", "城关镇")])
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    driver = VillageDriver(ctx, clock, campaign.code, "G001")
    for key in ("P1.1", "P1.3", "P2.1", "P2.2", "P2.3", "P3.1"):
        driver.record(key)
    driver.run()
    assert driver.states()["P2.3"].status == "awaiting"
    ctx.wakeup.wait(0)  # what the records above woke
    return driver


def test_a_decision_wakes_the_prompt_lane_on_commit_and_it_runs_the_case(ctx, at_gate):
    party = at_gate.states()["P2.3"].case_id
    with pytest.raises(PermissionDenied):  # refused inside its transaction: nobody is told
        at_gate.approve("P2.3", who=COUNTY)
    assert ctx.wakeup.wait(0) == []
    ran = threading.Event()
    seen = []

    class Lane(PromptLane):
        def round(self, woken):
            seen.append(woken)
            count = super().round(woken)
            ran.set()
            return count

    lane = Lane(ctx, owner="serve-test", wait=3600).start()  # no poll would come during the test
    try:
        at_gate.approve("P2.3")
        assert ran.wait(120), "the decision did not wake the prompt lane"
    finally:
        lane.close()
    assert seen == [[party]]
    assert at_gate.states()["P3.1"].status == "done"
    assert not lane.thread.is_alive()


def test_a_woken_case_locked_for_a_moment_when_the_lane_claims_it_is_still_run(pg_ctx, clock):
    """PostgreSQL: another transaction holds the case row (a record, the overdue sweep, the
    polling loop's claim) just when the lane claims it. The lane waits for it instead of
    skipping it: the case was woken here and no poll may come for a long time."""
    from sqlalchemy import text

    ctx = pg_ctx
    driver = walk_to_gate(ctx, clock)
    party = driver.states()["P2.3"].case_id
    driver.approve("P2.3")  # woken: the lane, once started, takes it at once
    ran, counts = threading.Event(), []

    class Lane(PromptLane):
        def round(self, woken):
            counts.append(super().round(woken))
            ran.set()
            return counts[-1]

    with ctx.engine.connect() as holder, ctx.engine.connect() as watcher:
        holder.execute(text('SELECT id FROM "case" WHERE id = :id FOR KEY SHARE'), {"id": party})
        holder_pid = holder.execute(text("SELECT pg_backend_pid()")).scalar()
        lane = Lane(ctx, owner="serve-test", wait=3600).start()
        try:
            # release the row once the lane's claim waits behind it (or the round ended without waiting)
            while not ran.wait(0.05):
                blocked = watcher.execute(text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY("
                                               "pg_blocking_pids(pid))"), {"pid": holder_pid}).scalar()
                watcher.rollback()
                if blocked:
                    break
            holder.rollback()
            assert ran.wait(120), "the lane did not finish its round"
        finally:
            lane.close()
    assert counts == [1]
    assert driver.states()["P3.1"].status == "done"


def test_decided_cases_are_taken_before_recorded_ones_in_a_round_of_their_own():
    from huanjie.service.wakeup import Wakeup

    wakeup = Wakeup()
    wakeup.notify([3, 4])  # records
    wakeup.notify([4, 9], first=True)  # decisions
    assert wakeup.wait(0) == [4, 9]
    assert wakeup.wait(0) == [3]
    assert wakeup.wait(0) == []
    wakeup.interrupt()
    assert wakeup.wait(3600) == []  # a stopping worker is not kept waiting
