"""What the weekly digest holds (domain.md §8) and how it is rendered."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pendulum
import pytest

from huanjie.errors import InvalidInput, NotFound
from huanjie.reminders import fire_due, preview_digest
from huanjie.reminders.render import render_brief, render_html, render_markdown, render_pdf
from huanjie.service.launch import launch
from huanjie.service.replan import move_campaign
from huanjie.service.status import board
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import COUNTY, VillageDriver

TZ = "Asia/Shanghai"


def _drive_until(driver: VillageDriver, stop: str) -> None:
    """Do each step on its due day; record ``stop`` and leave it waiting at its gate."""
    for spec in driver.timeline():
        driver.at(driver.states()[spec.key].due)
        if spec.key == stop:
            driver.record(stop)
            driver.run()
            return
        driver.do_step(spec.key)


def _fonts(pdf: bytes) -> list[bytes]:
    """The fonts named in a PDF's (compressed) object streams."""
    found = []
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found += re.findall(rb"/BaseFont\s*/([^\s/>]+)", zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return found


def _keys(items) -> set[tuple[str, str]]:
    return {(i.village, i.step) for i in items}


@pytest.fixture
def waiting_gate(ctx, clock, campaign):
    """V001 has done everything due until 08-16 and waits for the approval of P2.3; V002 did nothing."""
    _drive_until(VillageDriver(ctx, clock, campaign, "V001"), "P2.3")
    return campaign


def test_a_townships_digest(ctx, clock, waiting_gate, make_notify):
    notify = make_notify()
    clock.set("2026-08-03T08:00:00")
    fire_due(ctx, clock.now(), notify=notify)  # last week's digest: the baseline for risk changes
    clock.set("2026-08-20T09:00:00")
    d = preview_digest(ctx, notify, campaign_code=waiting_gate, week="2026-W34", township="城关镇", now=clock.now())

    assert d.villages == 2 and {i.village for i in d.overdue} <= {"V001", "V002"}
    assert [(g.village, g.step, g.days) for g in d.gates] == [("V001", "P2.3", 4)]
    assert {("V002", "P1.1"), ("V002", "P2.1"), ("V002", "P2.3"), ("V001", "P2.3")} <= _keys(d.overdue)
    assert ("V001", "P2.1") not in _keys(d.overdue)  # done on time
    assert d.overdue[0].days == (dt.date(2026, 8, 20) - dt.date(2026, 7, 17)).days  # longest first
    assert all(dt.date(2026, 8, 20) <= i.due < dt.date(2026, 8, 27) for i in d.due_7)
    assert all(dt.date(2026, 8, 27) <= i.due < dt.date(2026, 9, 3) for i in d.due_14)
    assert {("V001", "P3.1"), ("V002", "P3.1")} <= _keys(d.due_7)
    assert d.due_14 and not (_keys(d.due_7) & _keys(d.due_14))
    assert d.risks["V002"] == "red"  # three and more overdue steps (domain.md §9)
    assert {"village": "V002", "village_name": "西塘村", "township": "城关镇", "before": "yellow",
            "after": "red"} in d.risk_changes
    assert sum(d.risk_counts.values()) == 2
    # the same stages and risk levels as the board (huanjie status) shows
    villages = board(ctx, campaign_code=waiting_gate, township="城关镇")
    assert {v.code: v.risk for v in villages if v.risk != "green"} == d.risks
    for count in d.stages:
        states = [v.stages.get(count.stage) for v in villages]
        assert (count.done, count.current, count.todo) == (states.count("done"), states.count("current"),
                                                           states.count("todo"))


def test_the_county_digest_covers_every_township(ctx, clock, campaign, make_notify):
    clock.set("2026-08-03T08:00:00")
    d = preview_digest(ctx, make_notify(), campaign_code=campaign, week="2026-W32", township=None, now=clock.now())
    assert d.scope == "示范县" and d.villages == 3
    assert {i.township for i in d.overdue} == {"城关镇", "清溪镇"}


def test_a_preview_of_a_later_week_counts_from_that_weeks_monday(ctx, clock, campaign, make_notify):
    d = preview_digest(ctx, make_notify(), campaign_code=campaign, week="2026-W36", township="清溪镇",
                       now=clock.now())
    assert d.as_of == pendulum.datetime(2026, 8, 31, 8, tz=TZ)
    assert all(i.due >= dt.date(2026, 8, 31) for i in d.due_7)


def test_invalidated_steps_after_an_election_day_moves(ctx, clock, campaign, make_notify):
    _drive_until(VillageDriver(ctx, clock, campaign, "V001"), "V3.3")  # the voter list (V3.2) went up on 09-22
    # three days earlier: 20 days before 10-09 is 09-19, so the published list no longer counts (组织法 14)
    move_campaign(ctx, campaign_code=campaign, actor_name=COUNTY, vc_day=dt.date(2026, 10, 9), reason="台风")
    d = preview_digest(ctx, make_notify(), campaign_code=campaign, week="2026-W41", township="城关镇",
                       now=clock.now())
    assert ("V001", "V3.2") in _keys(d.invalidated)
    assert "V3.2" in render_markdown(d).split("须重新办理")[1]


def test_provisional_deadlines_are_listed_and_marked(ctx, clock, make_notify):
    clock.set("2027-08-02T09:00:00")
    created = make_campaign(ctx, name="2027年换届", party_day=dt.date(2027, 9, 15), vc_day=dt.date(2027, 10, 12))
    make_villages(ctx, created, rows=(("W1", "北村", "城关镇"),))
    launch(ctx, campaign_code=created.code, everything=True)
    d = preview_digest(ctx, make_notify(), campaign_code=created.code, week="2027-W32", township="城关镇",
                       now=clock.now())
    assert d.provisional and all(i.provisional for i in d.provisional)
    assert "（暂定）" in render_markdown(d) and "（暂定）" in render_html(d)


def test_html_is_escaped_markdown_is_escaped_and_the_pdf_has_chinese_fonts(ctx, clock, make_notify):
    created = make_campaign(ctx)
    make_villages(ctx, created, rows=(("X1", "<b>东湖</b>村", "城关镇"),))
    launch(ctx, campaign_code=created.code, everything=True)
    clock.set("2026-08-03T08:00:00")
    d = preview_digest(ctx, make_notify(), campaign_code=created.code, week="2026-W32", township="城关镇",
                       now=clock.now())
    html = render_html(d)
    assert "&lt;b&gt;东湖&lt;/b&gt;村" in html and "<b>东湖" not in html
    assert "\\<b\\>东湖" in render_markdown(d) and "\\<b\\>东湖" in render_brief(d, 30)
    pdf = render_pdf(html)
    assert pdf[:5] == b"%PDF-" and any(b"Noto-Sans-CJK-SC" in font for font in _fonts(pdf))  # found, embedded


def test_the_robots_message_is_capped(ctx, clock, campaign, make_notify):
    clock.set("2026-08-20T09:00:00")
    d = preview_digest(ctx, make_notify(), campaign_code=campaign, week="2026-W34", township=None, now=clock.now())
    assert len(d.overdue) > 2
    brief = render_brief(d, 2)
    assert f"……另有 {len(d.overdue) - 2} 项" in brief


def test_weeks_and_townships_are_checked(ctx, clock, campaign, make_notify):
    with pytest.raises(InvalidInput, match="格式") as bad:
        preview_digest(ctx, make_notify(), campaign_code=campaign, week="2026-39", township=None, now=clock.now())
    assert "2026-W39" in bad.value.problems[0].message
    with pytest.raises(InvalidInput, match="第 60 周"):
        preview_digest(ctx, make_notify(), campaign_code=campaign, week="2026-W60", township=None, now=clock.now())
    with pytest.raises(NotFound, match="没有乡镇 东城镇"):
        preview_digest(ctx, make_notify(), campaign_code=campaign, week="2026-W32", township="东城镇",
                       now=clock.now())
