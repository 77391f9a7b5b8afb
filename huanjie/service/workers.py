"""Worker heartbeats and what moves a case after a command changed it.

A worker registers, beats every ``BEAT_SECONDS`` from a thread of its own (a long batch does
not make it look dead) and marks itself stopped when it ends. Commands that wake a case ask
``live_workers``; without one they say so and name the command that starts one.
Liveness is the machine's wall clock (``SystemClock``), never the campaign's clock, which
tests and scripted runs pin.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import col, select

from huanjie.clock import Clock, SystemClock
from huanjie.service.context import Context
from huanjie.store.db import reading, transaction
from huanjie.store.models import Case
from huanjie.store.worker_models import WorkerHeartbeat

BEAT_SECONDS = 2.0
STALE_SECONDS = 15.0     # a worker silent this long is taken for dead (a busy machine stalls for seconds)
START_HINT = "huanjie worker"
RUN_HINT = "huanjie run"


@dataclass(frozen=True)
class WorkerInfo:
    id: str
    host: str
    pid: int
    state: str
    started_at: dt.datetime
    beat_at: dt.datetime


def register_worker(ctx: Context, *, kind: str = "worker", wall: Clock | None = None) -> str:
    now = (wall or SystemClock()).now()
    worker_id = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    with transaction(ctx.engine) as session:
        session.add(WorkerHeartbeat(id=worker_id, host=socket.gethostname()[:100], pid=os.getpid(), kind=kind,
                                    state="starting", started_at=now, beat_at=now))
    return worker_id


def beat(ctx: Context, worker_id: str, *, state: str | None = None, wall: Clock | None = None) -> None:
    values = {"beat_at": (wall or SystemClock()).now()}
    if state:
        values["state"] = state
    with transaction(ctx.engine) as session:
        session.execute(update(WorkerHeartbeat).where(WorkerHeartbeat.id == worker_id).values(**values))


def stop_worker(ctx: Context, worker_id: str, *, wall: Clock | None = None) -> None:
    now = (wall or SystemClock()).now()
    with transaction(ctx.engine) as session:
        session.execute(update(WorkerHeartbeat).where(WorkerHeartbeat.id == worker_id)
                        .values(state="stopped", stopped_at=now, beat_at=now))


def live_workers(ctx: Context, *, wall: Clock | None = None) -> list[WorkerInfo]:
    """Workers that beat within ``STALE_SECONDS`` and have not stopped."""
    since = (wall or SystemClock()).now() - dt.timedelta(seconds=STALE_SECONDS)
    with reading(ctx.engine) as session:
        rows = session.exec(select(WorkerHeartbeat).where(
            col(WorkerHeartbeat.stopped_at).is_(None), WorkerHeartbeat.beat_at >= since)
            .order_by(WorkerHeartbeat.started_at)).all()
    return [WorkerInfo(r.id, r.host, r.pid, r.state, r.started_at, r.beat_at) for r in rows]


class Heartbeat:
    """Beats for one worker from a daemon thread, until closed."""

    def __init__(self, ctx: Context, *, kind: str = "worker") -> None:
        self.ctx = ctx
        self.id = register_worker(ctx, kind=kind)
        self.state = "starting"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="huanjie-heartbeat", daemon=True)
        self._thread.start()

    def ready(self) -> None:
        self.state = "ready"
        self._beat()

    def _beat(self) -> None:
        try:
            beat(self.ctx, self.id, state=self.state)
        except Exception:  # the store busy for a moment: the next beat will do
            pass

    def _run(self) -> None:
        # Stop signals are the main thread's: it blocks them during a batch so that the batch
        # finishes; were this thread to take one, the handler would run in the middle of it.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        while not self._stop.wait(BEAT_SECONDS):
            self._beat()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=BEAT_SECONDS * 2)
        try:
            stop_worker(self.ctx, self.id)
        except Exception:
            pass


def wait_until_run(ctx: Context, case_id: int, wake: int, *, timeout: float, poll: float = 0.1) -> bool:
    """Wait until a run that started from ``wake`` (or later) has finished for the case."""
    deadline = time.monotonic() + timeout
    while True:
        with reading(ctx.engine) as session:
            ran = session.exec(select(Case.ran).where(Case.id == case_id)).one()
        if ran >= wake:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll)
