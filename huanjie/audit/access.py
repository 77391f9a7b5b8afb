"""Who may audit, and how: county office and auditors, through read-only sessions only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from huanjie.audit.rows import snapshot
from huanjie.service.context import Actor, Context
from huanjie.service.roles import AUDITOR, COUNTY_OFFICE, require, role_label
from huanjie.service.users import resolve_actor
from huanjie.store.db import reading

AUDIT_ROLES = (COUNTY_OFFICE, AUDITOR, "system")  # "system": before any user exists (set-up)


@contextmanager
def audit_session(ctx: Context, actor_name: str | None) -> Iterator[tuple[Session, Actor]]:
    """A read-only session for an actor allowed to audit (domain.md §4: read, replay, verify, export)."""
    with reading(ctx.engine) as session:
        snapshot(session)  # every read below sees one moment, even while the engine appends
        actor = resolve_actor(session, actor_name)
        require(actor.role in AUDIT_ROLES, f"{actor.name}（{role_label(actor.role)}）不能查看审计记录",
                f"审计核验、回放、日志和导出限{role_label(COUNTY_OFFICE)}和{role_label(AUDITOR)}（换届工作职责分工：审计、纪检只读）")
        yield session, actor
