"""One derivation of a village's state and risk: the board and the digest agree (campaign: conftest)."""

from __future__ import annotations

from huanjie.reminders import preview_digest
from huanjie.service.gates import decide_gate
from huanjie.service.status import board
from tests.fixtures.scenario import APPROVER, VillageDriver


def drive_until(driver: VillageDriver, stop: str) -> None:
    """Each step on its due day; ``stop`` is recorded and run, left at its gate."""
    for spec in driver.timeline():
        driver.at(driver.states()[spec.key].due)
        if spec.key == stop:
            driver.record(stop)
            driver.run()
            return
        driver.do_step(spec.key)


def digest_of(ctx, make_notify, campaign, clock):
    return preview_digest(ctx, make_notify(), campaign_code=campaign, week="2026-W33", township="城关镇",
                          now=clock.now())


def reject_p23(ctx, clock, campaign) -> VillageDriver:
    driver = VillageDriver(ctx, clock, campaign, "V001")
    drive_until(driver, "P2.3")
    decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=False,
                reason="请示未写明委员职数")
    return driver


def test_a_rejected_then_redone_gate_gives_one_risk_on_board_and_digest(ctx, clock, campaign, make_notify):
    driver = reject_p23(ctx, clock, campaign)
    [v] = board(ctx, campaign_code=campaign, village="V001")
    digest = digest_of(ctx, make_notify, campaign, clock)
    assert v.risk == "yellow" and digest.risks.get("V001") == "yellow"  # an open rejection

    driver.record("P2.3")
    driver.run()
    driver.approve("P2.3")
    driver.run()
    [v] = board(ctx, campaign_code=campaign, village="V001")
    digest = digest_of(ctx, make_notify, campaign, clock)
    assert v.risk == "green"
    assert digest.risks.get("V001", "green") == "green"  # the settled rejection colours neither


def test_the_digest_lists_an_open_rejection_with_its_reason_and_who_gave_it(ctx, clock, campaign, make_notify):
    from huanjie.reminders.render import render_markdown

    driver = reject_p23(ctx, clock, campaign)
    digest = digest_of(ctx, make_notify, campaign, clock)
    [item] = [i for i in digest.redo if i.village == "V001"]
    assert item.step == "P2.3" and "请示未写明委员职数" in item.note and APPROVER in item.note
    text = render_markdown(digest)
    assert "须重新办理（1 项）" in text and "请示未写明委员职数" in text

    driver.record("P2.3")
    driver.run()
    driver.approve("P2.3")
    driver.run()
    assert not digest_of(ctx, make_notify, campaign, clock).redo
