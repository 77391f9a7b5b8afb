from dataclasses import dataclass

import pytest

from huanjie.clock import MovableClock
from huanjie.service.context import Context
from huanjie.store.db import make_engine
from tests.audit.scenario import full_story, start


@dataclass
class Story:
    ctx: Context
    campaign: str
    case_ids: list[int]
    moments: list  # (name, time, stored state)


@pytest.fixture(scope="session")
def story_file(stores):
    """The full story, driven once: a template store each test gets a copy of."""

    def build(url):
        engine = make_engine(url)
        clock = MovableClock("2026-07-01T09:00:00")
        driver = start(Context(engine=engine, clock=clock), clock)
        moments = full_story(driver)
        engine.dispose()  # (on SQLite the last connection folds the WAL into the file)
        return driver.campaign_code, driver.case_ids, moments, clock.now()

    template, (campaign, case_ids, moments, now) = stores.template("story", build)
    return template, campaign, case_ids, moments, now


@pytest.fixture
def story(stores, story_file, tmp_path):
    source, campaign, case_ids, moments, now = story_file
    url = stores.fresh(tmp_path, source)
    engine = make_engine(url)
    yield Story(Context(engine=engine, clock=MovableClock(now)), campaign, case_ids, moments)
    engine.dispose()
    stores.drop(url)
