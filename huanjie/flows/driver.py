"""Running flows for the cases that need it, in this (long-lived) process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from huanjie.flows import runtime
from huanjie.flows.walk import plan_work, walk_plan, walk_stage
from huanjie.service.claims import claim_cases, holding, new_owner, woken_cases
from huanjie.service.context import Context
from huanjie.steps.runner import advance_step

__all__ = ["run_cases", "run_woken", "woken_cases"]


def run_woken(ctx: Context, *, campaign_code: str | None = None, progress: Callable[[int], None] | None = None,
              prefect: bool = True, todo: list[tuple[int, int]] | None = None, check: bool = True,
              owner: str | None = None) -> int:
    """Run the flows of every woken case (or of ``todo``, from ``woken_cases``), in batches;
    returns how many cases ran. Each batch is claimed first (cases another worker holds are
    skipped) and marked as run last (huanjie.service.claims). Raises ``EngineUnavailable`` when
    Prefect's API cannot be reached (checked first with retries, unless ``check`` is off: the
    worker checks once, when it starts and after an outage); the batch is then released unrun."""
    if todo is None:
        todo = woken_cases(ctx, campaign_code)
    if todo and prefect and check:
        from huanjie.flows.prefect_api import check_api

        check_api()
    owner = owner or new_owner()
    ran, size = 0, ctx.batch_size
    for start in range(0, len(todo), size):
        claims = claim_cases(ctx, [case_id for case_id, _ in todo[start:start + size]], owner=owner)
        if claims:
            with holding(ctx, claims, owner=owner):
                run_cases(ctx, [claim.case_id for claim in claims], prefect=prefect)
            ran += len(claims)
        if progress:
            progress(len(todo[start:start + size]))
    return ran


def run_cases(ctx: Context, case_ids: list[int], *, prefect: bool = True) -> dict[int, list[str]]:
    """Walk the cases through the catalogue: as Prefect flows, or (tests, tools) as plain calls."""
    finished, stages = plan_work(ctx, case_ids)  # one snapshot, used by whichever path runs
    if not stages:
        return {}
    if not prefect:
        async def plain_stage(stage_key, work, done):
            return walk_stage(work, done, lambda case_id, key: advance_step(ctx, case_id, key))

        return asyncio.run(walk_plan(finished, stages, plain_stage))
    from huanjie.flows.prefect_api import is_api_failure, unavailable
    from huanjie.flows.stage import stage_flow
    from huanjie.flows.village import village_flow

    try:
        with runtime.using(ctx):
            if len(stages) == 1:
                # One stage has work (typically: a gate was decided): its stage flow alone does
                # exactly what the village flow would, without the parent flow's ≈150 ms.
                [(stage_key, work)] = stages.items()
                newly = asyncio.run(stage_flow(stage_key, work, {c: finished[c] for c in work}, len(work)))
                return {c: keys for c, keys in newly.items() if keys}
            return asyncio.run(village_flow(dict(finished), stages, label=f"{len(case_ids)} 个村的流程"))
    except Exception as exc:
        # Prefect's API went away during the run: each step is its own transaction, so what
        # ran is kept and the rest runs next time (the batch is not marked as run)
        if is_api_failure(exc):
            raise unavailable(exc) from None
        raise

