"""One village driven through its steps with a clock that only moves forward, capturing the
stored state (step_state and gate_decision rows) at chosen moments, for replays to match."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from huanjie.audit.check import stored_state
from huanjie.service.gates import decide_gate
from huanjie.service.replan import move_campaign
from huanjie.store.db import reading
from huanjie.store.models import Campaign, Village
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import APPROVER, COUNTY, VillageDriver, add_staff, launch_all

AUDITOR = "审计员"


class ForwardDriver(VillageDriver):
    """A driver whose clock never goes back: each act is at least a minute after the last."""

    def at(self, day: dt.date, hour: int = 10) -> None:
        wanted = dt.datetime(day.year, day.month, day.day, hour, tzinfo=self.clock.now().tzinfo)
        later = self.clock.now() + dt.timedelta(minutes=1)
        self.clock.set(max(wanted, later).isoformat())

    def reload(self) -> None:
        """Take the campaign's new election days into the facts to come (after a move)."""
        VillageDriver.__init__(self, self.ctx, self.clock, self.campaign_code, self.village_code)

    def tick(self) -> None:
        self.clock.advance(minutes=1)

    def stored(self) -> dict:
        with reading(self.ctx.engine) as s:
            village = s.exec(select(Village).where(Village.code == self.village_code)).one()
            campaign = s.get(Campaign, village.campaign_id)
            return stored_state(s, campaign, village)


def start(ctx, clock, *, auditor: bool = True) -> ForwardDriver:
    """A campaign of three villages, its staff (and an auditor), all launched; drives V001."""
    from huanjie.service.users import add_user

    clock.set("2026-07-01T09:00:00")
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    if auditor:
        add_user(ctx, name=AUDITOR, role="auditor", scope_kind="county", scope=None, actor_name=COUNTY)
    launch_all(ctx, campaign.code)
    driver = ForwardDriver(ctx, clock, campaign.code, "V001")
    driver.campaign_code = campaign.code
    return driver


def drive_until(driver: ForwardDriver, stop: str | None) -> None:
    """Take the open step due first (on its due day, or now if later) until ``stop`` is next: record
    it, run, approve its gate once it waits. A step waiting for an earlier one is approved later."""
    last = None
    while True:
        states = driver.states()
        todo = [spec.key for spec in driver.timeline()
                if states[spec.key].status in ("blocked", "awaiting")
                or (states[spec.key].status == "pending" and states[spec.key].facts is None)]
        if not todo or todo[0] == stop:
            return
        assert todo[0] != last, (last, states[last].status, states[last].failures)
        last = todo[0]
        driver.at(states[last].due)
        if states[last].status != "awaiting":
            driver.record(last)
            driver.run()
        if driver.states()[last].status == "awaiting":
            driver.approve(last)
            driver.run()


def full_story(driver: ForwardDriver) -> list[tuple[str, dt.datetime, dict]]:
    """A gate awaited, rejected and approved, a failing quorum, an election day moved (a statutory
    step invalidated and redone), overdue steps, everything to the end; the stored state at each moment."""
    moments = [("launched", driver.clock.now(), driver.stored())]

    def capture(name: str) -> None:
        moments.append((name, driver.clock.now(), driver.stored()))
        driver.tick()

    drive_until(driver, "P2.3")
    capture("party preparation done")
    driver.at(driver.states()["P2.3"].due)
    driver.record("P2.3")
    driver.run()
    capture("P2.3 awaiting its gate")
    driver.tick()
    decide_gate(driver.ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=False,
                reason="委员名额与请示不一致")
    capture("P2.3 rejected")
    driver.do_step("P2.3")
    drive_until(driver, "P5.2")
    driver.at(driver.states()["P5.2"].due)
    driver.record("P5.2", variant="quorum_fails")
    driver.run()
    capture("P5.2 blocked by the quorum")
    drive_until(driver, "V3.3")
    # the voter list (V3.2, statutory: D_V - 20, 组织法 14) was published on time; moving the
    # election day earlier makes it too late: invalidated and reopened with what depends on it
    move_campaign(driver.ctx, campaign_code=driver.campaign_code, actor_name=COUNTY,
                  vc_day=driver.env.anchors["D_V"] - dt.timedelta(days=3), reason="台风预警，选举日提前")
    driver.reload()
    capture("election day moved earlier")
    from huanjie.service.deadlines import sweep_overdue

    driver.at(driver.clock.now().date() + dt.timedelta(days=2))
    sweep_overdue(driver.ctx)
    capture("overdue noted")
    # a voter list published after its statutory day fails its check (issue 9): the county moves
    # the election day later again, so the list can be republished in time
    move_campaign(driver.ctx, campaign_code=driver.campaign_code, actor_name=COUNTY,
                  vc_day=driver.env.anchors["D_V"] + dt.timedelta(days=30), reason="重新确定选举日，选民名单依法重新公布")
    driver.reload()
    drive_until(driver, None)
    capture("all steps finished")
    driver.record("V4.4")  # facts for a skipped conditional step reopen it
    driver.run()
    capture("V4.4 recorded after its skip")
    return moments

