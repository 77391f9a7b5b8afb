"""The walk over the catalogue that the flows perform, as plain functions.

The Prefect flows (village.py, stage.py) wrap exactly these, handing in the stage flow and
the step task; tests and ``run_cases(..., prefect=False)`` hand in plain calls.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

from sqlmodel import select

from huanjie.service.context import Context
from huanjie.steps.runner import StepOutcome
from huanjie.steps.state import FINISHED
from huanjie.store.db import reading
from huanjie.store.faults import is_fatal
from huanjie.store.models import StepState

log = logging.getLogger(__name__)
Work = dict[int, list[str]]
RunStage = Callable[[str, Work, Work], Awaitable[Work]]


def plan_work(ctx: Context, case_ids: list[int]) -> tuple[Work, dict[str, Work]]:
    """What a run can do, from one snapshot: the steps already finished per case, and per stage
    (catalogue order) the steps that can move (they have facts, or are conditional) and whose
    prerequisites are finished or may finish earlier in the same run. Steps still waiting for
    facts are left to the clerk and to the overdue sweep."""
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    with reading(ctx.engine) as session:
        rows = session.exec(
            select(StepState.case_id, StepState.step_key, StepState.status, StepState.facts.is_not(None))
            .where(StepState.case_id.in_(case_ids))
        ).all()
    finished: Work = defaultdict(list)
    movable: set[tuple[int, str]] = set()
    for case_id, key, status, has_facts in rows:
        if status in FINISHED:
            finished[case_id].append(key)
        elif has_facts or catalogue.step(key).condition:
            movable.add((case_id, key))
    reachable = _reachable(catalogue, case_ids, finished, movable)
    stages: dict[str, Work] = {}
    for stage in catalogue.stages():
        keys = [s.key for s in catalogue.stage_steps(stage.key)]
        work = {c: [k for k in keys if (c, k) in reachable] for c in case_ids}
        work = {c: ks for c, ks in work.items() if ks}
        if work:
            stages[stage.key] = work
    return finished, stages


async def walk_plan(finished: Work, stages: dict[str, Work], run_stage: RunStage) -> Work:
    """Run the planned work (``plan_work``) stage by stage; returns the steps finished per case."""
    finished = {c: list(keys) for c, keys in finished.items()}
    progress: Work = defaultdict(list)
    for stage_key, work in stages.items():
        newly = await run_stage(stage_key, work, {c: finished.get(c, []) for c in work})
        for case_id, keys_done in newly.items():
            finished.setdefault(case_id, []).extend(keys_done)
            progress[case_id].extend(keys_done)
    return dict(progress)


def _reachable(catalogue, case_ids, finished: Work, movable: set) -> set[tuple[int, str]]:
    """Movable steps whose prerequisites are finished or may themselves finish in this run."""
    reachable: set[tuple[int, str]] = set()
    for case_id in case_ids:
        ready = set(finished[case_id])
        for spec in catalogue.steps():
            if (case_id, spec.key) in movable and all(r in ready for r in spec.requires):
                reachable.add((case_id, spec.key))
                ready.add(spec.key)
    return reachable


def walk_stage(work: Work, finished: Work, advance: Callable[[int, str], StepOutcome]) -> Work:
    """Each case's candidate steps in catalogue order, each once its prerequisites are finished."""
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    newly: Work = {}
    for case_id, keys in work.items():
        done = set(finished.get(case_id, ()))
        newly[case_id] = []
        for key in keys:
            if not all(r in done for r in catalogue.step(key).requires):
                continue
            try:
                outcome = advance(case_id, key)
            except Exception as exc:  # one broken case must not stop the others (its step rolled back)
                if is_fatal(exc):  # a full disk or read-only store fails every case alike: stop the round
                    raise
                log.exception("step %s of case %s failed; the case stops here for this run", key, case_id)
                break
            if outcome.advanced:
                done.add(key)
                newly[case_id].append(key)
    return newly
