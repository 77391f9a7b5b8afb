"""Heartbeats of the processes that run flows (``huanjie worker``, later the server).

A command that wakes a case asks this table whether anyone will pick the case up. Beats
are wall-clock times of the machine (process liveness), not the campaign's clock: a test
or a scripted run that pins the campaign's clock still has live workers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from huanjie.store.types import AwareDateTime


def _ts(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), nullable=nullable))


class WorkerHeartbeat(SQLModel, table=True):
    __tablename__ = "worker_heartbeat"
    id: str = Field(primary_key=True, max_length=80)   # host:pid:random
    host: str = Field(max_length=100)
    pid: int
    kind: str = Field(default="worker", max_length=20)
    state: str = Field(default="starting", max_length=20)  # starting | ready | stopped
    started_at: dt.datetime | None = _ts(nullable=False)
    beat_at: dt.datetime | None = _ts(nullable=False)
    stopped_at: dt.datetime | None = _ts()


class SchedulerLease(SQLModel, table=True):
    """Who runs the reminder scheduler (huanjie.service.scheduler_lock; SQLite: PostgreSQL uses
    an advisory lock and writes the holder here only for people to see)."""

    __tablename__ = "scheduler_lease"
    name: str = Field(primary_key=True, max_length=40)
    owner: str | None = Field(default=None, max_length=120)
    until: dt.datetime | None = _ts()
