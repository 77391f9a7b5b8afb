"""Exactly one reminder scheduler: two schedulers on one store, SQLite (lease row) and
PostgreSQL (advisory lock); the second takes over only once the first is gone."""

from __future__ import annotations

import threading
import time

import pytest

from huanjie.clock import MovableClock
from huanjie.service.scheduler_lock import SchedulerLock, run_exclusive


def test_one_holder_at_a_time_and_the_other_takes_over_after_release(ctx):
    first, second = SchedulerLock(ctx), SchedulerLock(ctx)
    assert first.acquire()
    assert not second.acquire()
    assert first.still_held() and not second.still_held()
    first.release()
    assert second.acquire()
    assert not first.acquire()
    second.release()


def test_sqlite_a_silent_holder_loses_the_lease_once_it_expires(sqlite_ctx):
    ctx = sqlite_ctx
    wall = MovableClock("2026-08-01T09:00:00")
    first = SchedulerLock(ctx, lease_seconds=30, wall=wall)
    second = SchedulerLock(ctx, lease_seconds=30, wall=wall)
    assert first.acquire()
    wall.advance(seconds=29)
    assert not second.acquire()  # the lease has a second left
    wall.advance(seconds=2)
    assert second.acquire()  # the first stopped renewing: expired
    assert not first.still_held()  # and it finds out at its next renewal


def test_postgresql_a_killed_holders_lock_goes_with_its_connection(pg_ctx):
    first, second = SchedulerLock(pg_ctx), SchedulerLock(pg_ctx)
    assert first.acquire()
    assert not second.acquire()
    first._conn.invalidate()  # the holder's session ends as if its process were killed
    deadline = time.monotonic() + 30
    while not second.acquire():
        assert time.monotonic() < deadline
        time.sleep(0.1)
    second.release()


class _Scheduler:
    running: list[str] = []

    def __init__(self, name):
        self.name = name
        _Scheduler.running.append(name)

    def shutdown(self, wait=True):
        _Scheduler.running.remove(self.name)


def test_two_schedulers_run_one_at_a_time(ctx):
    _Scheduler.running = []
    stops = {name: threading.Event() for name in ("a", "b")}
    seen: list[list[str]] = []
    threads = [threading.Thread(target=run_exclusive, args=(ctx, lambda n=name: _Scheduler(n), stops[name]),
                                kwargs={"check_seconds": 0.05}, daemon=True) for name in stops]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while not _Scheduler.running:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    for _ in range(20):
        seen.append(list(_Scheduler.running))
        time.sleep(0.02)
    assert all(len(s) == 1 for s in seen), seen  # never two at once
    holder = _Scheduler.running[0]
    stops[holder].set()  # the active one stops: the other takes over
    other = "b" if holder == "a" else "a"
    while _Scheduler.running != [other]:
        assert time.monotonic() < deadline, _Scheduler.running
        time.sleep(0.02)
    stops[other].set()
    for t in threads:
        t.join(timeout=30)
    assert _Scheduler.running == []
