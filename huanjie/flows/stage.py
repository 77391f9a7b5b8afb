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
async def stage_flow(stage_key: str, starts: dict[int, str], case_count: int) -> dict[int, bool]:
    """Run each case from its first open step of the stage; True where the stage finished."""
    from huanjie.steps.catalogue import load_catalogue

    keys = [s.key for s in load_catalogue().stage_steps(stage_key)]
    finished: dict[int, bool] = {}
    for case_id, first in starts.items():
        finished[case_id] = True
        for key in keys[keys.index(first):]:
            if not step_task(case_id, key).advanced:
                finished[case_id] = False
                break
    return finished
