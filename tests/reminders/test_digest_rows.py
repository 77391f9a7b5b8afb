"""The digest reads only the rows it lists and takes state and risk from the villages' summaries:
what it shows is the same as from every village's full rows (service.progress_rows.load_progress)."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from sqlalchemy import text

from huanjie.reminders import digest as digest_module
from huanjie.reminders.digest import build_digest
from huanjie.service.launch import launch
from huanjie.service.progress_rows import load_progress
from huanjie.service.summaries import refresh
from huanjie.steps.catalogue import load_catalogue
from huanjie.store.db import reading, transaction
from tests.factories import make_campaign, make_villages
from tests.reminders.test_derived_state import reject_p23


def full_rows(session, catalogue, today, *, campaign_id, township, until):
    return load_progress(session, catalogue, today, campaign_id=campaign_id, township=township)


def both(ctx, monkeypatch, campaign: str, week: str, township: str | None, as_of) -> tuple[dict, dict]:
    with reading(ctx.engine) as session:
        fast = build_digest(session, campaign_code=campaign, week=week, as_of=as_of, township=township)
    with monkeypatch.context() as m, reading(ctx.engine) as session:
        m.setattr(digest_module, "listed_villages", full_rows)
        full = build_digest(session, campaign_code=campaign, week=week, as_of=as_of, township=township)
    return fast.as_dict(), full.as_dict()


@pytest.mark.parametrize("township", ["城关镇", None])
def test_the_digest_of_the_listed_rows_is_the_digest_of_every_row(ctx, clock, campaign, township, monkeypatch):
    reject_p23(ctx, clock, campaign)  # V001: a rejection to redo, its later steps waiting for it
    for week, day in (("2026-W33", clock.now()), ("2026-W36", pendulum.datetime(2026, 8, 31, 8, tz="Asia/Shanghai"))):
        fast, full = both(ctx, monkeypatch, campaign, week, township, day)
        assert fast["overdue"] and fast["redo"] and fast["due_7"]
        assert any("等待前序步骤完成" in i["note"] for i in fast["overdue"])  # holds naming unfinished steps
        assert fast == full


def test_provisional_steps_far_ahead_and_what_they_wait_for(ctx, clock, monkeypatch):
    clock.set("2027-08-02T09:00:00")
    created = make_campaign(ctx, name="2027年换届", party_day=dt.date(2027, 9, 15), vc_day=dt.date(2027, 10, 12))
    make_villages(ctx, created, rows=(("W1", "北村", "城关镇"), ("W2", "南村", "城关镇")))
    launch(ctx, campaign_code=created.code, everything=True)
    fast, full = both(ctx, monkeypatch, created.code, "2027-W32", None, clock.now())
    assert fast["provisional"] and fast == full


def test_a_step_due_after_the_fortnight_still_counts_when_a_listed_one_waits_for_it_or_was_rejected(
        ctx, clock, campaign, monkeypatch):
    """Plans move (an election day, a rest day): a rejected step, or one an overdue step waits for, may be
    due after the fortnight; the digest still lists the one and names the other."""
    reject_p23(ctx, clock, campaign)
    # every village's P2.3 (V001's rejected) and P3.1 (which waits for it) later; V002's P2.1 (overdue) waits for
    # its P1.3, later too
    with transaction(ctx.engine) as session:
        session.execute(text("UPDATE step_state SET due = '2026-12-31' WHERE step_key IN ('P2.3', 'P3.1') OR "
                             "step_key = 'P1.3' AND case_id IN (SELECT c.id FROM \"case\" c JOIN village v "
                             "ON v.id = c.village_id WHERE v.code = 'V002')"))
        refresh(session, load_catalogue(), session.execute(text("SELECT id FROM campaign")).scalar())
    fast, full = both(ctx, monkeypatch, campaign, "2026-W33", None, clock.now())
    assert ("V001", "P2.3") in {(i["village"], i["step"]) for i in fast["redo"]}
    [held] = [i for i in fast["overdue"] if (i["village"], i["step"]) == ("V002", "P2.1")]
    assert "P1.3" in held["note"]
    assert fast == full
