"""Event rows straight from the database cursor: no ORM objects, the time already as text.

The time column comes back as the canonical encoding writes it (``AT_FORMAT``, UTC) and the
payload as JSON text, so ``huanjie.audit.encoding`` can hash a row without building objects.
Reads happen inside the caller's read-only session (``huanjie.store.db.reading``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from sqlmodel import Session

BATCH = 20_000
_cursor_names = itertools.count(1)  # PostgreSQL server-side cursors need distinct names
COLUMNS = "id, seq, kind, actor, role, {at}, village_code, election, step_key, {payload}, prev_hash, hash"

# (at, payload) expressions per dialect
_SQLITE = ("replace(at, ' ', 'T') || 'Z'", "payload")  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC
_POSTGRES = ("""to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""", "payload::text")


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def snapshot(session: Session) -> None:
    """Make every later read of this transaction see one snapshot (PostgreSQL's default does not).

    SQLite's read transaction already keeps one snapshot from its first read on.
    """
    if dialect(session) == "postgresql":
        session.connection().exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def _sql(session: Session, where: str) -> str:
    at, payload = _SQLITE if dialect(session) == "sqlite" else _POSTGRES
    mark = "?" if dialect(session) == "sqlite" else "%s"
    return f"SELECT {COLUMNS.format(at=at, payload=payload)} FROM event WHERE {where.format(p=mark)} ORDER BY seq"


def event_batches(session: Session, chain: str, *, village_code: str | None = None, seq_from: int | None = None,
                  seq_to: int | None = None, batch: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
    """One chain's rows in seq order, ``batch`` at a time (a server-side cursor on PostgreSQL).

    With ``village_code``, only that village's events and the campaign-wide ones (no village);
    with ``seq_from`` / ``seq_to``, only that range of sequence numbers (inclusive).
    """
    where, params = "chain = {p}", [chain]
    if village_code is not None:
        where += " AND (village_code = {p} OR village_code IS NULL)"
        params.append(village_code)
    if seq_from is not None:
        where += " AND seq BETWEEN {p} AND {p}"
        params += [seq_from, seq_to]
    raw = session.connection().connection.dbapi_connection
    if dialect(session) == "postgresql":
        cursor = raw.cursor(name=f"huanjie_audit_rows_{next(_cursor_names)}")
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(_sql(session, where), params)
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()


def chain_names(session: Session) -> list[str]:
    """Every chain that has events or a head row."""
    cursor = session.connection().exec_driver_sql(
        "SELECT chain FROM chain_head UNION SELECT DISTINCT chain FROM event ORDER BY 1")
    return [row[0] for row in cursor]


def last_seq(session: Session, chain: str) -> int:
    mark = "?" if dialect(session) == "sqlite" else "%s"
    return session.connection().exec_driver_sql(
        f"SELECT coalesce(max(seq), 0) FROM event WHERE chain = {mark}", (chain,)).scalar_one()


def chain_head(session: Session, chain: str) -> tuple[int, str] | None:
    mark = "?" if dialect(session) == "sqlite" else "%s"
    row = session.connection().exec_driver_sql(
        f"SELECT seq, hash FROM chain_head WHERE chain = {mark}", (chain,)).first()
    return (row[0], row[1]) if row else None
