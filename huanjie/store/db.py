"""Engine, sessions and schema set-up for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    # hide_parameters: a traceback or log line never prints the values of a statement (names,
    # 身份证号); the schema's limits are checked before any statement (huanjie.store.limits)
    from huanjie.store import limits

    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 60}, hide_parameters=True,
                               json_deserializer=json_loads)
        _tune_sqlite(engine)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True, json_deserializer=json_loads)
    limits.install(engine)
    return engine


def json_loads(text: str):
    """JSON columns (a village's facts are read at every step) parsed by orjson, which is several
    times faster; what orjson refuses but Python's json reads (integers beyond 64 bits, NaN)
    falls back to json."""
    import orjson

    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        # Let SQLAlchemy's "begin" hook emit BEGIN itself (pysqlite's own is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock up front: a deferred transaction that reads the chain
        # head and then writes could deadlock with another writer doing the same.
        if conn.get_execution_options().get("readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: everything inside commits together or not at all."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A read-only session that never takes the write lock."""
    with Session(engine.execution_options(readonly=True), expire_on_commit=False) as session:
        with session.begin():
            yield session


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (alembic, programmatically).

    A store already at the newest heads is only read: commands that change nothing (status,
    plan, audit) never queue behind a long write for the migration lock.
    """
    if _current_heads(engine) == _script_heads():
        return  # (without importing alembic: every command starts faster)
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")  # feature branches each hang off 0001


_REVISION = re.compile(r"^(revision|down_revision)\s*=\s*(.+)$", re.MULTILINE)


def _script_heads() -> set[str]:
    """Revisions no other migration names as its parent (alembic's heads), read from the files."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update(down if isinstance(down, tuple) else [down] if down else [])
    return revisions - parents


def _current_heads(engine: Engine) -> set[str]:
    try:
        with engine.execution_options(readonly=True).connect() as conn:
            return {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    except Exception:  # a new, empty database
        return set()
