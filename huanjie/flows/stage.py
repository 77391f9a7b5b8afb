"""One generic stage flow: the stage's catalogue rows become step tasks, one per step and batch
of cases (each case advanced in its own transaction, each outcome reported)."""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from huanjie.flows import runtime
from huanjie.flows.walk import CaseOutcome, Work, advance_batch, walk_stage


def _task_name() -> str:
    from prefect.runtime import task_run

    params = task_run.parameters
    return f"{params['step_key']} · {len(params['case_ids'])} 个村"


def _flow_name() -> str:
    from prefect.runtime import flow_run

    params = flow_run.parameters
    return f"{params['stage_key']} · {len(params['case_ids'])} 个村"


@task(name="step", task_run_name=_task_name, retries=2, retry_delay_seconds=1, persist_result=False,
      cache_policy=NO_CACHE)
def step_task(step_key: str, case_ids: list[int]) -> list[CaseOutcome]:
    """Idempotent per (case, step): safe to retry and to run again after a crash."""
    return advance_batch(runtime.current(), step_key, case_ids)


@flow(name="stage", flow_run_name=_flow_name, validate_parameters=False, persist_result=False)
async def stage_flow(stage_key: str, case_ids: list[int]) -> Work:
    return walk_stage(runtime.current(), stage_key, case_ids, step_task)
