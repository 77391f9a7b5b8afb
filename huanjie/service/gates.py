"""Approval gates: who may decide, what waits for whom, and the decision itself.

A decision is one transaction (the GateDecision row, the step change and its event); it
needs no Prefect. It wakes the case so the next flow run (worker, or ``huanjie run``)
carries on from the next step. The unique (step, attempt) key and the status check make a
second, simultaneous decision of the same gate fail instead of counting twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from huanjie.errors import Conflict, InvalidInput, Problem
from huanjie.service.context import Actor, Context
from huanjie.service.records import open_step
from huanjie.service.roles import GATE_ROLES, covers, require, role_label
from huanjie.service.users import resolve_actor
from huanjie.service.wakeup import wake
from huanjie.steps import status as transition
from huanjie.steps.status import StepStatus
from huanjie.steps.runner import complete, fact_date
from huanjie.store.db import reading, transaction
from huanjie.store.models import (
    Campaign,
    Case,
    Event,
    GateDecision,
    StepState,
    Township,
    Village,
)


@dataclass(frozen=True)
class WaitingGate:
    village: str
    village_name: str
    township: str
    step: str
    step_name: str
    recorded_by: str | None
    waiting_since: dt.datetime | None
    due: dt.date
    may_decide: bool
    why_not: str | None


def waiting_gates(ctx: Context, *, actor_name: str | None, campaign_code: str | None = None) -> list[WaitingGate]:
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    with reading(ctx.engine) as session:
        actor = resolve_actor(session, actor_name)
        query = (
            select(StepState, Village, Township, Campaign)
            .join(Case, Case.id == StepState.case_id)
            .join(Village, Village.id == Case.village_id)
            .join(Township, Township.id == Village.township_id)
            .join(Campaign, Campaign.id == Case.campaign_id)
            .where(StepState.status == "awaiting")
            .order_by(StepState.due, Village.code)
        )
        if campaign_code:
            query = query.where(Campaign.code == campaign_code)
        gates = []
        for state, village, township, campaign in session.exec(query):
            if not covers(actor, township.name, village.code, campaign.county):
                continue
            spec = catalogue.step(state.step_key)
            why_not = _why_not(actor, spec, recorders(session, campaign.code, village.code, state))
            gates.append(WaitingGate(village.code, village.name, township.name, state.step_key, spec.name,
                                     state.recorded_by, state.recorded_at, state.due, why_not is None, why_not))
        return gates


def recorders(session, chain: str, village_code: str, state: StepState) -> set[str]:
    """Everyone who recorded facts for this attempt of the step (several departments may)."""
    return recorders_of(session, chain, [(village_code, state.step_key, state.attempt)])[
        (village_code, state.step_key, state.attempt)]


def recorders_of(session, chain: str, attempts) -> dict[tuple[str, str, int], set[str]]:
    """``recorders`` of many (village, step, attempt) at once, in one query (an inbox's gates)."""
    wanted = {tuple(a): set() for a in attempts}
    if not wanted:
        return {}
    villages, steps = sorted({v for v, _, _ in wanted}), sorted({k for _, k, _ in wanted})
    events = session.exec(select(Event.village_code, Event.step_key, Event.actor, Event.payload).where(
        Event.chain == chain, Event.village_code.in_(villages), Event.step_key.in_(steps),
        Event.kind == "step.recorded")).all()
    for village, step, actor, payload in events:
        found = wanted.get((village, step, payload.get("attempt")))
        if found is not None:
            found.add(actor)
    return wanted


def _why_not(actor: Actor, spec, recorded_by: set[str]) -> str | None:
    role = GATE_ROLES[spec.gate]
    if actor.role != role:
        return f"该审批须由{role_label(role)}以本人身份作出"
    if actor.name in recorded_by:
        return "该步骤事实由您本人填报，不能由您审批（职责分离）"
    return None


def decide_gate(ctx: Context, *, actor_name: str, village_code: str, step_key: str, approve: bool,
                reason: str | None = None, campaign_code: str | None = None) -> StepState:
    reason = (reason or "").strip() or None
    if not approve and reason is None:
        raise InvalidInput("驳回须说明理由", [Problem("请写明驳回的理由（退回后由填报人据此更正）", field="reason")])
    now = ctx.clock.now()
    try:
        with transaction(ctx.engine) as session:
            actor = resolve_actor(session, actor_name)
            view = open_step(session, village_code=village_code, step_key=step_key, campaign_code=campaign_code)
            spec = view.env.catalogue.step(step_key)
            state = view.steps[step_key]
            if not spec.gate:
                raise InvalidInput(f"步骤 {step_key} 没有审批环节", [Problem("只有带审批的步骤可以批准或驳回", field="step")])
            require(covers(actor, view.township.name, view.village.code, view.campaign.county),
                    f"村 {village_code} 不在 {actor.name} 的负责范围内", f"{actor.name} 的范围：{actor.scope}")
            why_not = _why_not(actor, spec, recorders(session, view.campaign.code, view.village.code, state))
            require(why_not is None, f"{actor.name}（{role_label(actor.role)}）不能审批步骤 {step_key}", why_not or "")
            if state.status != StepStatus.AWAITING:
                from huanjie.service.follow_up import not_at_gate

                raise not_at_gate(session, view, step_key, ctx)
            decision = "approve" if approve else "reject"
            session.add(GateDecision(step_state_id=state.id, attempt=state.attempt, decision=decision,
                                     decided_by=actor.name, role=actor.role, reason=reason, decided_at=now))
            session.flush()
            drafts = [view.event("gate.decided", step_key, {"decision": decision, "reason": reason,
                                                           "attempt": state.attempt, "gate": spec.gate},
                                 now, actor=(actor.name, actor.role))]
            wake(session, view.case, first=True)  # the one who decided waits for the next step
            if approve:
                # the act happened on the date its facts give (the approver's delay is not the
                # village's); without one, the approval date counts
                complete(session, view, state, now, done_on=fact_date(state.facts) or now.date(), drafts=drafts,
                         actor=(actor.name, actor.role))
            else:
                transition.returned(state, reason)
                session.add(state)
                drafts.append(view.event("step.returned", step_key, {"reason": reason, "attempt": state.attempt},
                                         now, actor=(actor.name, actor.role)))
                view.write(session, drafts)
            return state
    except IntegrityError:
        raise Conflict(f"步骤 {step_key} 已由他人同时作出审批", [Problem("同一审批只记录一次决定", field="step")]) from None
