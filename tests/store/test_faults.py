"""A full disk and a read-only store are said as what they are; a run stops its round on them
and on SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import event, func
from sqlmodel import select
from typer.testing import CliRunner

from huanjie.cli import common
from huanjie.cli.main import app
from huanjie.service.context import Context
from huanjie.store.db import make_engine, reading
from huanjie.store.faults import StoreFault
from huanjie.store.models import Campaign, Event
from tests.factories import make_campaign, make_villages
from tests.flows.test_crash_and_races import _count, _env, county  # noqa: F401 (a fixture)
from tests.fixtures.scenario import COUNTY, VillageDriver, add_staff, launch_all


def _full(ctx, db_url) -> Context:
    """The same store on a disk with no room left (SQLite: max_page_count at its current size; PostgreSQL:
    every write refused as the server refuses on a full disk)."""
    if ctx.engine.dialect.name != "sqlite":
        return _filling_up(db_url, ctx.clock)
    with ctx.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    engine = make_engine(db_url)

    @event.listens_for(engine, "connect")
    def _cap(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    return Context(engine=engine, clock=ctx.clock)


def _snapshot(ctx):
    with reading(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(Event)).one(), s.exec(select(func.count()).select_from(Campaign)).one()


def test_a_full_disk_is_reported_as_such(ctx, db_url, monkeypatch):
    make_villages(ctx, make_campaign(ctx))
    full = _full(ctx, db_url)
    before = _snapshot(ctx)
    monkeypatch.setattr(common, "_context", full)
    result = CliRunner().invoke(app, ["launch", "--campaign", "HJ2026-001", "--all"])
    assert result.exit_code == 2 and "磁盘已满" in result.output and "同时修改" not in result.output, result.output
    assert _snapshot(ctx) == before


def test_a_read_only_store_is_reported_as_such(ctx, db_url, monkeypatch):
    make_campaign(ctx)
    read_only = Context(engine=_read_only(db_url), clock=ctx.clock)
    monkeypatch.setattr(common, "_context", read_only)
    result = CliRunner().invoke(app, ["campaign", "create", "--name", "换届", "--county", "示范县", "--profile", "ZJ",
                                      "--party-day", "2026-09-15", "--vc-day", "2026-10-12"])
    assert result.exit_code == 2 and "只读" in result.output and "同时修改" not in result.output, result.output


def _read_only(db_url):
    if db_url.startswith("sqlite"):
        path = db_url.removeprefix("sqlite:///")
        return make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    engine = make_engine(db_url)

    @event.listens_for(engine, "connect")
    def _read_only_session(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        dbapi_conn.commit()

    return engine


def _disk_full_error(db_url) -> Exception:
    """What the backend's driver raises when the disk is full."""
    if db_url.startswith("sqlite"):
        import sqlite3

        return sqlite3.OperationalError("database or disk is full")
    from psycopg.errors import DiskFull

    return DiskFull("could not extend file: No space left on device")


def _filling_up(db_url, clock) -> Context:
    """A store whose disk fills up now: every write fails as the backend fails on a full disk."""
    engine = make_engine(db_url)

    @event.listens_for(engine, "before_cursor_execute")
    def _full(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise _disk_full_error(db_url)

    return Context(engine=engine, clock=clock)


def test_a_run_on_a_full_disk_stops_the_round(ctx, clock, db_url, caplog):
    from huanjie.flows.driver import run_woken
    from huanjie.service.deadlines import sweep_overdue

    clock.set("2026-07-20T10:00:00")
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign, [(f"K{i:03d}", f"第{i}村", "城关镇") for i in range(10)])
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    for i in range(10):
        VillageDriver(ctx, clock, campaign.code, f"K{i:03d}").record("P1.1")
    full = _filling_up(db_url, clock)
    caplog.set_level(logging.ERROR)
    for attempt in (lambda: run_woken(full, prefect=False), lambda: sweep_overdue(full)):
        with pytest.raises(Exception) as raised:
            attempt()
        assert isinstance(common_error(raised.value), StoreFault)
    assert [r for r in caplog.records if r.exc_info] == []  # no traceback per case: the round stopped


def common_error(exc):
    from huanjie.store.faults import user_error

    return user_error(exc)


def test_sigterm_stops_a_run_and_says_why(ctx, db_url, county, tmp_path):  # noqa: F811
    log = open(tmp_path / "run.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "huanjie", "run", "--as", COUNTY],
                            env=_env(db_url, tmp_path / "prefect"), stdout=log, stderr=log)
    deadline = time.monotonic() + 240
    while _count(ctx, "step.done") < 10:
        assert proc.poll() is None, (tmp_path / "run.log").read_text()
        assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()[-3000:]
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGTERM)
    stopped = time.monotonic()
    proc.wait(timeout=120)
    text = (tmp_path / "run.log").read_text()
    assert proc.returncode == 2 and "收到停止信号" in text, text[-3000:]
    assert time.monotonic() - stopped < 60
    assert "Traceback" not in text, text[-3000:]
