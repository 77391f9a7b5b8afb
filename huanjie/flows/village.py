"""The village flow: runs a batch of villages' cases through their stages in catalogue order."""

from __future__ import annotations

from collections import defaultdict

from prefect import flow
from sqlmodel import select

from huanjie.flows import runtime
from huanjie.flows.stage import stage_flow
from huanjie.steps.state import FINISHED
from huanjie.store.db import reading
from huanjie.store.models import StepState


@flow(name="village", flow_run_name="{label}", validate_parameters=False)
async def village_flow(case_ids: list[int], label: str) -> dict[int, str]:
    """Each case goes stage by stage until a step cannot advance; returns where each stopped."""
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    ctx = runtime.current()
    with reading(ctx.engine) as session:
        rows = session.exec(
            select(StepState.case_id, StepState.step_key, StepState.status).where(StepState.case_id.in_(case_ids))
        ).all()
    has: dict[int, set[str]] = defaultdict(set)
    open_steps: set[tuple[int, str]] = set()
    for case_id, key, status in rows:
        has[case_id].add(key)
        if status not in FINISHED:
            open_steps.add((case_id, key))
    active = set(case_ids)
    stopped: dict[int, str] = {}
    for stage in catalogue.stages():
        keys = [s.key for s in catalogue.stage_steps(stage.key)]
        starts = {}
        for case_id in sorted(active):
            if keys[0] not in has[case_id]:
                continue  # the other election's stage
            first = next((k for k in keys if (case_id, k) in open_steps), None)
            if first is not None:
                starts[case_id] = first
        if not starts:
            continue
        finished = await stage_flow(stage.key, starts, len(starts))
        for case_id, done in finished.items():
            if not done:
                active.discard(case_id)
                stopped[case_id] = stage.key
    return stopped
