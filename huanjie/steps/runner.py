"""The generic step runner: one catalogue row, one case, one transaction.

``advance_step`` is idempotent, keyed by (case, step): a finished step is left alone, an open
step is taken as far as its facts, checks, gate and deadline allow. The Prefect stage flows
(huanjie.flows) call it as a task; tests call it directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from huanjie.documents.produce import produce_documents
from huanjie.service.context import Context
from huanjie.steps import status as transition
from huanjie.steps.state import FINISHED, CaseRows, CaseView, load_case
from huanjie.steps.status import StepStatus
from huanjie.store.db import transaction


@dataclass(frozen=True)
class StepOutcome:
    case_id: int
    step: str
    status: StepStatus
    advanced: bool   # the flow may go on to the next step


def advance_step(ctx: Context, case_id: int, step_key: str, rows: CaseRows | None = None) -> StepOutcome:
    """``rows``: the run's rows kept from its earlier steps (read again when someone else wrote)."""
    if rows is None:
        with transaction(ctx.engine) as session:
            view = load_case(session, case_id, lock=True)
            return advance_in(session, view, step_key, ctx.clock.now())
    try:
        with transaction(ctx.engine) as session:
            view = rows.load(session, case_id)
            outcome = advance_in(session, view, step_key, ctx.clock.now())
            rows.wrote(session, view)
            return outcome
    except BaseException:
        rows.forget()  # rolled back: what was kept may hold the undone changes
        raise


def advance_in(session: Session, view: CaseView, step_key: str, now: dt.datetime) -> StepOutcome:
    from huanjie.steps.checks import run_checks

    spec = view.env.catalogue.step(step_key)
    state = view.steps[step_key]

    def outcome(advanced: bool) -> StepOutcome:
        return StepOutcome(view.case.id, step_key, StepStatus(state.status), advanced)

    if state.status in FINISHED:
        return outcome(True)
    if any(view.steps[r].status not in FINISHED for r in spec.requires if r in view.steps):
        return outcome(False)
    drafts = []
    check_ctx = check_context(view, step_key)
    condition_failure = None
    if spec.condition:
        from huanjie.steps.conditions import CONDITIONS

        cond = CONDITIONS[spec.condition]
        holds, reason = cond.fn(check_ctx)
        if not holds and state.facts is not None:
            # facts recorded for a step whose condition is false (e.g. a 另行选举 with every seat
            # filled): nothing to do here but say so
            condition_failure = {"check": spec.condition, "field": None,
                                 "message": f"本步骤的前提不成立：{reason}；如确需办理，请核对前序步骤的事实"}
        elif not holds:
            if cond.open_until_due and now < view.env.calendar.deadline_end(state.due):
                return outcome(False)  # the condition may still come true before its deadline
            transition.skipped(state, reason)
            session.add(state)
            view.write(session, [view.event("step.skipped", step_key, {"reason": reason}, now)])
            return outcome(True)
    if state.facts is None:
        note_overdue(view, state, now, drafts)
        view.write(session, drafts)
        session.add(state)
        return outcome(False)
    from huanjie.steps.checks.legal_dates import statutory_lateness

    failures = [f.__dict__ for f in run_checks(spec.checks, check_ctx)]
    failures += statutory_lateness(spec, state, fact_date(state.facts) or now.date())
    if not failures and not condition_failure and spec.documents:
        from huanjie.steps.facts.documents import document_gaps

        failures = document_gaps(session, view, step_key, fact_date(state.facts) or now.date())
    if condition_failure:
        failures.insert(0, condition_failure)
    if failures:
        if state.status != StepStatus.BLOCKED or state.failures != failures:
            transition.blocked(state, failures)
            drafts.append(view.event("check.failed", step_key, {"failures": failures}, now))
        note_overdue(view, state, now, drafts)
        session.add(state)
        view.write(session, drafts)
        return outcome(False)
    if state.status == StepStatus.BLOCKED:
        drafts.append(view.event("check.passed", step_key, {"checks": list(spec.checks)}, now))
    if spec.gate:
        if state.status != StepStatus.AWAITING:
            transition.awaiting(state)
            drafts.append(view.event("gate.awaiting", step_key, {"gate": spec.gate, "attempt": state.attempt}, now))
        session.add(state)
        view.write(session, drafts)
        return outcome(False)
    complete(session, view, state, now, done_on=fact_date(state.facts) or now.date(), drafts=drafts)
    return outcome(True)


def complete(session: Session, view: CaseView, state, now: dt.datetime, *, done_on: dt.date,
             drafts: list, actor: tuple[str, str] | None = None) -> None:
    """Mark a step done (late if after its due date) and re-plan the steps that count from it."""
    transition.done(state, at=now, done_on=done_on)
    session.add(state)
    payload = {"done_on": done_on, "due": state.due, "late": state.late, "attempt": state.attempt}
    kwargs = {"actor": actor} if actor else {}
    drafts.append(view.event("step.done", state.step_key, payload, now, **kwargs))
    drafts.extend(replan(session, view, now, reason=f"依据 {state.step_key} 的实际完成日 {done_on}"))
    produce_documents(session, view, state, now, drafts)
    view.write(session, drafts)


def replan(session: Session, view: CaseView, now: dt.datetime, *, reason: str) -> list:
    """Recompute this case's due dates from anchors and done dates; one event per moved date."""
    plan = view.env.plan(view.done_dates())
    drafts = []
    for key, state in view.steps.items():
        planned = plan[key]
        milestones = planned.milestones_json()
        warnings = list(planned.warnings)
        if (state.due, state.provisional, state.milestones, state.warnings) == \
                (planned.due, planned.provisional, milestones, warnings):
            continue
        drafts.append(view.event("deadline.moved", key, {"from": state.due, "to": planned.due,
                                                         "provisional": planned.provisional, "warnings": warnings,
                                                         "milestones": milestones, "reason": reason}, now))
        state.due, state.provisional = planned.due, planned.provisional
        state.warnings, state.milestones = warnings, milestones
        if state.status == StepStatus.DONE and state.done_on:
            state.late = state.done_on > state.due  # judged against the deadline in force now
        session.add(state)
    return drafts


def note_overdue(view: CaseView, state, now: dt.datetime, drafts: list) -> None:
    """An open step past the end (24:00) of its due day becomes overdue: one event, once."""
    if state.overdue_noted or now < view.env.calendar.deadline_end(state.due):
        return
    state.overdue_noted = True
    drafts.append(view.event("step.overdue", state.step_key, {"due": state.due}, now))


def check_context(view: CaseView, step_key: str):
    from huanjie.steps.checks import CheckContext

    facts = view.steps[step_key].facts or {}
    order = view.env.catalogue.order
    others = {k: v for k, v in sorted(view.facts_by_step().items(), key=lambda kv: order(kv[0])) if k != step_key}
    return CheckContext(facts=facts, case_facts=others, profile=view.env.profile, village=view.village_info(),
                        step=step_key, calendar=view.env.calendar, anchors=dict(view.env.anchors),
                        done=view.done_dates())


def fact_date(facts: dict | None) -> dt.date | None:
    value = (facts or {}).get("date")
    return dt.date.fromisoformat(value) if isinstance(value, str) else None
