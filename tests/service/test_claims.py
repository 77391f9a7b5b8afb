"""Claiming woken cases: two claimers never hold the same case; an expired lease is free again."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlmodel import select

from huanjie.clock import MovableClock
from huanjie.flows import driver
from huanjie.service.claims import (claim_cases, lapsed_submit_owners, mark_ran, new_owner, release, submit_owner,
                                    woken_cases)
from huanjie.service.context import Context
from huanjie.store.db import make_engine, reading, transaction
from huanjie.store.models import Case, Event
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import VillageDriver, add_staff, launch_all

NOW = "2026-07-20T10:00:00"
VILLAGES = [(f"K{i:03d}", f"第{i}村", "城关镇") for i in range(15)]


@pytest.fixture
def store(db_url, ctx, clock):
    """Two contexts on one store, as two worker processes have: own engines, one wall clock."""
    first, url = ctx, db_url
    wall = MovableClock(NOW)
    first.wall = wall
    first.lease_seconds = 60
    second = Context(engine=make_engine(url), clock=clock, wall=wall, lease_seconds=60)
    clock.set(NOW)
    campaign = make_campaign(first)
    make_villages(first, campaign, VILLAGES)
    add_staff(first)
    launch_all(first, campaign.code)
    yield first, second, wall, campaign
    second.engine.dispose()


def _together(*targets) -> None:
    """Run the callables in threads released at the same moment; re-raise what failed."""
    start, errors = threading.Barrier(len(targets)), []

    def run(target):
        try:
            start.wait()
            target()
        except BaseException as exc:  # handed to the test below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _case(ctx, case_id: int) -> Case:
    with reading(ctx.engine) as s:
        return s.exec(select(Case).where(Case.id == case_id)).one()


def test_two_claimers_at_once_never_get_the_same_case(store):
    first, second, _, _ = store
    woken = [case_id for case_id, _ in woken_cases(first)]
    assert len(woken) == 2 * len(VILLAGES)  # launched: both elections of every village
    taken: dict[str, list[int]] = {"a": [], "b": []}

    def claimer(name, ctx):
        for lo in range(0, len(woken), 3):  # many small overlapping claims, racing the other
            taken[name].extend(c.case_id for c in claim_cases(ctx, woken[lo:lo + 6], owner=name))

    _together(lambda: claimer("a", first), lambda: claimer("b", second))
    assert not set(taken["a"]) & set(taken["b"])
    assert len(taken["a"]) == len(set(taken["a"])) and len(taken["b"]) == len(set(taken["b"]))
    assert sorted(taken["a"] + taken["b"]) == woken  # every woken case was claimed exactly once
    for name in ("a", "b"):
        for case_id in taken[name]:
            assert _case(first, case_id).lease_owner == name
    assert claim_cases(first, woken, owner="c") == []  # all held


def test_an_expired_lease_is_claimed_again_and_only_its_new_owner_marks_the_run(store):
    first, second, wall, _ = store
    woken = [case_id for case_id, _ in woken_cases(first)][:4]
    crashed = claim_cases(first, woken, owner="crashed")
    assert [c.case_id for c in crashed] == woken
    wall.advance(seconds=59)
    assert claim_cases(second, woken, owner="live") == []  # still leased
    wall.advance(seconds=2)  # the crashed worker never renewed: its lease has expired
    taken = claim_cases(second, woken, owner="live")
    assert [c.case_id for c in taken] == woken
    assert mark_ran(first, crashed, owner="crashed") == 0  # the old owner no longer holds them
    assert all(_case(first, c).ran == 0 for c in woken)
    assert mark_ran(second, taken, owner="live") == len(woken)
    for case_id in woken:
        case = _case(first, case_id)
        assert (case.ran, case.lease_owner, case.lease_until) == (case.wake, None, None)
    assert claim_cases(first, woken, owner="again") == []  # run, not woken any more


def test_only_submitted_runs_whose_lease_expired_count_as_lapsed(store):
    first, second, wall, _ = store
    woken = [case_id for case_id, _ in woken_cases(first)]
    lost, live = submit_owner(), submit_owner()
    claim_cases(first, woken[:2], owner=lost, seconds=30)
    claim_cases(first, woken[2:4], owner=live, seconds=90)
    claim_cases(first, woken[4:6], owner="run:in-process", seconds=30)  # not a submitted run
    assert lapsed_submit_owners(second) == set()
    wall.advance(seconds=31)
    assert lapsed_submit_owners(second) == {lost}
    claim_cases(second, woken[:2], owner=submit_owner())  # taken up again: the lost owner is gone
    assert lapsed_submit_owners(second) == set()


def test_a_submitted_run_takes_up_its_cases_even_while_one_is_locked_for_a_moment(store):
    """The overdue sweep or a record may hold a case's row lock when the flow run claims the
    cases its submitter reserved for it: the run waits for it (it is reserved), never skips it."""
    first, second, _, _ = store
    woken = [case_id for case_id, _ in woken_cases(first)][:3]
    owner = submit_owner()
    assert len(claim_cases(first, woken, owner=owner, seconds=1800)) == 3
    locked = threading.Event()

    def hold():  # as load_case does (SQLite: the transaction holds the one write lock)
        with transaction(first.engine) as s:
            if s.get_bind().dialect.name == "postgresql":
                s.execute(text('SELECT id FROM "case" WHERE id = :id FOR UPDATE'), {"id": woken[1]})
            locked.set()
            threading.Event().wait(0.5)

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait()
    taken = claim_cases(second, woken, owner=owner)  # the flow run, in its own process
    holder.join()
    assert [c.case_id for c in taken] == woken


def test_a_case_woken_during_its_run_stays_woken(store):
    first, _, _, campaign = store
    driver_ = VillageDriver(first, first.clock, campaign.code, "K000")
    party = driver_.case_ids
    claims = claim_cases(first, party, owner="w")
    driver_.record("P1.1")  # a clerk records while the worker holds the case: wake moves on
    mark_ran(first, claims, owner="w")
    woken_now = {case_id for case_id, _ in woken_cases(first)}
    recorded = [c for c in party if _case(first, c).wake > _case(first, c).ran]
    assert recorded and set(recorded) <= woken_now
    assert [c.case_id for c in claim_cases(first, party, owner="w2")] == recorded


def test_a_batch_renews_the_lease_and_releases_it_when_the_run_fails(store):
    import asyncio

    from huanjie.flows.batch import claim_plain, finish_plain, run_batch

    first, second, wall, _ = store
    woken = [case_id for case_id, _ in woken_cases(first)][:3]

    async def failing_walk(ids):
        assert ids == woken
        # the batch renews the lease while its walk runs
        wall.advance(seconds=50)
        renewed = threading.Event()
        for _ in range(200):  # the renewal thread pushes lease_until past now + 10 s
            if _case(first, woken[0]).lease_until > wall.now().add(seconds=30):
                renewed.set()
                break
            renewed.wait(0.05)
        assert renewed.is_set()
        wall.advance(seconds=50)  # past the first lease: renewed, so still held
        assert claim_cases(second, woken, owner="other") == []
        raise RuntimeError("the flow run failed")

    with pytest.raises(RuntimeError):
        asyncio.run(run_batch(first, woken, "w", claim=claim_plain(first), finish=finish_plain(first),
                              walk=failing_walk, every=0.05))
    case = _case(first, woken[0])
    assert (case.lease_owner, case.ran) == (None, 0)  # released, not marked as run
    claims = claim_cases(second, woken, owner="other")
    assert [c.case_id for c in claims] == woken
    release(second, claims, owner="other")


def test_two_drivers_at_once_run_each_case_once(store, monkeypatch):
    first, second, _, campaign = store
    drivers = [VillageDriver(first, first.clock, campaign.code, code) for code, _, _ in VILLAGES[:5]]
    for d in drivers:
        for key in ("P1.1", "P1.3", "V1.1"):
            d.record(key)
    ran: dict[str, list[int]] = {"a": [], "b": []}
    real_walk = driver.walk_cases
    who = threading.local()

    async def recording_walk(ctx, case_ids, run_stage):
        ran[who.name] += case_ids
        return await real_walk(ctx, case_ids, run_stage)

    monkeypatch.setattr(driver, "walk_cases", recording_walk)
    first.batch_size = second.batch_size = 4  # several claims each, racing the other driver
    counts = {}

    def worker(name, ctx):
        who.name = name
        counts[name] = driver.run_woken(ctx, prefect=False, owner=new_owner(name))

    _together(lambda: worker("a", first), lambda: worker("b", second))
    assert not set(ran["a"]) & set(ran["b"])
    assert counts["a"] + counts["b"] == len(ran["a"]) + len(ran["b"]) == 2 * len(VILLAGES)
    assert woken_cases(first) == []
    with reading(first.engine) as s:
        done = s.exec(select(Event.village_code, Event.step_key).where(Event.kind == "step.done")).all()
    assert len(done) == len(set(done)) == 3 * len(drivers)  # each recorded step done once
