"""The events' canonical encoding, for rows read straight from the database.

``huanjie.store.events.canonical`` encodes an ``Event`` object; verifying a million events
that way would build a million ORM objects. ``canonical_row`` takes the row's plain values
(the time already as the canonical UTC text, the payload as parsed JSON) and produces the
same bytes: tests/audit/test_encoding.py proves the identity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson

_dumps = orjson.dumps
_SORT = orjson.OPT_SORT_KEYS
_sha256 = hashlib.sha256
AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def at_text(at: dt.datetime) -> str:
    """An aware time as the canonical encoding writes it (UTC, microseconds, 'Z')."""
    return at.astimezone(dt.timezone.utc).strftime(AT_FORMAT)


def canonical_row(chain: str, seq: int, kind: str, actor: str, role: str, at: str, village_code: str | None,
                  election: str | None, step_key: str | None, payload: Any, prev_hash: str) -> bytes:
    return _dumps(
        {"actor": actor, "at": at, "chain": chain, "election": election, "kind": kind, "payload": payload,
         "prev_hash": prev_hash, "role": role, "seq": seq, "step_key": step_key, "village_code": village_code},
        option=_SORT,
    )


def row_hash(chain: str, seq: int, kind: str, actor: str, role: str, at: str, village_code: str | None,
             election: str | None, step_key: str | None, payload: Any, prev_hash: str) -> str:
    return _sha256(canonical_row(chain, seq, kind, actor, role, at, village_code, election, step_key, payload,
                                 prev_hash)).hexdigest()
