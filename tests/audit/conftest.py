import shutil
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
def story_file(sqlite_template, tmp_path_factory):
    """The full story, driven once: a SQLite file each test gets a copy of."""
    path = tmp_path_factory.mktemp("story") / "huanjie.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    clock = MovableClock("2026-07-01T09:00:00")
    driver = start(Context(engine=engine, clock=clock), clock)
    moments = full_story(driver)
    engine.dispose()  # the last connection folds the WAL into the file
    return path, driver.campaign_code, driver.case_ids, moments, clock.now()


@pytest.fixture
def story(story_file, tmp_path):
    source, campaign, case_ids, moments, now = story_file
    path = tmp_path / "huanjie.db"
    shutil.copy(source, path)
    engine = make_engine(f"sqlite:///{path}")
    yield Story(Context(engine=engine, clock=MovableClock(now)), campaign, case_ids, moments)
    engine.dispose()
