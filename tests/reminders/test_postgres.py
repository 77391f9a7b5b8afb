"""The reminders on a real PostgreSQL: the migration, the digest's driver-level queries, the dedupe keys."""

from __future__ import annotations

from sqlmodel import select

from huanjie.reminders import fire_due, preview_digest
from huanjie.store.db import reading
from huanjie.store.reminder_models import Notice
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import VillageDriver, add_staff, launch_all


def test_digest_and_sweep_on_postgresql(pg_ctx, clock, make_notify):
    created = make_campaign(pg_ctx)
    make_villages(pg_ctx, created, rows=(("V001", "东湖村", "城关镇"), ("V002", "O'Brien村", "城关镇")))
    add_staff(pg_ctx)
    launch_all(pg_ctx, created.code)
    driver = VillageDriver(pg_ctx, clock, created.code, "V001")
    for spec in driver.timeline():
        driver.at(driver.states()[spec.key].due)
        if spec.key == "P2.3":
            driver.record("P2.3")
            driver.run()
            break
        driver.do_step(spec.key)
    clock.set("2026-08-20T09:00:00")
    notify = make_notify()
    d = preview_digest(pg_ctx, notify, campaign_code=created.code, week="2026-W34", township="城关镇",
                       now=clock.now())
    assert [(g.village, g.step, g.days) for g in d.gates] == [("V001", "P2.3", 4)]
    assert {i.village for i in d.overdue} == {"V001", "V002"} and d.risks["V002"] == "red"
    assert any(i.village_name == "O'Brien村" for i in d.due_7)  # a quote in a literal is escaped
    first = fire_due(pg_ctx, clock.now(), notify=notify)
    again = fire_due(pg_ctx, clock.now(), notify=notify)
    assert len(first.digests) == 2 and again.digests == again.reminders == []
    with reading(pg_ctx.engine) as s:
        assert len(s.exec(select(Notice).where(Notice.kind == "digest")).all()) == 2
