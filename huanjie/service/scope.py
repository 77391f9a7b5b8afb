"""What a user may see: campaigns and villages inside their county / township / village scope.

A village outside the scope answers "not found", exactly as one that does not exist: another
county's data is not even confirmed to exist (domain.md §4, data scope).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from huanjie.errors import NotFound, Problem
from huanjie.service.context import Actor, Context
from huanjie.service.roles import serves_county
from huanjie.service.users import resolve_actor
from huanjie.store.db import reading
from huanjie.store.models import Campaign, Township, Village


@dataclass(frozen=True)
class VillageRef:
    campaign: str
    campaign_name: str
    county: str
    code: str
    name: str
    township: str
    households: int
    groups: int


def actor(ctx: Context, name: str) -> Actor:
    with reading(ctx.engine) as session:
        return resolve_actor(session, name)


def visible_campaigns(ctx: Context, *, actor_name: str) -> list[Campaign]:
    with reading(ctx.engine) as session:
        who = resolve_actor(session, actor_name)
        campaigns = session.exec(select(Campaign).order_by(Campaign.code.desc())).all()
        return [c for c in campaigns if serves_county(who, c.county)]


def visible_village(ctx: Context, *, actor_name: str, village_code: str, campaign_code: str | None = None) -> VillageRef:
    with reading(ctx.engine) as session:
        return village_in_scope(session, resolve_actor(session, actor_name), village_code, campaign_code)


def village_in_scope(session: Session, who: Actor, village_code: str, campaign_code: str | None = None) -> VillageRef:
    query = (select(Village, Township, Campaign).join(Township, Township.id == Village.township_id)
             .join(Campaign, Campaign.id == Village.campaign_id).where(Village.code == village_code))
    if campaign_code:
        query = query.where(Campaign.code == campaign_code)
    from huanjie.service.visibility import may_see

    for village, township, campaign in session.exec(query):
        if may_see(who, campaign.county, township.name, village.code):
            return VillageRef(campaign.code, campaign.name, campaign.county, village.code, village.name,
                              township.name, village.households, village.groups)
    raise NotFound(f"找不到村 {village_code}", [Problem("该村不存在，或不在您的负责范围内", field="village")])


def visible_townships(ctx: Context, *, actor_name: str, campaign_code: str) -> list[str]:
    with reading(ctx.engine) as session:
        who = resolve_actor(session, actor_name)
        rows = session.exec(select(Township.name, Campaign.county).join(Campaign, Campaign.id == Township.campaign_id)
                            .where(Campaign.code == campaign_code).order_by(Township.name)).all()
    return [t for t, county in rows if serves_county(who, county)
            and (who.scope_kind == "county" or who.role == "system" or (who.scope_kind == "township" and who.scope == t))]


def require_county_office(ctx: Context, *, actor_name: str, action: str) -> Actor:
    """The county office (of its own county) only: campaigns, villages, users, dates, digests."""
    from huanjie.service.users import county_office

    with reading(ctx.engine) as session:
        return county_office(session, actor_name, action)


def county_campaign_of(ctx: Context, *, actor_name: str, campaign_code: str, action: str) -> Campaign:
    """A campaign the acting county office runs (its own county's); NotFound for any other."""
    from huanjie.service.campaigns import county_campaign

    with reading(ctx.engine) as session:
        _actor, campaign = county_campaign(session, actor_name=actor_name, action=action, campaign_code=campaign_code)
        return campaign


def users_of_county(ctx: Context, *, actor_name: str) -> list:
    from huanjie.service.users import list_users

    who = require_county_office(ctx, actor_name=actor_name, action="管理用户")
    return [u for u in list_users(ctx) if who.role == "system" or (u.county is not None and serves_county(who, u.county))
            or u.name == who.name]
