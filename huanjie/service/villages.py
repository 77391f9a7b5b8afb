"""Importing and finding villages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from huanjie.errors import InvalidInput, NotFound, Problem
from huanjie.service.campaigns import county_campaign
from huanjie.service.context import Actor, Context
from huanjie.service.village_csv import VillageRow, read_village_csv
from huanjie.store.db import transaction
from huanjie.store.events import EventDraft, append_many
from huanjie.store.models import Campaign, Case, Township, Village


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    townships_created: list[str] = field(default_factory=list)


def import_villages(ctx: Context, *, campaign_code: str, path: Path, actor_name: str | None = None) -> ImportResult:
    rows = read_village_csv(path)
    return save_villages(ctx, campaign_code=campaign_code, rows=rows, actor_name=actor_name, source=path.name)


def save_villages(
    ctx: Context, *, campaign_code: str, rows: list[VillageRow], actor_name: str | None = None, source: str = ""
) -> ImportResult:
    """Create or update villages (all rows or none); rows equal to what is stored change nothing."""
    now = ctx.clock.now()
    result = ImportResult()
    with transaction(ctx.engine) as session:
        actor, campaign = county_campaign(session, actor_name=actor_name, action="导入村名单",
                                          campaign_code=campaign_code)
        launched = set(session.exec(select(Case.village_id).where(Case.campaign_id == campaign.id)))
        townships = {t.name: t for t in session.exec(select(Township).where(Township.campaign_id == campaign.id))}
        existing = {v.code: v for v in session.exec(select(Village).where(Village.campaign_id == campaign.id))}
        drafts: list[EventDraft] = []
        moved: list[Problem] = []
        for row in rows:
            township = townships.get(row.township)
            if township is None:
                township = Township(campaign_id=campaign.id, name=row.township)
                session.add(township)
                session.flush()
                townships[row.township] = township
                result.townships_created.append(row.township)
            wanted = {"name": row.name, "township_id": township.id, "households": row.households, "groups": row.groups}
            village = existing.get(row.code)
            if village is None:
                session.add(Village(campaign_id=campaign.id, code=row.code, **wanted))
                result.created.append(row.code)
                drafts.append(_event("village.created", actor, now, row, wanted))
                continue
            changes = {k: v for k, v in wanted.items() if getattr(village, k) != v}
            if not changes:
                result.unchanged.append(row.code)
                continue
            if "township_id" in changes and village.id in launched:
                moved.append(Problem(f"村 {row.code} 已启动换届，不能改属乡镇 {row.township}（审批范围随之改变）",
                                     field="township", line=row.line))
                continue
            for key, value in changes.items():
                setattr(village, key, value)
            session.add(village)
            result.updated.append(row.code)
            drafts.append(_event("village.updated", actor, now, row, changes))
        if moved:
            raise InvalidInput("村名单中有已启动的村改属其他乡镇，未导入任何村", moved)
        if drafts:
            for d in drafts:
                d.payload["source"] = source
            append_many(session, campaign.code, drafts)
    return result


def _event(kind: str, actor: Actor, now, row: VillageRow, data: dict) -> EventDraft:
    payload = {k: v for k, v in data.items() if k != "township_id"}
    payload["township"] = row.township
    return EventDraft(kind=kind, actor=actor.name, role=actor.role, at=now, village_code=row.code, payload=payload)


def find_village(session: Session, code: str, campaign_code: str | None = None) -> tuple[Campaign, Village]:
    query = select(Village, Campaign).join(Campaign, Campaign.id == Village.campaign_id).where(Village.code == code)
    if campaign_code:
        query = query.where(Campaign.code == campaign_code)
    found = session.exec(query).all()
    if not found:
        raise NotFound(f"找不到村 {code}", [Problem("请检查 --village 参数（村代码）", field="village")])
    if len(found) > 1:
        codes = "、".join(c.code for _, c in found)
        raise InvalidInput(
            f"村代码 {code} 出现在多个换届中（{codes}）",
            [Problem("请用 --campaign 指定换届", field="campaign")],
        )
    village, campaign = found[0]
    return campaign, village
