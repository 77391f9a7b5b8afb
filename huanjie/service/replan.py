"""Moving election days, reopening steps: every deadline is derived again, never typed in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from huanjie.errors import InvalidInput, Problem
from huanjie.service.campaigns import county_campaign
from huanjie.service.context import Context
from huanjie.service.records import open_step
from huanjie.service.roles import (
    COUNTY_OFFICE,
    TOWNSHIP_APPROVER,
    covers,
    require,
)
from huanjie.service.users import resolve_actor
from huanjie.service.wakeup import wake
from huanjie.steps import status as transition
from huanjie.steps.runner import replan
from huanjie.steps.state import CaseView, load_case
from huanjie.store.db import transaction
from huanjie.store.events import EventDraft, append
from huanjie.store.models import Case


@dataclass
class MoveResult:
    moved: int = 0                                              # due dates that changed
    invalidated: list[dict] = field(default_factory=list)       # {village, step, done_on, due}: reopened
    late: list[dict] = field(default_factory=list)              # done, now after a (plan) deadline: kept
    changes: list[dict] = field(default_factory=list)           # {village, step, from, to}: each moved due date


class _Preview(Exception):
    """Raised inside a move's transaction to roll it back: a preview writes nothing."""


def move_campaign(ctx: Context, *, campaign_code: str, actor_name: str | None, party_day: dt.date | None = None,
                  vc_day: dt.date | None = None, reason: str = "", preview: bool = False,
                  require_reason: bool = False) -> MoveResult:
    """Move the election days and re-plan every case; with ``preview`` nothing is written (the
    result says which due dates would move and which done steps would be invalidated)."""
    if party_day is None and vc_day is None:
        raise InvalidInput("请指定新的选举日", [Problem("--party-day 或 --vc-day 至少一项", field="party_day")])
    if require_reason and not preview and not reason.strip():
        raise InvalidInput("调整选举日须说明原因", [Problem("请填写调整原因（记入审计日志）", field="reason")])
    result = MoveResult()
    try:
        _move(ctx, campaign_code, actor_name, party_day, vc_day, reason, preview, result)
    except _Preview:
        pass
    return result


def _move(ctx, campaign_code, actor_name, party_day, vc_day, reason, preview, result) -> None:
    now = ctx.clock.now()
    with transaction(ctx.engine) as session:
        actor, campaign = county_campaign(session, actor_name=actor_name, action="调整选举日",
                                          campaign_code=campaign_code, lock="update")
        old = {"party_day": campaign.party_day, "vc_day": campaign.vc_day}
        campaign.party_day = party_day or campaign.party_day
        campaign.vc_day = vc_day or campaign.vc_day
        if campaign.vc_day <= campaign.party_day:
            raise InvalidInput(f"村委会选举日 {campaign.vc_day} 须晚于党组织选举日 {campaign.party_day}",
                               [Problem("分段选举：先选村党组织，后选村委会", field="vc_day")])
        session.add(campaign)
        session.flush()
        append(session, campaign.code, EventDraft(
            kind="campaign.moved", actor=actor.name, role=actor.role, at=now,
            payload={"from": old, "to": {"party_day": campaign.party_day, "vc_day": campaign.vc_day},
                     "reason": reason}))
        why = f"选举日调整（{reason}）" if reason else "选举日调整"
        replan_campaign_cases(session, campaign, now, (actor.name, actor.role), why, result)
        if preview:
            raise _Preview()


def replan_campaign_cases(session: Session, campaign, now: dt.datetime, actor: tuple[str, str], why: str,
                          result: MoveResult) -> None:
    """Derive every case's deadlines again; done steps that no longer meet a statutory deadline are
    invalidated and reopened with their dependents."""
    for case_id in session.exec(select(Case.id).where(Case.campaign_id == campaign.id).order_by(Case.id)).all():
        view = load_case(session, case_id)
        # Only statutory deadlines make a done act invalid (e.g. the voter list, 组织法 14); a
        # missed plan date after a move is not a legal defect.
        on_time = {k for k, s in view.steps.items() if s.status == "done" and not s.late and s.statutory}
        drafts = replan(session, view, now, reason=why)
        result.moved += len(drafts)
        result.changes += [{"village": view.village.code, "village_name": view.village.name, "step": d.step_key,
                            "from": d.payload["from"].isoformat(), "to": d.payload["to"].isoformat()} for d in drafts]
        bad = [s for k, s in view.steps.items() if k in on_time and s.done_on and s.done_on > s.due]
        result.late += [{"village": view.village.code, "step": k, "done_on": s.done_on.isoformat(),
                         "due": s.due.isoformat()}
                        for k, s in view.steps.items() if s.status == "done" and s.late and not s.statutory]
        for state in bad:
            result.invalidated.append({"village": view.village.code, "step": state.step_key,
                                       "done_on": state.done_on.isoformat(), "due": state.due.isoformat()})
        view.write(session, drafts)
        if bad:
            reopen_steps(session, view, [s.step_key for s in bad], now, actor, reason=f"{why}后已不满足期限",
                         invalidated=True)


