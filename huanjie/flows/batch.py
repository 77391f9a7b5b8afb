"""The one flow a deployment runs: ``cases_flow(case_ids, owner)``.

Its parameters are small (ids and a lease owner), so a Prefect worker anywhere can run it:
its first task claims the cases (huanjie.service.claims: cases another owner holds are
skipped), then it runs the stages that have work, each a stage flow of step tasks (one task
per step and batch of cases), renewing the lease meanwhile; its last task marks the claimed
cases as run and releases the lease, or only releases it when the run failed. A process
killed mid-batch leaves its lease behind; the cases are claimed again once it has expired
(each step is idempotent, so nothing is done twice).

``run_batch`` is that sequence as a plain function; the flow and ``run_woken(...,
prefect=False)`` both use it, with tasks or plain calls.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from huanjie.flows import runtime
from huanjie.flows.walk import Work, walk_cases
from huanjie.service.claims import Claim, claim_cases, mark_ran, new_owner, release, renewing
from huanjie.service.context import Context

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    claimed: list[int] = field(default_factory=list)  # the cases this run held (the others were skipped)
    advanced: Work = field(default_factory=dict)  # steps newly finished, per case


Claimer = Callable[[list[int], str], list[Claim]]
Finisher = Callable[[list[Claim], str, bool], int]


async def run_batch(ctx: Context, case_ids: list[int], owner: str, *, claim: Claimer, finish: Finisher,
                    walk: Callable[[list[int]], Awaitable[Work]], every: float | None = None) -> BatchResult:
    """Claim, walk the claimed cases while renewing their lease (every ``every`` seconds, by
    default a third of the lease), then mark them run; on failure release them (and re-raise)."""
    claims = claim(list(case_ids), owner)
    if not claims:
        return BatchResult()
    ids = [c.case_id for c in claims]
    try:
        with renewing(ctx, claims, owner=owner, every=every):
            advanced = await walk(ids)
    except BaseException:
        try:
            finish(claims, owner, False)
        except Exception:  # e.g. Prefect's API gone: release them without a task run
            log.warning("releasing the lease through a task failed; releasing directly", exc_info=True)
            release(ctx, claims, owner=owner)
        raise
    finish(claims, owner, True)
    return BatchResult(ids, advanced)


def claim_plain(ctx: Context, *, wait: bool = False) -> Claimer:
    return lambda case_ids, owner: claim_cases(ctx, case_ids, owner=owner, wait=wait)


def finish_plain(ctx: Context) -> Finisher:
    def finish(claims: list[Claim], owner: str, ran: bool) -> int:
        if ran:
            return mark_ran(ctx, claims, owner=owner)
        release(ctx, claims, owner=owner)
        return 0

    return finish


@task(name="claim", persist_result=False, cache_policy=NO_CACHE)
def claim_task(case_ids: list[int], owner: str) -> list[Claim]:
    return claim_plain(runtime.current())(case_ids, owner)


@task(name="finish", persist_result=False, cache_policy=NO_CACHE)
def finish_task(claims: list[Claim], owner: str, ran: bool) -> int:
    """Mark the claimed cases run (``ran``) or give them back unrun; the lease is released either way."""
    return finish_plain(runtime.current())(claims, owner, ran)


def _flow_name() -> str:
    from prefect.runtime import flow_run

    return f"{len(flow_run.parameters['case_ids'])} 个村的流程"


@flow(name="cases", flow_run_name=_flow_name, validate_parameters=False, persist_result=False)
async def cases_flow(case_ids: list[int], owner: str | None = None) -> BatchResult:
    """Claim ``case_ids`` for ``owner`` (default: a new owner name), run their stages, mark them run."""
    from huanjie.flows.stage import stage_flow

    ctx = runtime.current()
    return await run_batch(ctx, case_ids, owner or new_owner("flow"), claim=claim_task, finish=finish_task,
                           walk=lambda ids: walk_cases(ctx, ids, stage_flow))
