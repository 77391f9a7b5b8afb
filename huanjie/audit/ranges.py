"""Verifying one long chain with several processes: cut it into sequence ranges, stitch back.

Each worker opens its own connection and walks one range, taking the range's first stored
``prev_hash`` as given; the stitch then requires it to equal the previous range's last hash,
so the result is the same as one walk from the genesis. On PostgreSQL the workers import
the parent's snapshot (``pg_export_snapshot``); on SQLite events are append-only, so rows
inside ranges bounded by the parent's last sequence number cannot appear later.
"""

from __future__ import annotations

import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor

from sqlmodel import Session

from huanjie.audit.rows import dialect, event_batches
from huanjie.audit.verify import ChainReport, prev_hash_break, walk
from huanjie.store.db import make_engine, reading
from huanjie.store.events import GENESIS

_SNAPSHOT_ID = re.compile(r"^[0-9A-F-]+$")


def walk_in_parallel(session: Session, chain: str, last: int, parts: int) -> ChainReport:
    url = session.get_bind().url.render_as_string(hide_password=False)
    snapshot_id = None
    if dialect(session) == "postgresql":
        snapshot_id = session.connection().exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    jobs = [(url, snapshot_id, chain, 1 + i * last // parts, (i + 1) * last // parts) for i in range(parts)]
    with ProcessPoolExecutor(max_workers=parts, mp_context=multiprocessing.get_context("fork")) as pool:
        return stitch(chain, list(pool.map(walk_range, jobs)))


def walk_range(job: tuple) -> ChainReport:
    url, snapshot_id, chain, lo, hi = job
    engine = make_engine(url)
    try:
        with reading(engine) as session:
            if snapshot_id is not None:
                assert _SNAPSHOT_ID.match(snapshot_id), snapshot_id
                conn = session.connection()
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'")
            batches = event_batches(session, chain, seq_from=lo, seq_to=hi)
            return walk(chain, batches, start_seq=lo, prev=GENESIS if lo == 1 else None, end_seq=hi)
    finally:
        engine.dispose()


def stitch(chain: str, parts: list[ChainReport]) -> ChainReport:
    """The ranges' reports, in order, as the report of one walk over the whole chain."""
    prev, count, seq = GENESIS, 0, 0
    for part in parts:
        if part.first_prev is not None and part.first_prev != prev:
            return ChainReport(chain, count, seq, prev, prev_hash_break(chain, part.first_row, prev))
        count += part.events
        if part.broken is not None:
            return ChainReport(chain, count, part.head_seq, part.head_hash, part.broken)
        prev, seq = part.head_hash, part.head_seq
    return ChainReport(chain, count, seq, prev)
