"""Re-planning: moved election days, local rest days, reopened steps."""

import datetime as dt

import pytest
from sqlmodel import select

from huanjie.errors import InvalidInput, PermissionDenied
from huanjie.service.replan import move_campaign, reopen, set_rest_day
from huanjie.store.db import reading
from huanjie.store.models import Event
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import CLERK, COUNTY, RECORDER, VillageDriver, add_staff, launch_all


@pytest.fixture
def campaign(ctx):
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    return campaign


def _drive_until(driver, stop_key):
    for spec in driver.timeline():
        if spec.key == stop_key:
            return
        driver.at(driver.states()[spec.key].due)
        driver.do_step(spec.key)


def test_moving_the_election_day_recomputes_and_invalidates(ctx, clock, campaign):
    driver = VillageDriver(ctx, clock, campaign.code, "V001")
    _drive_until(driver, "V3.3")
    assert driver.states()["V3.2"].status == "done"
    assert driver.states()["V3.2"].done_on == dt.date(2026, 9, 22)
    # D_V two days earlier: the list published 09-22 is now 18 days before the election (组织法 14)
    result = move_campaign(ctx, campaign_code=campaign.code, actor_name=COUNTY, vc_day=dt.date(2026, 10, 10),
                           reason="台风")
    invalid = {(i["village"], i["step"]) for i in result.invalidated}
    assert ("V001", "V3.2") in invalid
    states = driver.states()
    assert states["V3.2"].due == dt.date(2026, 9, 20)
    assert states["V3.2"].status == "pending" and states["V3.2"].invalidated
    assert states["V4.1"].status == "pending"  # depends on the voter list: reopened too
    # V1.1 was done on its plan date, now two days "late" against the moved plan: still valid
    assert states["V1.1"].status == "done" and states["V1.1"].due == dt.date(2026, 8, 31)
    assert states["V1.1"].late and ("V001", "V1.1") in {(i["village"], i["step"]) for i in result.late}
    # villages that had done nothing only got new dates
    other = VillageDriver(ctx, clock, campaign.code, "V002").states()
    assert other["V3.2"].due == dt.date(2026, 9, 20) and other["V3.2"].status == "pending"
    with reading(ctx.engine) as s:
        kinds = [e.kind for e in s.exec(select(Event).where(Event.village_code == "V001", Event.step_key == "V3.2"))]
    assert "step.invalidated" in kinds and "deadline.moved" in kinds and kinds.count("step.done") == 1


def test_only_the_county_office_moves_dates(ctx, campaign):
    with pytest.raises(PermissionDenied):
        move_campaign(ctx, campaign_code=campaign.code, actor_name=RECORDER, vc_day=dt.date(2026, 10, 19))
    with pytest.raises(InvalidInput, match="须晚于"):
        move_campaign(ctx, campaign_code=campaign.code, actor_name=COUNTY, vc_day=dt.date(2026, 9, 1))


def test_a_local_rest_day_extends_periods(ctx, clock, campaign):
    driver = VillageDriver(ctx, clock, campaign.code, "V001")
    before = driver.states()["V3.3"].milestones["objection_window_end"]["due"]
    assert before == "2026-09-28"
    set_rest_day(ctx, campaign_code=campaign.code, actor_name=COUNTY, day=dt.date(2026, 9, 28), label="县域选举准备日")
    after = driver.states()["V3.3"].milestones["objection_window_end"]["due"]
    assert after == "2026-09-29"


def test_reopen_takes_dependents_and_keeps_history(ctx, clock, campaign):
    driver = VillageDriver(ctx, clock, campaign.code, "V001")
    _drive_until(driver, "P5.1")
    assert driver.states()["P4.3"].status == "done"
    with pytest.raises(InvalidInput, match="理由"):
        reopen(ctx, actor_name=RECORDER, village_code="V001", step_key="P4.2", reason=" ")
    with pytest.raises(PermissionDenied):
        reopen(ctx, actor_name=CLERK, village_code="V001", step_key="P4.2", reason="候选人更换")
    keys = reopen(ctx, actor_name=RECORDER, village_code="V001", step_key="P4.2", reason="候选人更换")
    assert keys == ["P4.2", "P4.3"]
    states = driver.states()
    assert states["P4.2"].status == "pending" and states["P4.2"].facts is None and states["P4.2"].attempt == 2
    assert states["P4.1"].status == "done"
    with reading(ctx.engine) as s:
        recorded = s.exec(select(Event).where(Event.step_key == "P4.2", Event.kind == "step.recorded")).all()
    assert recorded and recorded[0].payload["facts"]["reviews"]  # the old facts stay in the history
