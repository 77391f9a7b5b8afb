"""Append-only, hash-chained audit events.

One chain per campaign (chain = the campaign code) plus a ``system`` chain for events that
belong to no campaign (users, calendar data). A per-campaign chain keeps every event of one
county's election in one total order an auditor can walk, while campaigns never contend for
the same lock. Appending locks the chain's head row, so two processes cannot fork a chain;
the unique (chain, seq) key is the second guard.

hash = SHA-256 over the canonical encoding (orjson, sorted keys) of the event's fields and
``prev_hash``; the first event of a chain has ``prev_hash`` = 64 zeros.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from huanjie.store.models import ChainHead, Event

GENESIS = "0" * 64
SYSTEM_CHAIN = "system"
_APPENDED = "huanjie.events.appended"  # session.info: chain -> events this transaction appended


@dataclass(frozen=True)
class EventDraft:
    kind: str
    actor: str
    role: str
    at: dt.datetime
    payload: dict[str, Any] = field(default_factory=dict)
    village_code: str | None = None
    election: str | None = None
    step_key: str | None = None


def canonical(chain: str, seq: int, draft: EventDraft | Event, prev_hash: str) -> bytes:
    at = draft.at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return orjson.dumps(
        {
            "chain": chain,
            "seq": seq,
            "kind": draft.kind,
            "actor": draft.actor,
            "role": draft.role,
            "at": at,
            "village_code": draft.village_code,
            "election": draft.election,
            "step_key": draft.step_key,
            "payload": draft.payload,
            "prev_hash": prev_hash,
        },
        option=orjson.OPT_SORT_KEYS,
    )


def event_hash(chain: str, seq: int, draft: EventDraft | Event, prev_hash: str) -> str:
    return hashlib.sha256(canonical(chain, seq, draft, prev_hash)).hexdigest()


def _encode_other(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):  # pendulum's subclasses included
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON-serialisable in an event payload: {type(value).__name__}")


def jsonable(value: Any) -> Any:
    """Payloads are stored as JSON: dates become ISO strings, tuples lists."""
    return orjson.loads(orjson.dumps(value, default=_encode_other, option=orjson.OPT_NON_STR_KEYS))


_HEAD = select(ChainHead.seq, ChainHead.hash).where(ChainHead.chain == bindparam("chain"))
_INSERT = insert(Event.__table__)
_MOVE_HEAD = update(ChainHead.__table__).where(ChainHead.__table__.c.chain == bindparam("head_chain"))


def _lock_head(session: Session, chain: str) -> tuple[int, str]:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(
            pg_insert(ChainHead).values(chain=chain, seq=0, hash=GENESIS).on_conflict_do_nothing()
        )
        row = session.execute(
            select(ChainHead.seq, ChainHead.hash).where(ChainHead.chain == chain).with_for_update()
        ).one()
        return row.seq, row.hash
    # SQLite: every write transaction began IMMEDIATE, so this connection is the only writer.
    row = session.connection().execute(_HEAD, {"chain": chain}).one_or_none()
    if row is None:
        session.execute(insert(ChainHead).values(chain=chain, seq=0, hash=GENESIS))
        return 0, GENESIS
    return row.seq, row.hash


def append(session: Session, chain: str, draft: EventDraft) -> Event:
    return append_many(session, chain, [draft])[0]


def append_many(session: Session, chain: str, drafts: Sequence[EventDraft]) -> list[Event]:
    """Append events to ``chain`` inside the caller's transaction (bulk insert)."""
    if not drafts:
        return []
    seq, prev = _lock_head(session, chain)
    rows: list[dict[str, Any]] = []
    for draft in drafts:
        seq += 1
        payload = jsonable(draft.payload)
        d = EventDraft(**{**draft.__dict__, "payload": payload})
        digest = event_hash(chain, seq, d, prev)
        rows.append(
            {
                "chain": chain,
                "seq": seq,
                "kind": d.kind,
                "actor": d.actor,
                "role": d.role,
                "at": d.at,
                "village_code": d.village_code,
                "election": d.election,
                "step_key": d.step_key,
                "payload": payload,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    connection = session.connection()  # Core statements, built once: an append is on every step's path
    connection.execute(_INSERT, rows)
    from huanjie.service.summaries import note  # derived summaries follow in this transaction

    note(session, chain, drafts)
    connection.execute(_MOVE_HEAD, {"head_chain": chain, "seq": seq, "hash": prev})
    counts = session.info.setdefault(_APPENDED, {})
    counts[chain] = counts.get(chain, 0) + len(rows)
    return [Event(**r) for r in rows]


def appended(session: Session, chain: str) -> int:
    """How many events this session's transaction has appended to ``chain``."""
    return session.info.get(_APPENDED, {}).get(chain, 0)


_HEAD_SEQ = select(ChainHead.seq).where(ChainHead.chain == bindparam("chain"))


def chain_seq(session: Session, chain: str) -> int:
    """The chain's head: every change to a campaign's cases moves its chain on (0: no event yet)."""
    return session.connection().execute(_HEAD_SEQ, {"chain": chain}).scalar() or 0


def chain_events(session: Session, chain: str) -> Iterable[Event]:
    return session.exec(select(Event).where(Event.chain == chain).order_by(Event.seq)).scalars()
