"""A county for the engine benchmarks: N villages launched, every step's facts recorded (the
demo's facts, each dated on its step's due day) and no gates, so one walk takes every village
through all 47 steps. Built once and copied for each design measured in the same run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from contextlib import contextmanager
from pathlib import Path

from huanjie.clock import MovableClock
from huanjie.service.context import Context
from huanjie.store.db import make_engine, upgrade

AFTER = "2026-11-20T09:00:00"  # after both election days: every act date is in the past


@contextmanager
def no_gates():
    """The catalogue with its gates taken out (the walk does not wait for a decision)."""
    from huanjie.steps.catalogue import load_catalogue

    cat = load_catalogue()
    saved = cat._steps, cat._by_key
    cat._steps = tuple(dataclasses.replace(s, gate=None, gate_label=None) for s in saved[0])
    cat._by_key = {s.key: s for s in cat._steps}
    try:
        yield
    finally:
        cat._steps, cat._by_key = saved


def build_county(path: Path, villages: int) -> list[int]:
    """The county's store at ``path``; returns its case ids."""
    from huanjie.service.village_csv import VillageRow
    from huanjie.service.villages import save_villages
    from tests.factories import make_campaign
    from tests.fixtures.scenario import VillageDriver, add_staff, launch_all

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    clock = MovableClock("2026-07-01T09:00:00")
    ctx = Context(engine=engine, clock=clock)
    campaign = make_campaign(ctx)
    rows = [VillageRow(i, f"B{i:05d}", f"村{i}", "城关镇", 300, 6) for i in range(villages)]
    save_villages(ctx, campaign_code=campaign.code, rows=rows)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    clock.set(AFTER)
    ids = []
    for row in rows:
        driver = VillageDriver(ctx, clock, campaign.code, row.code)
        due = {k: s.due for k, s in driver.states().items()}
        for spec in driver.timeline():
            facts = driver.facts.for_step(spec.key, due[spec.key])
            from huanjie.service.records import record_facts
            from tests.fixtures.scenario import RECORDER_BY_ACTOR

            record_facts(ctx, actor_name=RECORDER_BY_ACTOR[spec.actor], village_code=row.code, step_key=spec.key,
                         facts=facts)
        ids += driver.case_ids
    engine.dispose()
    return sorted(ids)


def copy_county(template: Path, path: Path) -> Context:
    shutil.copy(template, path)
    return Context(engine=make_engine(f"sqlite:///{path}"), clock=MovableClock(AFTER))


def all_done(ctx: Context, case_ids: list[int]) -> tuple[int, int]:
    """(finished steps, all steps) of these cases."""
    from sqlmodel import func, select

    from huanjie.steps.state import FINISHED
    from huanjie.store.db import reading
    from huanjie.store.models import StepState

    with reading(ctx.engine) as s:
        total = s.exec(select(func.count()).select_from(StepState).where(StepState.case_id.in_(case_ids))).one()
        done = s.exec(select(func.count()).select_from(StepState).where(
            StepState.case_id.in_(case_ids), StepState.status.in_([str(x) for x in FINISHED]))).one()
    return done, total


def day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)
