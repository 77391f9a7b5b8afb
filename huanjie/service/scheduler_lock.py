"""Exactly one reminder scheduler active at a time, however many processes could run one.

A deployment may start ``huanjie serve`` on several machines, or a ``huanjie reminder
scheduler`` beside them: each would send every digest and reminder. Whoever holds the lock
runs the scheduler; the others wait in standby and take over when it is gone.

PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection of its own,
released by the server the moment the holder's connection ends (a killed process included).
SQLite: a lease row (``scheduler_lease``) taken by a guarded UPDATE and renewed by the holder;
a holder that stops renewing loses it once ``until`` has passed. Times are the machine's wall
clock, never the campaign's (which scripted runs pin).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from sqlalchemy import insert, or_, text, update
from sqlmodel import col

from huanjie.clock import Clock, SystemClock
from huanjie.service.context import Context
from huanjie.store.db import transaction
from huanjie.store.worker_models import SchedulerLease

log = logging.getLogger(__name__)
NAME = "reminders"
ADVISORY_KEY = 0x68756A5F73636864  # "hj_schd": the one advisory lock huanjie takes
LEASE_SECONDS = 30.0


class SchedulerLock:
    """The scheduler's lock for one process: ``acquire`` (non-blocking), ``still_held``, ``release``."""

    def __init__(self, ctx: Context, *, lease_seconds: float = LEASE_SECONDS, wall: Clock | None = None) -> None:
        self.ctx, self.lease_seconds = ctx, lease_seconds
        self.wall = wall or ctx.wall or SystemClock()
        self.owner = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.postgres = ctx.engine.dialect.name == "postgresql"
        self._conn = None
        self.held = False

    def acquire(self) -> bool:
        if self.held:
            return self.still_held()
        if self.postgres:
            conn = self.ctx.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
            conn.commit()
            if got:
                self._conn = conn
            else:
                conn.close()
            self.held = bool(got)
        else:
            self.held = self._lease()
        return self.held

    def still_held(self) -> bool:
        """Check (PostgreSQL) or renew (SQLite) the lock; False once it is lost."""
        if not self.held:
            return False
        try:
            if self.postgres:
                self._conn.execute(text("SELECT 1")).scalar()  # the session (and its lock) is alive
                self._conn.commit()
            else:
                self.held = self._lease()
        except Exception:
            log.warning("scheduler lock lost", exc_info=True)
            self._drop()
        return self.held

    def release(self) -> None:
        if not self.held:
            return
        try:
            if self.postgres:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                self._conn.commit()
            else:
                with transaction(self.ctx.engine) as session:
                    session.execute(update(SchedulerLease).where(SchedulerLease.name == NAME,
                                                                 SchedulerLease.owner == self.owner)
                                    .values(owner=None, until=None))
        finally:
            self._drop()

    def _drop(self) -> None:
        self.held = False
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def _lease(self) -> bool:
        now = self.wall.now()
        with transaction(self.ctx.engine) as session:
            if session.get(SchedulerLease, NAME) is None:
                session.execute(insert(SchedulerLease).values(name=NAME, owner=None, until=None))
            result = session.execute(
                update(SchedulerLease).where(
                    SchedulerLease.name == NAME,
                    or_(col(SchedulerLease.owner).is_(None), SchedulerLease.owner == self.owner,
                        col(SchedulerLease.until) <= now))
                .values(owner=self.owner, until=now + dt.timedelta(seconds=self.lease_seconds)))
        return result.rowcount == 1


def run_exclusive(ctx: Context, start: Callable[[], object], stop: threading.Event, *,
                  echo: Callable[[str], None] | None = None, check_seconds: float | None = None,
                  lock: SchedulerLock | None = None) -> None:
    """Until ``stop``: wait for the lock, then ``start()`` the scheduler (an object with
    ``shutdown(wait=...)``) and keep the lock; should it be lost, shut the scheduler down and
    wait again. Releases the lock when stopped."""
    lock = lock or SchedulerLock(ctx)
    every = check_seconds if check_seconds is not None else lock.lease_seconds / 3
    running, waiting_said = None, False
    try:
        while not stop.is_set():
            if running is None:
                if lock.acquire():
                    running = start()
                    if echo:
                        echo("提醒调度器已启动（本进程持有调度锁）")
                    waiting_said = False
                elif echo and not waiting_said:
                    echo("另一个进程正在运行提醒调度器；本进程待命，它停止后自动接替")
                    waiting_said = True
            elif not lock.still_held():
                running.shutdown(wait=True)
                running = None
                if echo:
                    echo("调度锁已失去，提醒调度器已停止，转为待命")
            stop.wait(every)
    finally:
        if running is not None:
            running.shutdown(wait=True)
        lock.release()
