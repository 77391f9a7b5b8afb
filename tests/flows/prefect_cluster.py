"""A standing Prefect server on loopback (its own PostgreSQL database), huanjie's Prefect workers
and ``huanjie serve`` as separate processes, for the Prefect-mode tests and bench/bench_workers.py.

The machine is busy: every start is waited for generously and retried.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

START_TIMEOUT = 240.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "HUANJIE_"))}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    return env


@contextmanager
def prefect_database(pg_url: str) -> Iterator[str]:
    """A fresh database for Prefect's server on the tests' PostgreSQL cluster (asyncpg URL)."""
    name = f"prefect_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(drivername="postgresql+asyncpg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def prefect_server(pg_url: str, workdir: Path, *, tries: int = 3) -> Iterator[str]:
    """``prefect server start`` on a free loopback port; yields its API URL."""
    with prefect_database(pg_url) as database:
        proc, url, log = None, None, workdir / "prefect-server.log"
        for attempt in range(1, tries + 1):
            port = _free_port()
            env = {**_clean_env(), "PREFECT_HOME": str(workdir / "prefect-server-home"),
                   "PREFECT_API_DATABASE_CONNECTION_URL": database,
                   "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port)}
            with open(log, "a") as out:
                proc = subprocess.Popen([_bin("prefect"), "server", "start", "--host", "127.0.0.1", "--port",
                                         str(port), "--no-services", "--no-ui"],
                                        env=env, stdout=out, stderr=out, start_new_session=True)
            url = f"http://127.0.0.1:{port}/api"
            if _wait_healthy(url, proc, START_TIMEOUT):
                break
            stop_tree(proc)
            if attempt == tries:
                raise AssertionError("Prefect server did not start: " + log.read_text()[-3000:])
        try:
            yield url
        finally:
            stop_tree(proc, sig=signal.SIGTERM)


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop_tree(proc: subprocess.Popen, *, sig: int = signal.SIGKILL, timeout: float = 60) -> None:
    """Signal a process and all its descendants (flow-run processes of a worker included)."""
    if proc is None or proc.poll() is not None:
        return
    for pid in [proc.pid, *children(proc.pid)]:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        for pid in [proc.pid, *children(proc.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(timeout=30)


def worker_env(api_url: str, db_url: str, workdir: Path, name: str, **extra: str) -> dict[str, str]:
    return {**_clean_env(), "PREFECT_API_URL": api_url, "HUANJIE_DATABASE_URL": db_url,
            "HUANJIE_DATA_DIR": str(workdir / f"data-{name}"), "PREFECT_HOME": str(workdir / f"prefect-{name}"),
            **extra}


def start_worker(api_url: str, db_url: str, workdir: Path, name: str, *, actor: str, **extra: str):
    """``huanjie worker`` in Prefect mode, as a process of its own; returns (process, log path)."""
    log = workdir / f"{name}.log"
    out = open(log, "w")
    proc = subprocess.Popen([sys.executable, "-m", "huanjie", "worker", "--as", actor],
                            env=worker_env(api_url, db_url, workdir, name, **extra), stdout=out, stderr=out,
                            start_new_session=True)
    return proc, log


def wait_ready(procs_logs, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    pending = list(procs_logs)
    while pending:
        for proc, log in list(pending):
            assert proc.poll() is None, log.read_text()[-3000:]
            if "工作进程已就绪" in log.read_text():
                pending.remove((proc, log))
        assert time.monotonic() < deadline, "workers not ready: " + "".join(
            log.read_text()[-1500:] for _, log in pending)
        time.sleep(0.3)


def start_serve(api_url: str, db_url: str, workdir: Path, **extra: str):
    """``huanjie serve`` in Prefect mode (its dispatcher submits flow runs; no scheduler), as a
    process of its own, once its login page answers; returns (process, log path, base URL)."""
    port = _free_port()
    log = workdir / "serve.log"
    out = open(log, "w")
    proc = subprocess.Popen([sys.executable, "-m", "huanjie", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--insecure-cookies", "--no-scheduler"],
                            env=worker_env(api_url, db_url, workdir, "serve", **extra), stdout=out, stderr=out,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if httpx.get(base + "/login", timeout=10).status_code == 200:
                return proc, log, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_tree(proc)
            raise AssertionError("huanjie serve did not start: " + log.read_text()[-3000:])
        time.sleep(0.5)
