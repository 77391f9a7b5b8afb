"""Flow runs on a standing Prefect server: the deployment, its work pool, and submitting runs.

With ``PREFECT_API_URL`` set (``Context.submits``) the cases flow is a deployment on a
process work pool (both created if missing). ``huanjie launch``, a gate decision and the web
server's dispatcher submit flow runs of it (``run_deployment``, ``timeout=0``) whose
parameters are case ids only, one run per township and batch; Prefect workers started by
``huanjie worker`` (huanjie.flows.prefect_worker), on any number of machines, run them, each in
a process of its own that builds its context from its settings (huanjie.flows.runtime).

No case is run twice at once: the submitter claims each batch (huanjie.service.claims) under
an owner name it passes to the flow run, which takes the cases up under that name. A flow run
that never starts or dies (its worker killed) stops renewing the lease; once it has expired
a dispatcher marks the run Crashed (huanjie.flows.lost_runs: it gives back its township's
slot), claims the cases again and submits a new run, and the old one, should it start after
all, finds nothing left to take.

One township's burst must not starve the rest: each township's runs go to a work queue of
its own, whose concurrency limit (``HUANJIE_PREFECT_TOWNSHIP_LIMIT``) Prefect's server applies
before it hands runs to workers, so a queued burst holds no worker slot while it waits.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import or_
from sqlmodel import col, select

from huanjie.service.claims import claim_cases, lapsed_submit_owners, release, submit_owner
from huanjie.service.context import Context
from huanjie.store.db import reading
from huanjie.store.models import Case, Township, Village

log = logging.getLogger(__name__)
_ready: set[tuple[str, str]] = set()  # (API URL, pool) whose deployment this process has applied
_queues: set[tuple[str, str]] = set()  # (pool, queue) this process has made sure of


def cases_flow():
    """The flow the deployment runs (huanjie.flows.batch: claims first, marks run last)."""
    from huanjie.flows.batch import cases_flow as batch_flow

    return batch_flow


def deployment_name(ctx: Context) -> str:
    return f"{cases_flow().name}/{ctx.prefect.deployment}"


def ensure_deployment(ctx: Context) -> None:
    """Create the process work pool if missing and apply the deployment (idempotent; several
    workers and submitters may do this at once)."""
    key = (ctx.prefect.api_url or "", ctx.prefect.work_pool)
    if key in _ready:
        return
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.deployments.runner import EntrypointType
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from prefect.workers.process import ProcessWorker

    pool = ctx.prefect.work_pool
    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(pool)
        except ObjectNotFound:
            try:
                client.create_work_pool(WorkPoolCreate(
                    name=pool, type="process", base_job_template=ProcessWorker.get_default_base_job_template(),
                    description="huanjie 换届流程（各乡镇一个工作队列）"))
            except ObjectAlreadyExists:
                pass
    deployment = cases_flow().to_deployment(name=ctx.prefect.deployment, entrypoint_type=EntrypointType.MODULE_PATH,
                                            work_pool_name=pool, tags=["huanjie"])
    deployment.apply()
    _ready.add(key)


def township_queue(township: str) -> str:
    """The work queue of a township's flow runs (Prefect names may not hold '/' or '%')."""
    return "乡镇-" + township.replace("/", "_").replace("%", "_")[:90]


def _ensure_queue(ctx: Context, queue: str) -> None:
    if (ctx.prefect.work_pool, queue) in _queues:
        return
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        try:
            client.create_work_queue(name=queue, work_pool_name=ctx.prefect.work_pool,
                                     concurrency_limit=ctx.prefect.township_limit)
        except ObjectAlreadyExists:
            pass
    _queues.add((ctx.prefect.work_pool, queue))


def claimable(ctx: Context, case_ids: Iterable[int] | None = None) -> dict[str, list[int]]:
    """Woken cases no live lease holds, per township (of all cases, or of ``case_ids``)."""
    now = ctx.wall.now()
    query = (select(Case.id, Township.name).join(Village, Village.id == Case.village_id)
             .join(Township, Township.id == Village.township_id)
             .where(col(Case.wake) > col(Case.ran),
                    or_(col(Case.lease_until).is_(None), col(Case.lease_until) <= now)))
    if case_ids is not None:
        ids = sorted(set(case_ids))
        if not ids:
            return {}
        query = query.where(col(Case.id).in_(ids))
    by_township: dict[str, list[int]] = defaultdict(list)
    with reading(ctx.engine) as session:
        for case_id, township in session.exec(query.order_by(Case.id)).all():
            by_township[township].append(case_id)
    return dict(by_township)


def submit(ctx: Context, case_ids: Iterable[int] | None = None) -> int:
    """Submit flow runs for the woken cases (all, or those of ``case_ids``) that no one holds:
    per township and batch of ``ctx.batch_size``, claimed first, then ``run_deployment``
    without waiting. Returns how many cases were submitted. Prefect's API unreachable:
    the claims are released and ``EngineUnavailable`` (in Chinese) is raised."""
    groups = claimable(ctx, case_ids)
    if not groups:
        return 0
    from prefect.deployments import run_deployment

    from huanjie.flows.lost_runs import crash_lost_runs
    from huanjie.flows.prefect_api import is_api_failure, unavailable

    submitted = 0
    try:
        crash_lost_runs(lapsed_submit_owners(ctx))  # before their cases are claimed again (see there)
        ensure_deployment(ctx)
        name = deployment_name(ctx)
        for township, ids in groups.items():
            queue = township_queue(township)
            _ensure_queue(ctx, queue)
            for start in range(0, len(ids), ctx.batch_size):
                owner = submit_owner()
                claims = claim_cases(ctx, ids[start:start + ctx.batch_size], owner=owner,
                                     seconds=ctx.prefect.queued_seconds)
                claims = _without_idle(ctx, claims, owner)
                if not claims:
                    continue
                try:
                    run_deployment(name, parameters={"case_ids": [c.case_id for c in claims], "owner": owner},
                                   timeout=0, as_subflow=False, work_queue_name=queue, tags=["huanjie", owner],
                                   flow_run_name=f"{township} · {len(claims)} 个案件")
                except BaseException:
                    release(ctx, claims, owner=owner)
                    raise
                submitted += len(claims)
    except Exception as exc:
        if is_api_failure(exc):
            raise unavailable(exc) from None
        raise
    return submitted


def _without_idle(ctx: Context, claims, owner: str):
    """Mark run at once the claimed cases with no step that can move (just launched, facts
    still missing): a flow run would start a process to do nothing. Returns the rest."""
    from huanjie.flows.walk import plan_work
    from huanjie.service.claims import mark_ran

    if not claims:
        return claims
    _, stages = plan_work(ctx, [c.case_id for c in claims])
    busy = {case_id for work in stages.values() for case_id in work}
    idle = [c for c in claims if c.case_id not in busy]
    mark_ran(ctx, idle, owner=owner)
    return [c for c in claims if c.case_id in busy]


def after_change(ctx: Context, case_ids: Iterable[int]) -> int:
    """What a command that woke cases does next: in Prefect mode, submit their flow runs now
    (else a worker's round picks them up, as without Prefect mode). Never fails the command:
    the change is stored, and a dispatcher submits what this could not."""
    if not ctx.submits:
        return 0
    try:
        return submit(ctx, case_ids)
    except Exception:
        log.warning("submitting flow runs failed; a dispatcher will submit them", exc_info=True)
        return 0
