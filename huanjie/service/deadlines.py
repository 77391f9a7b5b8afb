"""Noting overdue steps across a campaign (the worker and the scheduler call this)."""

from __future__ import annotations

import logging
from collections import defaultdict

from sqlmodel import col, select

from huanjie.service.context import Context
from huanjie.steps.runner import advance_in, note_overdue
from huanjie.steps.state import OPEN, load_case
from huanjie.store.db import reading, transaction
from huanjie.store.faults import is_fatal
from huanjie.store.models import StepState

log = logging.getLogger(__name__)


def sweep_overdue(ctx: Context) -> int:
    """Each open step past its due day gets one step.overdue event; safe to run any number of times.

    Each case is its own transaction: one broken case does not stop the sweep.
    """
    now = ctx.clock.now()
    with reading(ctx.engine) as session:
        rows = session.exec(
            select(StepState.case_id, StepState.step_key).where(
                col(StepState.status).in_(OPEN), StepState.due < now.date(), StepState.overdue_noted == False  # noqa: E712
            )
        ).all()
    by_case: dict[int, list[str]] = defaultdict(list)
    for case_id, key in rows:
        by_case[case_id].append(key)
    noted = 0
    for case_id, keys in by_case.items():
        try:
            with transaction(ctx.engine) as session:
                view = load_case(session, case_id, lock=True)
                drafts: list = []
                for key in keys:
                    if view.steps[key].status not in OPEN:  # it may have finished since the query
                        continue
                    if view.env.catalogue.step(key).condition:
                        # a conditional step past its day is first decided (skipped, or overdue)
                        advance_in(session, view, key, now)
                        continue
                    note_overdue(view, view.steps[key], now, drafts)
                    session.add(view.steps[key])
                view.write(session, drafts)
                noted += len(drafts)
        except Exception as exc:  # one broken case must not block the whole sweep
            if is_fatal(exc):  # a full disk or read-only store: every case would fail alike
                raise
            log.exception("overdue sweep failed for case %s", case_id)
    return noted
