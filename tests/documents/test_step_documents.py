"""Documents are made by completing steps; a fact they need is asked for when the step is recorded."""

from __future__ import annotations

import pytest

from sqlmodel import select

from huanjie.store.db import reading
from huanjie.store.document_models import RenderedDocument
from huanjie.store.models import Event
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import VillageDriver, add_staff, launch_all


def test_a_fact_a_document_needs_is_asked_for_at_record_and_nothing_is_written(ctx, clock):
    """Issue 9: a missing fact is no longer found only when the document fails later."""
    from huanjie.errors import InvalidInput

    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    driver = VillageDriver(ctx, clock, campaign.code, "V001")
    for spec in driver.timeline():
        driver.at(driver.states()[spec.key].due)
        if spec.key == "P2.1":
            with pytest.raises(InvalidInput) as err:
                driver.record("P2.1", party_org=None)  # the Party organisation's name was not recorded
            assert [p.field for p in err.value.problems] == ["party_org"]
            assert "村党组织名称" in err.value.problems[0].message
            assert driver.states()["P2.1"].facts is None
            break
        driver.do_step(spec.key)
    with reading(ctx.engine) as s:
        stored = list(s.exec(select(RenderedDocument.code)))
    assert stored == []  # nothing half-made, no number used
