"""The migrations on the session's backend: an empty database gets the whole schema, and a store made by the
previous release (tests/fixtures/release_store.py) upgrades with its data whole."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, func, select

import huanjie.store.account_models  # noqa: F401  (every table registered, as migrations/env.py does)
import huanjie.store.document_models  # noqa: F401
import huanjie.store.reminder_models  # noqa: F401
import huanjie.store.worker_models  # noqa: F401
from huanjie.audit.verify import verify
from huanjie.clock import MovableClock
from huanjie.service.context import Context
from huanjie.service.summaries import backfill
from huanjie.store.db import _current_heads, _script_heads, make_engine, reading, upgrade
from huanjie.store.models import Event, Village
from huanjie.store.summary_models import VillageSummaryRow
from tests.fixtures import release_store
from tests.fixtures.scenario import COUNTY, VillageDriver


@pytest.fixture
def empty_url(stores, tmp_path):
    url = stores.empty(tmp_path)
    yield url
    stores.drop(url)


def _columns(engine) -> dict[str, set[str]]:
    inspector = sa.inspect(engine)
    return {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}


def test_an_empty_database_gets_every_table_of_the_models(empty_url):
    engine = make_engine(empty_url)
    try:
        upgrade(engine)
        assert _current_heads(engine) == _script_heads()
        found = _columns(engine)
        for table in SQLModel.metadata.sorted_tables:
            assert table.name in found, table.name
            assert {c.name for c in table.columns} <= found[table.name], table.name
        upgrade(engine)  # a second start changes nothing
        assert _current_heads(engine) == _script_heads()
    finally:
        engine.dispose()


def test_a_store_of_the_previous_release_upgrades_with_its_data(empty_url):
    dumped = release_store.load(empty_url)
    engine = make_engine(empty_url)
    try:
        assert _current_heads(engine) == set(dumped["heads"]) != _script_heads()
        ctx = Context(engine=engine, clock=MovableClock("2026-07-01T09:00:00"))
        assert verify(ctx, actor_name=COUNTY).intact  # as the previous release left it
        upgrade(engine)
        assert _current_heads(engine) == _script_heads()
        tables = dumped["tables"]
        with reading(engine) as s:
            codes = sorted(s.exec(select(Village.code)))
            events = s.exec(select(func.count()).select_from(Event)).one()
        assert codes == sorted(row[tables["village"]["columns"].index("code")] for row in tables["village"]["rows"])
        assert events == len(tables["event"]["rows"])
        report = verify(ctx, actor_name=COUNTY)
        assert report.intact and {c.chain for c in report.chains} == {"HJ2026-001", "system"}
        # the new release's derived rows are made for the old villages, and work goes on where it stopped
        assert backfill(engine) == len(codes)
        with reading(engine) as s:
            assert s.exec(select(func.count()).select_from(VillageSummaryRow)).one() == len(codes)
        driver = VillageDriver(ctx, ctx.clock, "HJ2026-001", "V002")
        step = next(spec for spec in driver.timeline() if driver.states()[spec.key].status not in ("done", "skipped"))
        with reading(engine) as s:
            last = s.exec(select(func.max(Event.at))).one()
        driver.at(max(driver.states()[step.key].due, last.date() + dt.timedelta(days=1)))
        driver.do_step(step.key)
        assert driver.states()[step.key].status == "done"
        assert verify(ctx, actor_name=COUNTY).intact
    finally:
        engine.dispose()
