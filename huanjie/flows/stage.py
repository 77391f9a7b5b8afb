"""One generic stage flow: the stage's catalogue rows become step tasks, for a batch of cases."""

from __future__ import annotations

from prefect import flow, task

from huanjie.flows import runtime
from huanjie.steps.runner import StepOutcome, advance_step


@task(name="step", task_run_name="{step_key} · case {case_id}", retries=2, retry_delay_seconds=1)
def step_task(case_id: int, step_key: str) -> StepOutcome:
    """Idempotent per (case, step): safe to retry and to run again after a crash."""
    return advance_step(runtime.current(), case_id, step_key)


@flow(name="stage", flow_run_name="{stage_key} · {case_count} 个案例", validate_parameters=False)
async def stage_flow(stage_key: str, work: dict[int, list[str]], finished: dict[int, list[str]],
                     case_count: int) -> dict[int, list[str]]:
    """Try each case's candidate steps in catalogue order, each once its prerequisites are finished.

    ``finished`` holds each case's steps already done or skipped; returns the steps this run
    finished, per case.
    """
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    newly: dict[int, list[str]] = {}
    for case_id, keys in work.items():
        done = set(finished.get(case_id, ()))
        newly[case_id] = []
        for key in keys:
            if not all(r in done for r in catalogue.step(key).requires):
                continue
            if step_task(case_id, key).advanced:
                done.add(key)
                newly[case_id].append(key)
    return newly