def set_rest_day(ctx: Context, *, campaign_code: str, actor_name: str | None, day: dt.date, label: str | None,
                 remove: bool = False) -> MoveResult:
    """A county's extra rest day (e.g. a declared 选举日 holiday, domain.md §2.2); deadlines follow."""
    if not remove and not (label or "").strip():
        raise InvalidInput("请说明本地休息日的名称", [Problem("如 --label 选举日放假", field="label")])
    now = ctx.clock.now()
    result = MoveResult()
    with transaction(ctx.engine) as session:
        actor, campaign = county_campaign(session, actor_name=actor_name, action="设置本地休息日",
                                          campaign_code=campaign_code, lock="update")
        days = dict(campaign.local_rest_days or {})
        if remove:
            days.pop(day.isoformat(), None)
        else:
            days[day.isoformat()] = label.strip()
        campaign.local_rest_days = days
        session.add(campaign)
        session.flush()
        append(session, campaign.code, EventDraft(
            kind="calendar.local_rest_day", actor=actor.name, role=actor.role, at=now,
            payload={"date": day, "label": label, "removed": remove}))
        replan_campaign_cases(session, campaign, now, (actor.name, actor.role),
                              f"本地休息日调整（{day} {label or '取消'}）", result)
    return result


def refresh_calendar(ctx: Context, *, campaign_code: str, actor_name: str | None) -> MoveResult:
    """After a year's official schedule is added to the data file: recompute provisional dates."""
    from huanjie.calendar import load_calendar

    now = ctx.clock.now()
    result = MoveResult()
    with transaction(ctx.engine) as session:
        actor, campaign = county_campaign(session, actor_name=actor_name, action="更新日历",
                                          campaign_code=campaign_code, lock="update")
        version = load_calendar().version
        if version == campaign.calendar_version:
            return result
        append(session, campaign.code, EventDraft(
            kind="calendar.updated", actor=actor.name, role=actor.role, at=now,
            payload={"from": campaign.calendar_version, "to": version}))
        campaign.calendar_version = version
        session.add(campaign)
        session.flush()
        replan_campaign_cases(session, campaign, now, (actor.name, actor.role), f"法定节假日数据更新（{version}）", result)
    return result


def reopen(ctx: Context, *, actor_name: str | None, village_code: str, step_key: str, reason: str,
           campaign_code: str | None = None) -> list[str]:
    if not reason.strip():
        raise InvalidInput("重新打开步骤须说明理由", [Problem("请用 --reason 写明理由（如：候选人更换）", field="reason")])
    now = ctx.clock.now()
    with transaction(ctx.engine) as session:
        actor = resolve_actor(session, actor_name)
        view = open_step(session, village_code=village_code, step_key=step_key, campaign_code=campaign_code)
        require(actor.role in (COUNTY_OFFICE, TOWNSHIP_APPROVER, "system"), f"{actor.name} 不能重新打开步骤",
                "重新打开步骤须由乡镇或县换届办作出")
        require(covers(actor, view.township.name, view.village.code, view.campaign.county),
                f"村 {village_code} 不在 {actor.name} 的负责范围内", f"{actor.name} 的范围：{actor.scope}")
        return reopen_steps(session, view, [step_key], now, (actor.name, actor.role), reason=reason.strip())


def reopen_steps(session: Session, view: CaseView, keys: list[str], now: dt.datetime, actor: tuple[str, str], *,
                 reason: str, invalidated: bool = False) -> list[str]:
    """Reopen the steps and every step depending on them; the history stays in the events."""
    catalogue = view.env.catalogue
    todo: list[str] = []
    for key in keys:
        for k in [key, *catalogue.dependents(key)]:
            if k in view.steps and k not in todo:
                todo.append(k)
    drafts = []
    reopened = []
    for key in sorted(todo, key=catalogue.order):
        state = view.steps[key]
        if state.status == "pending" and state.facts is None:
            continue
        drafts.append(view.event("step.invalidated" if invalidated and key in keys else "step.reopened", key,
                                 {"reason": reason, "was": state.status, "attempt": state.attempt + 1}, now,
                                 actor=actor))
        transition.reopened(state, reason, invalidated=invalidated and key in keys)
        session.add(state)
        reopened.append(key)
    wake(session, view.case)
    drafts.extend(replan(session, view, now, reason=reason))
    view.write(session, drafts)
    return reopened
