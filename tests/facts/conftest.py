"""A village of the test county launched, its staff registered; ``walk_to`` drives it step by step."""

from __future__ import annotations

import pytest

from tests.fixtures.scenario import VillageDriver, launched_county


@pytest.fixture
def driver(ctx, clock):
    campaign = launched_county(ctx)
    return VillageDriver(ctx, clock, campaign.code, "V001")


def walk_to(driver, key):
    for spec in driver.timeline():
        if driver.states()[spec.key].status in ("done", "skipped"):
            continue
        driver.at(driver.states()[spec.key].due)
        if spec.key == key:
            return
        driver.do_step(spec.key)


