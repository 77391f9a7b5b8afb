"""Refused actions leave a trace: who tried what, and why it was refused.

A refusal is an audit event of its own hash chain, ``access``, apart from the campaigns'
chains (a refusal changes no state, so replay never sees it) but hash-chained, append-only
and verified like them. It is written in its own transaction after the refused one rolled
back; a store that cannot take the write (disk full) loses the trace, never the answer.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import select

from huanjie.audit.completeness import ACCESS_CHAIN
from huanjie.errors import HuanjieError
from huanjie.privacy import mask
from huanjie.service.context import Context
from huanjie.store.db import reading, transaction
from huanjie.store.events import EventDraft, append
from huanjie.store.models import User

log = logging.getLogger(__name__)
UNNAMED = "（未指明用户）"


def is_refusal(exc: HuanjieError) -> bool:
    """A permission refusal, or a command refused for naming no (or an unknown) user."""
    from huanjie.errors import PermissionDenied

    return isinstance(exc, PermissionDenied) or any(p.field == "as" for p in exc.problems)


def record_refusal(ctx: Context, *, actor_name: str | None, action: str, error: HuanjieError,
                   target: dict[str, Any] | None = None) -> bool:
    """Append an ``access.refused`` event; False when the store could not take it."""
    from huanjie.plain_text import clean

    name = clean(actor_name)[:60] if actor_name else UNNAMED
    try:
        with reading(ctx.engine) as session:
            role = session.exec(select(User.role).where(User.name == actor_name)).first() if actor_name else None
        payload = mask({"action": clean(action)[:200], "reason": error.message,
                        "rules": [p.message for p in error.problems][:5],
                        "target": {k: clean(v)[:100] for k, v in (target or {}).items() if v not in (None, False)}})
        with transaction(ctx.engine) as session:
            append(session, ACCESS_CHAIN, EventDraft(kind="access.refused", actor=name, role=role or "unknown",
                                                     at=ctx.clock.now(), payload=payload))
        return True
    except Exception:  # the refusal itself stands; only its trace is lost
        log.warning("could not record a refused action", exc_info=False)
        return False


def refusals(ctx: Context, *, actor_name: str | None = None, limit: int = 200) -> list[dict]:
    """The latest refused actions (for the county office and auditors)."""
    from huanjie.audit.access import audit_session
    from huanjie.store.models import Event

    with audit_session(ctx, actor_name) as (session, _actor):
        rows = session.exec(select(Event).where(Event.chain == ACCESS_CHAIN).order_by(Event.seq.desc())
                            .limit(limit)).all()
    return [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "role": e.role, **e.payload} for e in rows]
