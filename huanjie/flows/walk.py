"""The walk over the catalogue that the flows perform, as plain functions.

A run walks a batch of cases stage by stage (catalogue order); inside a stage, step by step,
each step for every case of the batch that can take it (one call per step and batch, each
case in its own transaction). The Prefect flows (batch.py, stage.py) wrap exactly these,
handing in the stage flow and the step task; tests and ``run_cases(..., prefect=False)`` hand
in plain calls, so both paths do the same steps in the same order.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlmodel import select

from huanjie.service.context import Context
from huanjie.steps.runner import advance_step
from huanjie.steps.state import FINISHED, CaseRows
from huanjie.store.db import reading
from huanjie.store.faults import is_fatal
from huanjie.store.models import StepState

log = logging.getLogger(__name__)
Work = dict[int, list[str]]
RunStage = Callable[[str, list[int]], Awaitable[Work]]


@dataclass(frozen=True)
class CaseOutcome:
    """What one step did for one case of a batch."""

    case_id: int
    step: str
    status: str | None  # the step's status after the attempt; None when the attempt failed
    advanced: bool  # the case may go on to the steps that require this one
    error: str | None = None  # the failure's kind (its class name: never its text, which may hold personal data)


AdvanceBatch = Callable[[str, list[int]], list[CaseOutcome]]


def _snapshot(ctx: Context, case_ids: list[int]) -> tuple[Work, set[tuple[int, str]]]:
    """Per case the steps already finished, and the open steps that can move (they have facts,
    or are conditional). Steps still waiting for facts are left to the clerk and the overdue sweep."""
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
    return finished, movable


def plan_work(ctx: Context, case_ids: list[int]) -> tuple[Work, dict[str, Work]]:
    """What a run can do, from one snapshot: the steps already finished per case, and per stage
    (catalogue order) the steps that can move and whose prerequisites are finished or may
    finish earlier in the same run."""
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    finished, movable = _snapshot(ctx, case_ids)
    reachable = _reachable(catalogue, case_ids, finished, movable)
    stages: dict[str, Work] = {}
    for stage in catalogue.stages():
        keys = [s.key for s in catalogue.stage_steps(stage.key)]
        work = {c: [k for k in keys if (c, k) in reachable] for c in case_ids}
        work = {c: ks for c, ks in work.items() if ks}
        if work:
            stages[stage.key] = work
    return finished, stages


async def walk_cases(ctx: Context, case_ids: list[int], run_stage: RunStage) -> Work:
    """Run the stages that have work (``plan_work``) in catalogue order, each for the cases with
    work in it; returns the steps newly finished per case."""
    _, stages = plan_work(ctx, case_ids)
    progress: Work = defaultdict(list)
    for stage_key, work in stages.items():
        newly = await run_stage(stage_key, sorted(work))
        for case_id, keys_done in newly.items():
            progress[case_id].extend(keys_done)
    return {c: keys for c, keys in progress.items() if keys}


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


def walk_stage(ctx: Context, stage_key: str, case_ids: list[int], advance: AdvanceBatch) -> Work:
    """The stage's steps in catalogue order, each once for the cases of the batch whose
    prerequisites are finished (read fresh when the stage starts). A case whose step failed
    stops for this run; the others go on."""
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    finished, movable = _snapshot(ctx, case_ids)
    done = {c: set(finished.get(c, ())) for c in case_ids}
    newly: Work = {c: [] for c in case_ids}
    stopped: set[int] = set()
    for spec in catalogue.stage_steps(stage_key):
        batch = [c for c in case_ids if c not in stopped and (c, spec.key) in movable
                 and all(r in done[c] for r in spec.requires)]
        if not batch:
            continue
        for outcome in advance(spec.key, batch):
            if outcome.error is not None:
                stopped.add(outcome.case_id)
            elif outcome.advanced:
                done[outcome.case_id].add(spec.key)
                newly[outcome.case_id].append(spec.key)
    return {c: keys for c, keys in newly.items() if keys}


def advance_batch(ctx: Context, step_key: str, case_ids: list[int], rows: CaseRows | None = None) -> list[CaseOutcome]:
    """One step for each case of the batch, each case in its own transaction: one broken case
    (its step rolled back) does not stop the others; a full disk or read-only store, which
    fails every case alike, stops the batch. ``rows``: the cases' rows kept from step to step
    (huanjie.steps.state.CaseRows), when the whole run happens in this process."""
    outcomes = []
    for case_id in case_ids:
        try:
            kept = () if rows is None else (rows,)  # (called as before without them)
            result = advance_step(ctx, case_id, step_key, *kept)
        except Exception as exc:
            if is_fatal(exc):
                raise
            log.exception("step %s of case %s failed; the case stops here for this run", step_key, case_id)
            outcomes.append(CaseOutcome(case_id, step_key, None, False, type(exc).__name__))
            continue
        outcomes.append(CaseOutcome(case_id, step_key, str(result.status), result.advanced))
    return outcomes
