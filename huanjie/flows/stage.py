"""One generic stage flow: the stage's catalogue rows become step tasks, for a batch of cases."""

from __future__ import annotations

from prefect import flow, task

from huanjie.flows import runtime
from huanjie.flows.walk import Work, walk_stage
from huanjie.steps.runner import StepOutcome, advance_step


@task(name="step", task_run_name="{step_key} · case {case_id}", retries=2, retry_delay_seconds=1)
def step_task(case_id: int, step_key: str) -> StepOutcome:
    """Idempotent per (case, step): safe to retry and to run again after a crash."""
    return advance_step(runtime.current(), case_id, step_key)


@flow(name="stage", flow_run_name="{stage_key} · {case_count} 个村的流程", validate_parameters=False)
async def stage_flow(stage_key: str, work: Work, finished: Work, case_count: int) -> Work:
    return walk_stage(work, finished, step_task)
