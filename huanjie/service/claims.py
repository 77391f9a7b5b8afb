"""Claiming woken cases, so that N workers never run the same case at once.

A case needs a run while ``wake > ran``. A worker claims a batch of such cases by writing a
lease on each (``lease_owner``, ``lease_until``) in one short transaction; another worker's
claim skips leased cases. While the batch runs, a thread renews the lease; when it is done
the worker marks each case as run (``ran`` = the ``wake`` it claimed) and releases it. A
worker that crashes stops renewing, and its cases are claimed again once ``lease_until`` has
passed. Results stay right even if a lease expired under a live worker (each step is
idempotent per case and step, in its own transaction); the lease only keeps work from being
done twice.

PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` picks cases no concurrent claim holds, then
an UPDATE writes the lease (a submitted flow run taking up the cases its submitter claimed for
it waits for their locks instead of skipping them). SQLite has one writer at a time (``BEGIN IMMEDIATE``): a guarded
``UPDATE … WHERE`` the lease is free, ``RETURNING`` what it took.

Time is the context's ``wall`` clock (injected; tests move it), not the campaign clock,
which scripted runs pin.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import and_, or_, update
from sqlmodel import col, select

from huanjie.service.context import Context
from huanjie.store.db import reading, transaction
from huanjie.store.models import Campaign, Case

log = logging.getLogger(__name__)


@dataclass(frozen=True, order=True)
class Claim:
    """A case this worker holds, with the wake value its run starts from."""

    case_id: int
    wake: int


def new_owner(kind: str = "run") -> str:
    """A lease owner name unique to this process and call: host, pid, kind, random suffix."""
    return f"{socket.gethostname()[:50]}:{os.getpid()}:{kind}:{uuid.uuid4().hex[:8]}"


def woken_cases(ctx: Context, campaign_code: str | None = None) -> list[tuple[int, int]]:
    """(case id, wake) of every case with something new since its last run, leased or not."""
    with reading(ctx.engine) as session:
        query = select(Case.id, Case.wake).where(col(Case.wake) > col(Case.ran))
        if campaign_code:
            query = query.join(Campaign, Campaign.id == Case.campaign_id).where(Campaign.code == campaign_code)
        return list(session.exec(query.order_by(Case.id)).all())


SUBMITTED = "submit:"  # owners of claims a submitter made for the flow run it submits


def submit_owner() -> str:
    """The owner name a submitter claims under and hands to the flow run it submits."""
    return f"{SUBMITTED}{socket.gethostname()[:50]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lapsed_submit_owners(ctx: Context) -> set[str]:
    """Owners of submitted flow runs whose lease has expired on some case: runs that died (their
    worker killed) or never started in time. Read before those cases are claimed again, which
    overwrites the owner (huanjie.flows.lost_runs marks such runs crashed)."""
    now = ctx.wall.now()
    with reading(ctx.engine) as session:
        rows = session.exec(select(Case.lease_owner).distinct().where(
            col(Case.lease_owner).startswith(SUBMITTED), col(Case.lease_until) <= now)).all()
    return set(rows)


def _free(now: dt.datetime, owner: str):
    """Not leased, or the lease expired; or (a submitted flow run taking its cases up) a
    submitter's claim under the same owner name."""
    free = [col(Case.lease_until).is_(None), col(Case.lease_until) <= now]
    if owner.startswith(SUBMITTED):
        free.append(col(Case.lease_owner) == owner)
    return or_(*free)


