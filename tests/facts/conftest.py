"""A village of the test county launched, its staff registered; ``walk_to`` drives it step by step."""

from __future__ import annotations

import pytest

from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import VillageDriver, add_staff, launch_all


@pytest.fixture
def driver(ctx, clock):
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    return VillageDriver(ctx, clock, campaign.code, "V001")


def walk_to(driver, key):
    for spec in driver.timeline():
        if driver.states()[spec.key].status in ("done", "skipped"):
            continue
        driver.at(driver.states()[spec.key].due)
        if spec.key == key:
            return
        driver.do_step(spec.key)


