"""Village staff record a step's facts; the checks run at once so they see what is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from huanjie.errors import Conflict, InvalidInput, NotFound, Problem
from huanjie.service.context import Context
from huanjie.service.roles import RECORDERS, covers, require, role_label
from huanjie.service.users import resolve_actor
from huanjie.service.wakeup import wake
from huanjie.service.villages import find_village
from huanjie.service.corrections import fact_changes, merged
from huanjie.steps.checks.legal_dates import statutory_lateness
from huanjie.steps.facts.documents import document_gaps
from huanjie.steps.facts.validate import Earlier, check_facts
from huanjie.steps import status as transition
from huanjie.steps.runner import check_context, fact_date
from huanjie.steps.state import CaseView, case_id_for, load_case
from huanjie.store.db import transaction


@dataclass
class RecordResult:
    village: str
    step: str
    status: str
    failures: list[dict] = field(default_factory=list)   # checks and document gaps that hold the step
    notes: list[dict] = field(default_factory=list)      # values rewritten: {"field": PATH, "message": 中文}
    changes: dict | None = None                          # a correction: what changed against the facts before


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
                 facts: dict[str, Any], campaign_code: str | None = None, merge: bool = False,
                 lines: dict[str, int] | None = None) -> RecordResult:
    """Record a step's facts, checked against the step's fact schema first (every problem at once,
    nothing written when there is one). With ``merge`` the facts add to what this attempt already
    holds: list entries with the same key (身份证号, 姓名…) replace the earlier entry, others are added.
    Until the gate is decided the recorder (or a township user) may replace the facts; each
    correction's event holds the difference. ``lines`` maps a field PATH to its line in the file."""
    with transaction(ctx.engine) as session:
        return record_in(session, ctx, actor_name=actor_name, village_code=village_code, step_key=step_key,
                         facts=facts, campaign_code=campaign_code, merge=merge, lines=lines)


def record_in(session: Session, ctx: Context, *, actor_name: str | None, village_code: str, step_key: str,
              facts: dict[str, Any], campaign_code: str | None = None, merge: bool = False,
              lines: dict[str, int] | None = None) -> RecordResult:
    """``record_facts`` inside the caller's transaction (bulk entry records many villages in one)."""
    now = ctx.clock.now()
    _check_facts(facts)
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
        raise Conflict(f"步骤 {step_key} 已完成", [Problem("如需更正，请先执行 huanjie step reopen 并说明理由", field="step")])
    if state.status == "awaiting":
        require(may_correct(actor.role, actor.name, state.recorded_by),
                f"步骤 {step_key} 正在等待审批，{actor.name} 不能更正",
                "审批决定之前，只有原填报人或乡镇工作人员可以更正事实")
    reopened = state.status == "skipped"
    schema = view.env.catalogue.facts(step_key)
    before = state.facts
    if merge and state.facts:
        facts = merged(state.facts, facts, schema)
    checked = check_facts(schema, facts, today=now.date(), earlier=_earlier(view, step_key))
    if checked.problems:
        raise InvalidInput(f"步骤 {step_key} 的事实有 {len(checked.problems)} 处问题，未记录",
                           [_with_line(p, lines) for p in checked.problems])
    facts = checked.facts
    state.facts, state.recorded_by, state.recorded_at = facts, actor.name, now  # what the checks read
    from huanjie.steps.checks import run_checks

    failures = [f.__dict__ for f in run_checks(spec.checks, check_context(view, step_key))]
    failures += statutory_lateness(spec, state, fact_date(facts) or now.date())
    if not failures:
        failures = document_gaps(session, view, step_key, fact_date(facts) or now.date())
    transition.recorded(state, facts=facts, by=actor.name, at=now, failures=failures)
    session.add(state)
    wake(session, view.case)
    actor_pair = (actor.name, actor.role)
    drafts = []
    if reopened:
        drafts.append(view.event("step.reopened", step_key, {"reason": "条件步骤补录事实"}, now, actor=actor_pair))
    payload = {"facts": facts, "failures": failures, "attempt": state.attempt}
    if checked.notes:
        payload["notes"] = checked.notes
    changes = fact_changes(before, facts, schema) if before is not None and not reopened else None
    if changes is not None:
        payload["changes"] = changes
    drafts.append(view.event("step.recorded", step_key, payload, now, actor=actor_pair))
    view.write(session, drafts)
    return RecordResult(village=village_code, step=step_key, status=state.status, failures=failures,
                        notes=checked.notes, changes=changes)


def may_correct(role: str, name: str, recorded_by: str | None) -> bool:
    """Who may replace the facts of a step whose gate still waits: its recorder or a township user."""
    return role in ("system", "township_approver") or name == recorded_by


def _check_facts(facts: Any) -> None:
    if not isinstance(facts, dict) or not facts:
        raise InvalidInput("事实须为非空的键值表（JSON 对象 / YAML 映射）", [Problem("请检查输入文件", field="facts")])


def _earlier(view: CaseView, step_key: str) -> Earlier:
    catalogue = view.env.catalogue
    spec = catalogue.step(step_key)
    others = {k: v for k, v in view.facts_by_step().items() if k != step_key}
    done = view.done_dates()
    return Earlier(facts=others, step_names={s.key: s.name for s in catalogue.steps()},
                   gated=frozenset(s.key for s in catalogue.steps() if s.gate),
                   prerequisites={r: done[r] for r in spec.requires if r in done})


def _with_line(problem: Problem, lines: dict[str, int] | None) -> Problem:
    if not lines or problem.field is None:
        return problem
    path = problem.field
    while path:
        if path in lines:
            return Problem(problem.message, field=problem.field, line=lines[path])
        path = path.rpartition("[")[0] if path.endswith("]") else path.rpartition(".")[0]
    return problem