def claim_cases(ctx: Context, case_ids: Iterable[int], *, owner: str, seconds: float | None = None,
                wait: bool = False) -> list[Claim]:
    """Lease those of ``case_ids`` that are woken and not leased by anyone else (an expired
    lease counts as free; a submitter's claim is taken up by its flow run, see ``submit_owner``);
    returns what this call took, in case order. The lease lasts ``seconds`` (default ``ctx.lease_seconds``).
    ``wait``: on PostgreSQL, wait for a row another transaction has locked for a moment instead
    of skipping it (the prompt lane: it was told of just these cases, and no one else will be)."""
    ids = sorted(set(case_ids))
    if not ids:
        return []
    now = ctx.wall.now()
    until = now + dt.timedelta(seconds=ctx.lease_seconds if seconds is None else seconds)
    wanted = and_(col(Case.id).in_(ids), col(Case.wake) > col(Case.ran), _free(now, owner))
    with transaction(ctx.engine) as session:
        if session.get_bind().dialect.name == "postgresql":
            # a submitted run taking up its submitter's claim waits for a row another transaction
            # has locked for a moment (a record, the overdue sweep; any insert of a row that
            # refers to the case holds it FOR KEY SHARE): no one else may claim those cases, and
            # skipping one would leave it under the submitter's long lease, unrun. So does the
            # prompt lane (``wait``): a case it skipped would wait for the next poll. The others
            # skip (a polling worker's batch must not queue behind another's)
            wait = wait or owner.startswith(SUBMITTED)
            rows = session.exec(
                select(Case.id, Case.wake).where(wanted).order_by(Case.id).with_for_update(skip_locked=not wait)
            ).all()
            if rows:
                session.execute(update(Case).where(col(Case.id).in_([r[0] for r in rows]))
                                .values(lease_owner=owner, lease_until=until))
        else:
            rows = session.execute(
                update(Case).where(wanted).values(lease_owner=owner, lease_until=until)
                .returning(Case.id, Case.wake)
            ).all()
    return sorted(Claim(case_id, wake) for case_id, wake in rows)


def renew(ctx: Context, claims: Iterable[Claim], *, owner: str) -> int:
    """Push the lease of the cases this owner still holds; returns how many it still holds."""
    ids = [c.case_id for c in claims]
    if not ids:
        return 0
    now = ctx.wall.now()
    with transaction(ctx.engine) as session:
        result = session.execute(
            update(Case).where(col(Case.id).in_(ids), Case.lease_owner == owner)
            .values(lease_until=now + dt.timedelta(seconds=ctx.lease_seconds))
        )
    return result.rowcount


def mark_ran(ctx: Context, claims: Iterable[Claim], *, owner: str) -> int:
    """The run of these claimed cases is done: ``ran`` = the claimed wake, lease released.
    A case woken again during the run keeps ``wake > ran`` and is claimed next time. A lease
    another worker has taken over (this one's expired) is left to that worker."""
    marked = 0
    with transaction(ctx.engine) as session:
        for claim in claims:
            result = session.execute(
                update(Case).where(Case.id == claim.case_id, Case.lease_owner == owner)
                .values(ran=_max(claim.wake), lease_owner=None, lease_until=None)
            )
            marked += result.rowcount
    return marked


def release(ctx: Context, claims: Iterable[Claim], *, owner: str) -> None:
    """Give the cases back unrun (the run failed): another round or worker may claim them now."""
    ids = [c.case_id for c in claims]
    if not ids:
        return
    with transaction(ctx.engine) as session:
        session.execute(update(Case).where(col(Case.id).in_(ids), Case.lease_owner == owner)
                        .values(lease_owner=None, lease_until=None))


def _max(wake: int):
    from sqlalchemy import case

    return case((col(Case.ran) < wake, wake), else_=col(Case.ran))


@contextmanager
def renewing(ctx: Context, claims: list[Claim], *, owner: str, every: float | None = None) -> Iterator[None]:
    """Renew the lease of ``claims`` from a thread while the body runs (a long batch must not
    lose its cases to another worker). A process killed in the body renews no more: its cases
    are claimed again once the lease has expired."""
    stop = threading.Event()
    every = every if every is not None else max(ctx.lease_seconds / 3, 0.05)

    def _renew() -> None:
        while not stop.wait(every):
            try:
                held = renew(ctx, claims, owner=owner)
            except Exception:  # the store busy for a moment: the lease has time left, try again
                log.warning("lease renewal failed", exc_info=True)
                continue
            if held < len(claims):
                log.warning("%s of %s leased cases were taken over after the lease expired", len(claims) - held,
                            len(claims))

    renewer = threading.Thread(target=_renew, name="huanjie-lease", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
