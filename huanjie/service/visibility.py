"""What a named user may see: the read commands' side of domain.md §4.

Once users exist, every command names its user (``--as``). The county office and auditors see
their county; a township approver, joint reviewer or clerk sees their township or village. The
engine's own commands (run, worker, scheduler) and sending digests are the county office's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from huanjie.errors import PermissionDenied, Problem
from huanjie.service.context import Actor, Context
from huanjie.service.roles import AUDITOR, COUNTY_OFFICE, covers, require, role_label, serves_county
from huanjie.service.users import resolve_actor
from huanjie.store.db import reading
from huanjie.store.models import Campaign, Township, Village

COUNTY_ROLES = (COUNTY_OFFICE, AUDITOR, "system")


@dataclass(frozen=True)
class View:
    """One slice of the store a read command may show: a campaign, optionally one township or village."""

    campaign_code: str
    township: str | None = None
    village: str | None = None


def acting_user(ctx: Context, actor_name: str | None, *, action: str, roles: tuple[str, ...] | None = None) -> Actor:
    """The named user (the system before any user exists), who must hold one of ``roles``."""
    with reading(ctx.engine) as session:
        actor = resolve_actor(session, actor_name)
    if roles is not None:
        allowed = "、".join(role_label(r) for r in roles if r != "system")
        require(actor.role in (*roles, "system"), f"{actor.name}（{role_label(actor.role)}）不能{action}",
                f"{action}限{allowed}（domain.md §4）")
    return actor


def require_campaign(ctx: Context, actor: Actor, campaign_code: str, action: str) -> None:
    """The actor works in the campaign's county (county-level roles only see their own county)."""
    with reading(ctx.engine) as session:
        county = session.exec(select(Campaign.county).where(Campaign.code == campaign_code)).first()
    if county is not None and not serves_county(actor, county):
        raise PermissionDenied(f"{actor.name} 不能{action}：换届 {campaign_code} 不属于本县",
                               [Problem(f"该换届属于 {county}；只能查看本人所在县（区）的换届", field="campaign")])


def require_village(ctx: Context, actor_name: str | None, village_code: str, campaign_code: str | None,
                    action: str) -> Actor:
    """The named user may see this village: its county's office or auditor, its township, or itself."""
    from huanjie.service.villages import find_village

    with reading(ctx.engine) as session:
        actor = resolve_actor(session, actor_name)
        campaign, village = find_village(session, village_code, campaign_code)
        township = session.get(Township, village.township_id).name
    if not may_see(actor, campaign.county, township, village.code):
        raise PermissionDenied(f"{actor.name}（{role_label(actor.role)}）不能{action}：村 {village_code} 不在其范围内",
                               [Problem(_scope_text(actor), field="village")])
    return actor


def may_see(actor: Actor, county: str, township: str, village_code: str) -> bool:
    if actor.role in COUNTY_ROLES:
        return serves_county(actor, county)
    return covers(actor, township, village_code, county)


def views(ctx: Context, actor: Actor, *, campaign_code: str | None, township: str | None,
          village: str | None, action: str) -> list[View]:
    """The slices of the store ``actor`` may see, narrowed by the command's own filters."""
    with reading(ctx.engine) as session:
        query = select(Campaign.code, Campaign.county)
        if campaign_code:
            query = query.where(Campaign.code == campaign_code)
        campaigns = session.exec(query).all()
        if village:
            found = session.exec(select(Campaign.code, Township.name).join(Village, Village.campaign_id == Campaign.id)
                                 .join(Township, Township.id == Village.township_id)
                                 .where(Village.code == village)).all()
        else:
            found = []
    result = []
    for code, county in campaigns:
        if not serves_county(actor, county):
            if campaign_code:
                require_campaign(ctx, actor, code, action)
            continue
        if actor.role in COUNTY_ROLES:
            result.append(View(code, township, village))
            continue
        mine_township = actor.scope if actor.scope_kind == "township" else None
        mine_village = actor.scope if actor.scope_kind == "village" else None
        if village:
            towns = [t for c, t in found if c == code]
            if towns and not covers(actor, towns[0], village, county):
                raise PermissionDenied(f"{actor.name} 不能{action}：村 {village} 不在其范围内",
                                       [Problem(_scope_text(actor), field="village")])
        elif township and township != mine_township and mine_village is None:
            raise PermissionDenied(f"{actor.name} 不能{action}：乡镇 {township} 不在其范围内",
                                   [Problem(_scope_text(actor), field="township")])
        result.append(View(code, township or mine_township, village or mine_village))
    return result


def _scope_text(actor: Actor) -> str:
    if actor.role in COUNTY_ROLES:
        return f"只能查看 {actor.county or '本县'} 的村"
    where = {"township": "乡镇", "village": "村"}.get(actor.scope_kind, "")
    return f"{role_label(actor.role)}只能查看本人范围（{where} {actor.scope}）内的村"
