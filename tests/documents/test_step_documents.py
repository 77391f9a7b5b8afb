"""Documents are made by completing steps; missing facts never block a step."""

from __future__ import annotations

from sqlmodel import select

from huanjie.store.db import reading
from huanjie.store.document_models import RenderedDocument
from huanjie.store.models import Event
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import VillageDriver, add_staff, launch_all


def test_a_document_with_missing_facts_is_reported_and_the_step_still_completes(ctx, clock):
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    driver = VillageDriver(ctx, clock, campaign.code, "V001")
    for spec in driver.timeline():
        driver.at(driver.states()[spec.key].due)
        if spec.key == "P2.1":
            driver.record("P2.1", party_org=None)  # the Party organisation's name was not recorded
            driver.run()
        else:
            driver.do_step(spec.key)
        if spec.key == "P2.3":
            break
    assert driver.states()["P2.2"].status == "done"
    with reading(ctx.engine) as s:
        events = list(s.exec(select(Event).where(Event.kind.startswith("document.")).order_by(Event.seq)))
        stored = list(s.exec(select(RenderedDocument.code)))
    incomplete = [e for e in events if e.kind == "document.incomplete"]
    assert [(e.step_key, e.payload["code"]) for e in incomplete] == [("P2.2", "D01"), ("P2.3", "D02")]
    assert incomplete[0].payload["missing"][0]["field"] == "P2.1.party_org"
    assert "村党组织名称" in incomplete[0].payload["missing"][0]["message"]
    assert stored == []  # nothing half-made, no number used
