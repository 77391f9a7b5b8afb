"""Running flows for the cases that need it, in this (long-lived) process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from huanjie.flows import runtime
from huanjie.flows.walk import advance_batch, walk_cases, walk_stage
from huanjie.service.claims import new_owner, woken_cases
from huanjie.service.context import Context
from huanjie.steps.state import CaseRows

__all__ = ["run_cases", "run_woken", "woken_cases"]


def run_woken(ctx: Context, *, campaign_code: str | None = None, progress: Callable[[int], None] | None = None,
              prefect: bool = True, todo: list[tuple[int, int]] | None = None, check: bool = True,
              owner: str | None = None, wait: bool = False) -> int:
    """Run the flows of every woken case (or of ``todo``, from ``woken_cases``), in batches;
    returns how many cases ran. Each batch is one ``cases_flow`` (huanjie.flows.batch): claimed
    first (cases another worker holds are skipped), marked as run last. Raises
    ``EngineUnavailable`` when Prefect's API cannot be reached (checked first with retries,
    unless ``check`` is off: the worker checks once, when it starts and after an outage); the
    batch is then released unrun. ``wait``: the claim waits for cases another transaction has
    locked for a moment instead of skipping them (huanjie.service.claims.claim_cases; plain runs only)."""
    if todo is None:
        todo = woken_cases(ctx, campaign_code)
    if todo and prefect and check:
        from huanjie.flows.prefect_api import check_api

        check_api()
    owner = owner or new_owner()
    ran, size = 0, ctx.batch_size
    for start in range(0, len(todo), size):
        ids = [case_id for case_id, _ in todo[start:start + size]]
        ran += len(_run_batch(ctx, ids, owner, prefect=prefect, wait=wait).claimed)
        if progress:
            progress(len(ids))
    return ran


def _run_batch(ctx: Context, case_ids: list[int], owner: str, *, prefect: bool, wait: bool = False):
    from huanjie.flows.batch import claim_plain, finish_plain, run_batch

    if not prefect:
        return asyncio.run(run_batch(ctx, case_ids, owner, claim=claim_plain(ctx, wait=wait), finish=finish_plain(ctx),
                                     walk=lambda ids: walk_cases(ctx, ids, _plain_stage(ctx))))
    from huanjie.flows.batch import cases_flow

    return _with_prefect(ctx, lambda: cases_flow(case_ids, owner))


def run_cases(ctx: Context, case_ids: list[int], *, prefect: bool = True) -> dict[int, list[str]]:
    """Walk the cases through the catalogue without claiming them (tests, tools): as Prefect
    stage flows, or as plain calls. Returns the steps newly finished per case."""
    if not prefect:
        return asyncio.run(walk_cases(ctx, case_ids, _plain_stage(ctx)))
    from huanjie.flows.stage import stage_flow

    return _with_prefect(ctx, lambda: walk_cases(ctx, case_ids, stage_flow))


def _plain_stage(ctx: Context):
    rows = CaseRows()  # one run's cases read once, kept from step to step

    async def plain_stage(stage_key: str, case_ids: list[int]):
        return walk_stage(ctx, stage_key, case_ids, lambda key, ids: advance_batch(ctx, key, ids, rows))

    return plain_stage


def _with_prefect(ctx: Context, make):
    from huanjie.flows.prefect_api import is_api_failure, unavailable

    try:
        with runtime.using(ctx):
            return asyncio.run(make())
    except Exception as exc:
        # Prefect's API went away during the run: each step is its own transaction, so what
        # ran is kept and the rest runs next time (the batch is not marked as run)
        if is_api_failure(exc):
            raise unavailable(exc) from None
        raise
