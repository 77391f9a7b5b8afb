"""After ``record``, ``gate approve`` or ``gate reject``: the step's new state, or exactly what will move it.

When the change left steps that a flow run can move (facts recorded and checked, a gate
decided), a live worker is given a moment to run the case and the state after that run is
reported; without a live worker the answer says so and names the commands that run the flow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlmodel import select

from huanjie.service.context import Context
from huanjie.service.workers import RUN_HINT, START_HINT, live_workers, wait_until_run
from huanjie.store.db import reading
from huanjie.store.models import Case

WAIT_SECONDS = 20.0


@dataclass
class NextMove:
    village: str
    step: str
    status: str
    status_label: str
    holds: list[dict] = field(default_factory=list)       # what holds the step now (service.progress)
    next_steps: list[dict] = field(default_factory=list)  # a finished step: the steps after it, and their holds
    needs_run: bool = False        # some step of the case can move once its flow runs
    workers: int = 0               # live workers
    ran: bool = False              # a worker ran the case meanwhile
    message: str = ""              # Chinese: what will move the case, when it is not moving by itself

    def as_dict(self) -> dict:
        return asdict(self)


def next_move(ctx: Context, *, village_code: str, step_key: str, campaign_code: str | None = None,
              wait_seconds: float = WAIT_SECONDS) -> NextMove:
    from huanjie.service.villages import find_village
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    election = catalogue.step(step_key).election
    with reading(ctx.engine) as session:
        campaign, village = find_village(session, village_code, campaign_code)
        case_id, wake = session.exec(select(Case.id, Case.wake).where(Case.village_id == village.id,
                                                                      Case.election == election)).one()
    progress = _progress(ctx, catalogue, campaign.id, village.code)
    needs_run = _needs_run(ctx, case_id, progress)
    workers = live_workers(ctx) if needs_run else []
    ran = bool(workers) and wait_until_run(ctx, case_id, wake, timeout=wait_seconds)
    if ran:
        progress = _progress(ctx, catalogue, campaign.id, village.code)
    row = progress.steps[step_key]
    move = NextMove(village.code, step_key, row.status, progress.step_dict(step_key)["status_label"],
                    [h.as_dict() for h in progress.holds(step_key)], needs_run=needs_run, workers=len(workers),
                    ran=ran)
    if row.finished:
        move.next_steps = [progress.step_dict(s.key) for s in catalogue.steps()
                           if step_key in s.requires and s.key in progress.steps
                           and not progress.steps[s.key].finished]
    if ran:
        move.needs_run = _needs_run(ctx, case_id, progress)
    if needs_run and not workers:
        move.message = (f"当前没有运行中的工作进程，流程不会自动推进：请执行 {RUN_HINT}（运行一次），"
                        f"或启动 {START_HINT}（常驻，约 1 秒内自动推进）")
    elif needs_run and not ran:
        move.message = (f"工作进程已收到，{wait_seconds:g} 秒内尚未处理完（机器繁忙或批次较大）；"
                        "稍后用 huanjie status 或 huanjie plan 查看")
    return move


def _needs_run(ctx: Context, case_id: int, progress) -> bool:
    """Has the case a step that a flow run would move: recorded, checked, its earlier steps done
    or about to be? (A gate waits for its decision, not for a run.)"""
    from huanjie.flows.walk import plan_work

    _, stages = plan_work(ctx, [case_id])
    keys = {k for work in stages.values() for k in work.get(case_id, ())}
    return any(progress.steps[k].status == "pending" and progress.steps[k].has_facts for k in keys)


def _progress(ctx: Context, catalogue, campaign_id: int, village_code: str):
    from huanjie.service.progress_rows import load_progress

    with reading(ctx.engine) as session:
        [progress] = load_progress(session, catalogue, ctx.clock.today(), campaign_id=campaign_id,
                                   village=village_code)
    return progress


def not_at_gate(session, view, step_key: str, ctx: Context):
    """The Conflict for deciding a gate that is not waiting: what the step needs instead, in words."""
    from huanjie.errors import Conflict, Problem
    from huanjie.service.progress_rows import load_progress
    from huanjie.steps.status import StepStatus, status_label

    state = view.steps[step_key]
    label = status_label(state.status)
    [progress] = load_progress(session, view.env.catalogue, ctx.clock.today(), campaign_id=view.campaign.id,
                               village=view.village.code)
    problems = [Problem(h.text, field="step") for h in progress.holds(step_key)]
    status = StepStatus(state.status)
    if status is StepStatus.DONE:
        message = f"步骤 {step_key} 已完成（已审批），无须再审批"
    elif status is StepStatus.SKIPPED:
        message = f"步骤 {step_key} 已跳过（{state.note or '条件不成立'}），无须审批"
    elif status is StepStatus.BLOCKED:
        message = f"步骤 {step_key} 还不能审批：填报的事实未通过检查（当前：{label}），须先更正"
    elif state.facts is not None:
        message = f"步骤 {step_key} 还不能审批：事实已填报，但流程尚未运行到审批环节（当前：{label}）"
        if not progress.waits_for(step_key):
            problems = [Problem(_run_advice(ctx), field="step")]
    else:
        message = f"步骤 {step_key} 还不能审批：尚未填报事实（当前：{label}）"
    return Conflict(message, problems)


def _run_advice(ctx: Context) -> str:
    if live_workers(ctx):
        return "工作进程正在运行，约 1 秒内会推进到审批环节，请稍候再审批（huanjie gate list 可查看）"
    return f"当前没有运行中的工作进程：请先执行 {RUN_HINT}（运行一次），或启动 {START_HINT}（常驻），然后再审批"
