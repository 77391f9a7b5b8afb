"""A village's events as plain records, read from the event table only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import orjson
from sqlmodel import Session

from huanjie.audit.encoding import AT_FORMAT
from huanjie.audit.rows import event_batches

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class AuditEvent:
    chain: str
    seq: int
    kind: str
    actor: str
    role: str
    at: dt.datetime          # aware
    village_code: str | None
    election: str | None
    step_key: str | None
    payload: dict
    id: int | None = None
    prev_hash: str = ""
    hash: str = ""


def from_row(chain: str, row: tuple) -> AuditEvent:
    eid, seq, kind, actor, role, at, village, election, step, payload, prev_hash, digest = row
    when = dt.datetime.strptime(at, AT_FORMAT).replace(tzinfo=dt.timezone.utc)
    return AuditEvent(chain, seq, kind, actor, role, when, village, election, step, orjson.loads(payload), eid,
                      prev_hash, digest)


def village_events(session: Session, chain: str, village_code: str) -> list[AuditEvent]:
    """The village's events and its campaign's campaign-wide ones, in chain order."""
    return [from_row(chain, row) for rows in event_batches(session, chain, village_code=village_code) for row in rows]


def instant(value: dt.datetime | None) -> str | None:
    """One text form for every moment shown or compared: ISO 8601 in Asia/Shanghai."""
    return None if value is None else dt.datetime.isoformat(value.astimezone(SHANGHAI))


def day(value: dt.date | str | None) -> str | None:
    return None if value is None else value if isinstance(value, str) else value.isoformat()


def parse_moment(text: str) -> dt.datetime:
    """``YYYY-MM-DD`` (the end of that day) or ``YYYY-MM-DD HH:MM[:SS]``, in Asia/Shanghai."""
    value = text.strip().replace("T", " ")
    try:
        if len(value) == 10:
            end = dt.datetime.combine(dt.date.fromisoformat(value), dt.time.max)
            return end.replace(tzinfo=SHANGHAI)
        return dt.datetime.fromisoformat(value).replace(tzinfo=SHANGHAI)
    except ValueError:
        from huanjie.errors import InvalidInput, Problem

        raise InvalidInput(f"时间“{text}”无法识别", [Problem(
            "请写成 2026-09-15（当日 24 时）或 2026-09-15 10:30，北京时间", field="at")]) from None
