"""The real APScheduler with its job store in the test database: restarts send nothing twice.

No test waits for a trigger time: the catch-up sweep runs at start with the moved clock, and
a stored job is made due by setting its next run time to the scheduler's present.
"""

from __future__ import annotations

import datetime as dt
import threading

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import text
from sqlmodel import func, select

from huanjie.reminders.scheduler import SHANGHAI, digest_job, start_scheduler
from huanjie.store.db import reading
from huanjie.store.reminder_models import Delivery, Notice


def _stored_jobs(ctx) -> dict[str, float]:
    with reading(ctx.engine) as s:
        return dict(s.execute(text("SELECT id, next_run_time FROM apscheduler_jobs")).all())


def _digest_weeks(ctx) -> list[tuple[str, str]]:
    with reading(ctx.engine) as s:
        return sorted((n.audience, n.data["week"]) for n in s.exec(select(Notice).where(Notice.kind == "digest")))


def _deliveries(ctx) -> int:
    with reading(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(Delivery)).one()


def _run_now(scheduler, job_id: str) -> None:
    """Make a stored job due now and wait until the scheduler has run it."""
    done = threading.Event()
    outcome = {}

    def listen(event):
        if event.job_id == job_id:
            outcome["error"] = getattr(event, "exception", None)
            done.set()

    scheduler.add_listener(listen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.modify_job(job_id, next_run_time=dt.datetime.now(SHANGHAI))
    assert done.wait(20), f"job {job_id} did not run"
    scheduler.remove_listener(listen)
    assert outcome["error"] is None


def test_jobs_live_in_the_project_database_and_a_restart_keeps_them(ctx, clock, campaign, make_notify):
    notify = make_notify()
    clock.set("2026-08-03T09:00:00")
    scheduler = start_scheduler(ctx, notify)
    scheduler.shutdown()
    first = _stored_jobs(ctx)
    assert set(first) == {"sweep", f"digest:{campaign}"}
    again = start_scheduler(ctx, notify)
    again.shutdown()
    assert _stored_jobs(ctx)[f"digest:{campaign}"] == first[f"digest:{campaign}"]  # kept, not re-added
    assert set(_stored_jobs(ctx)) == set(first)


def test_restarting_mid_way_sends_nothing_twice(ctx, clock, campaign, make_notify):
    notify = make_notify()
    clock.set("2026-08-03T09:00:00")
    scheduler = start_scheduler(ctx, notify)  # catch-up sweep: this week's digests
    _run_now(scheduler, "sweep")
    _run_now(scheduler, f"digest:{campaign}")
    scheduler.shutdown()
    week_one = _digest_weeks(ctx)
    assert [w for _, w in week_one] == ["2026-W32"] * 3
    deliveries = _deliveries(ctx)

    scheduler = start_scheduler(ctx, notify)  # restarted at the same moment
    _run_now(scheduler, "sweep")
    _run_now(scheduler, f"digest:{campaign}")
    scheduler.shutdown()
    assert _digest_weeks(ctx) == week_one and _deliveries(ctx) == deliveries

    clock.set("2026-08-11T10:00:00")  # down over the weekend and Monday morning
    scheduler = start_scheduler(ctx, notify)
    _run_now(scheduler, f"digest:{campaign}")
    scheduler.shutdown()
    assert _digest_weeks(ctx) == sorted(week_one + [(a, "2026-W33") for a, _ in week_one])


def test_the_digest_job_with_a_moved_clock(ctx, clock, campaign, make_notify):
    from huanjie.reminders.scheduler import bind

    bind(ctx, make_notify())
    for day in range(3, 25):
        clock.set(f"2026-08-{day:02d}T08:00:00")
        digest_job(campaign)
        digest_job(campaign)
    assert [w for a, w in _digest_weeks(ctx) if a == "township:清溪镇"] == ["2026-W32", "2026-W33", "2026-W34",
                                                                          "2026-W35"]
