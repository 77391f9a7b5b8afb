"""Village staff record a step's facts; the checks run at once so they see what is wrong."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from huanjie.errors import Conflict, InvalidInput, NotFound, Problem
from huanjie.service.context import Context
from huanjie.service.roles import RECORDERS, covers, require, role_label
from huanjie.service.users import resolve_actor
from huanjie.service.villages import find_village
from huanjie.steps.runner import check_context
from huanjie.steps import status as transition
from huanjie.steps.state import CaseView, case_id_for, load_case
from huanjie.store.db import transaction


@dataclass
class RecordResult:
    village: str
    step: str
    status: str
    failures: list[dict] = field(default_factory=list)


def open_step(session: Session, *, village_code: str, step_key: str, campaign_code: str | None = None,
              lock: bool = True) -> CaseView:
    campaign, village = find_village(session, village_code, campaign_code)
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    try:
        spec = catalogue.step(step_key)
    except KeyError:
        raise NotFound(f"没有步骤 {step_key}", [Problem("步骤编号如 P2.1、V3.2，见 huanjie plan", field="step")]) from None
    case_id = case_id_for(session, village, spec.election)
    if case_id is None:
        raise Conflict(f"村 {village_code} 尚未启动换届流程", [Problem("请先执行 huanjie launch", field="village")])
    return load_case(session, case_id, lock=lock)


def record_facts(ctx: Context, *, actor_name: str | None, village_code: str, step_key: str,
                 facts: dict[str, Any], campaign_code: str | None = None, merge: bool = False) -> RecordResult:
    """Record a step's facts. With ``merge`` the facts add to what this attempt already holds
    (lists are extended: each 联审 department adds its own findings) instead of replacing it."""
    now = ctx.clock.now()
    _check_facts(facts, now.date())
    with transaction(ctx.engine) as session:
        actor = resolve_actor(session, actor_name)
        view = open_step(session, village_code=village_code, step_key=step_key, campaign_code=campaign_code)
        spec = view.env.catalogue.step(step_key)
        allowed = RECORDERS[spec.actor]
        require(
            actor.role == "system" or actor.role in allowed,
            f"{actor.name}（{role_label(actor.role)}）不能填报步骤 {step_key}",
            f"该步骤由{'、'.join(role_label(r) for r in allowed)}填报（换届工作职责分工）",
        )
        require(covers(actor, view.township.name, view.village.code, view.campaign.county),
                f"村 {village_code} 不在 {actor.name} 的负责范围内", f"{actor.name} 的范围：{actor.scope}")
        state = view.steps[step_key]
        if state.status == "done":
            raise Conflict(f"步骤 {step_key} 已完成", [Problem("如需更正，请先执行 huanjie step reopen", field="step")])
        if state.status == "awaiting":
            raise Conflict(f"步骤 {step_key} 正在等待审批", [Problem("审批人驳回后方可重新填报", field="step")])
        reopened = state.status == "skipped"
        if merge and state.facts:
            facts = merged(state.facts, facts)
        from huanjie.steps.checks import run_checks

        state.facts = facts  # the checks read the new facts
        failures = [f.__dict__ for f in run_checks(spec.checks, check_context(view, step_key))]
        transition.recorded(state, facts=facts, by=actor.name, at=now, failures=failures)
        session.add(state)
        view.case.wake += 1
        session.add(view.case)
        actor_pair = (actor.name, actor.role)
        drafts = []
        if reopened:
            drafts.append(view.event("step.reopened", step_key, {"reason": "条件步骤补录事实"}, now, actor=actor_pair))
        drafts.append(view.event("step.recorded", step_key, {"facts": facts, "failures": failures,
                                                             "attempt": state.attempt}, now, actor=actor_pair))
        view.write(session, drafts)
        return RecordResult(village=village_code, step=step_key, status=state.status, failures=failures)


def _check_facts(facts: Any, today: dt.date) -> None:
    if not isinstance(facts, dict) or not facts:
        raise InvalidInput("事实须为非空的键值表（JSON 对象 / YAML 映射）", [Problem("请检查输入文件", field="facts")])
    value = facts.get("date")
    if value is None:
        return
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"日期“{value}”不是 YYYY-MM-DD 格式", [Problem("date 须为该步骤实际进行的日期", field="date")]) from None
    if day > today:
        raise InvalidInput(f"日期 {day} 晚于今天 {today}", [Problem("不能填报尚未发生的事项", field="date")])
    facts["date"] = day.isoformat()


def merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    result = dict(old)
    for key, value in new.items():
        if isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = result[key] + value
        else:
            result[key] = value
    return result
