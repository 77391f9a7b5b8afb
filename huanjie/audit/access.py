"""Who may audit, and how: county office and auditors, through read-only sessions only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from huanjie.audit.rows import snapshot
from huanjie.service.context import Actor, Context
from huanjie.service.roles import AUDITOR, COUNTY_OFFICE, require, role_label, serves_county
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
                f"审计核验、回放、日志和导出限{role_label(COUNTY_OFFICE)}和{role_label(AUDITOR)}（domain.md §4）")
        yield session, actor


def require_campaign(actor: Actor, campaign) -> None:
    """An auditor or county office audits its own county's campaigns only (a city or provincial
    auditor, registered without a county, every county's)."""
    require(serves_county(actor, campaign.county),
            f"{actor.name}（{role_label(actor.role)}）不能查看换届 {campaign.code} 的审计记录",
            f"该换届属于 {campaign.county}；审计记录只对本县（区）的县换届办和审计人员开放")


def visible_chains(session: Session, actor: Actor, chains: list[str]) -> list[str]:
    """The chains ``actor`` may verify: its county's campaigns', and the system and access chains."""
    from sqlmodel import select

    from huanjie.store.models import Campaign

    counties = dict(session.exec(select(Campaign.code, Campaign.county)).all())
    return [c for c in chains if c not in counties or serves_county(actor, counties[c])]
