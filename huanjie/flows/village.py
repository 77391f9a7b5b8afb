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
async def village_flow(case_ids: list[int], label: str) -> dict[int, list[str]]:
    """Run every step that can move (it has facts, or is conditional) once its prerequisites are
    finished; stages in catalogue order. Steps still waiting for facts are left to the clerk
    (and to the overdue sweep). Returns the steps finished per case."""
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    ctx = runtime.current()
    with reading(ctx.engine) as session:
        rows = session.exec(
            select(StepState.case_id, StepState.step_key, StepState.status, StepState.facts.is_not(None))
            .where(StepState.case_id.in_(case_ids))
        ).all()
    finished: dict[int, list[str]] = defaultdict(list)
    movable: set[tuple[int, str]] = set()
    for case_id, key, status, has_facts in rows:
        if status in FINISHED:
            finished[case_id].append(key)
        elif has_facts or catalogue.step(key).condition:
            movable.add((case_id, key))
    progress: dict[int, list[str]] = defaultdict(list)
    for stage in catalogue.stages():
        keys = [s.key for s in catalogue.stage_steps(stage.key)]
        work = {c: [k for k in keys if (c, k) in movable] for c in case_ids}
        work = {c: ks for c, ks in work.items() if ks}
        if not work:
            continue
        newly = await stage_flow(stage.key, work, {c: finished[c] for c in work}, len(work))
        for case_id, keys_done in newly.items():
            finished[case_id].extend(keys_done)
            progress[case_id].extend(keys_done)
    return dict(progress)
