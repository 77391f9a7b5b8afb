"""One village driven through both elections once per test session; its documents are shared."""

from __future__ import annotations

import pytest
from sqlmodel import select

from huanjie.clock import MovableClock
from huanjie.service.context import Context
from huanjie.store.db import make_engine, reading
from huanjie.store.document_models import RenderedDocument
from huanjie.store.models import Event
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import VillageDriver, add_staff, launch_all


def drive_village(ctx, clock, village: str = "V001") -> VillageDriver:
    """Every step of both elections on its due day, gates approved (tests/fixtures/scenario.py)."""
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    driver = VillageDriver(ctx, clock, campaign.code, village)
    for spec in driver.timeline():
        driver.at(driver.states()[spec.key].due)
        driver.do_step(spec.key)
    return driver


@pytest.fixture(scope="session")
def village_run(stores, tmp_path_factory):
    """(ctx, driver) for V001 after both elections; read-only for the tests that use it."""
    url = stores.fresh(tmp_path_factory.mktemp("documents"))
    clock = MovableClock("2026-07-01T09:00:00")
    ctx = Context(engine=make_engine(url), clock=clock)
    driver = drive_village(ctx, clock)
    yield ctx, driver
    ctx.engine.dispose()
    stores.drop(url)


@pytest.fixture(scope="session")
def produced(village_run) -> list[RenderedDocument]:
    ctx, _ = village_run
    with reading(ctx.engine) as s:
        return list(s.exec(select(RenderedDocument).order_by(RenderedDocument.id)))


@pytest.fixture(scope="session")
def document_events(village_run) -> list[Event]:
    ctx, _ = village_run
    with reading(ctx.engine) as s:
        return list(s.exec(select(Event).where(Event.kind.startswith("document.")).order_by(Event.seq)))
