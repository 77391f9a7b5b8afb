"""Campaigns: one county's re-election under one rule profile and two anchor dates."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, func, select

from huanjie.errors import InvalidInput, NotFound, Problem
from huanjie.service.context import Context
from huanjie.store.db import reading, transaction
from huanjie.store.events import EventDraft, append
from huanjie.store.models import Campaign


def create_campaign(
    ctx: Context,
    *,
    name: str,
    county: str,
    profile: str,
    party_day: dt.date,
    vc_day: dt.date,
    actor_name: str | None = None,
) -> Campaign:
    from huanjie.calendar import load_calendar
    from huanjie.rules import ProfileError, load_profile
    from huanjie.steps.catalogue import load_catalogue

    problems: list[Problem] = []
    if not name.strip():
        problems.append(Problem("换届名称不能为空", field="name"))
    if not county.strip():
        problems.append(Problem("县（区）名称不能为空", field="county"))
    from huanjie.plain_text import name_problem

    for value, label, field, limit in ((name.strip(), "换届名称", "name", 200), (county.strip(), "县（区）", "county", 100)):
        problem = name_problem(value, label, field, limit=limit)
        if problem:
            problems.append(problem)
    try:
        rule_profile = load_profile(profile)
    except ProfileError as exc:
        problems.append(Problem(str(exc), field="profile"))
    if vc_day <= party_day:
        problems.append(
            Problem(
                f"村委会选举日 {vc_day} 须晚于党组织选举日 {party_day}（分段选举：先选村党组织，后选村委会）",
                field="vc_day",
            )
        )
    if problems:
        raise InvalidInput("无法创建换届", problems)

    now = ctx.clock.now()
    with transaction(ctx.engine) as session:
        from huanjie.service.users import county_office

        actor = county_office(session, actor_name, "创建换届")
        from huanjie.service.roles import require_county

        require_county(actor, county.strip())
        code = _next_code(session, party_day.year)
        campaign = Campaign(
            code=code,
            name=name.strip(),
            county=county.strip(),
            profile_code=rule_profile.code,
            profile_version=rule_profile.version,
            catalogue_version=load_catalogue().version,
            calendar_version=load_calendar().version,
            party_day=party_day,
            vc_day=vc_day,
            created_at=now,
        )
        session.add(campaign)
        session.flush()
        append(
            session,
            code,
            EventDraft(
                kind="campaign.created",
                actor=actor.name,
                role=actor.role,
                at=now,
                payload=campaign.model_dump(exclude={"id", "created_at"}),
            ),
        )
    return campaign


def _next_code(session: Session, year: int) -> str:
    prefix = f"HJ{year}-"
    last = session.exec(select(func.max(Campaign.code)).where(Campaign.code.startswith(prefix))).one()
    return f"{prefix}{int(last[len(prefix):]) + 1 if last else 1:03d}"


def get_campaign(session: Session, code: str, *, lock: str | None = None) -> Campaign:
    """``lock``: "share" for acts that plan from the campaign (launch), "update" for acts that
    change its dates (see huanjie.steps.state.load_case for the lock order)."""
    query = select(Campaign).where(Campaign.code == code)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=lock == "share")
    campaign = session.exec(query).first()
    if campaign is None:
        raise NotFound(f"找不到换届 {code}", [Problem("请检查 --campaign 参数", field="campaign")])
    return campaign


def county_campaign(session: Session, *, actor_name: str | None, action: str, campaign_code: str,
                    lock: str | None = None):
    """(actor, campaign) for an act reserved to the county office of the campaign's county."""
    from huanjie.service.roles import require_county
    from huanjie.service.users import county_office

    actor = county_office(session, actor_name, action)
    campaign = get_campaign(session, campaign_code, lock=lock)
    require_county(actor, campaign.county)
    return actor, campaign


def list_campaigns(ctx: Context) -> list[Campaign]:
    with reading(ctx.engine) as session:
        return list(session.exec(select(Campaign).order_by(Campaign.id)))
