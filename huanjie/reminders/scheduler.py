"""APScheduler 3 with its job store in the project database: the weekly digests and the sweep.

The jobs only trigger; what is sent is decided by the store (huanjie.reminders.sweep), so a
job that fires twice, late, or after a restart sends nothing twice. Job functions are
module-level (the job store pickles references to them) and find the store, clock and
configuration through :func:`bind`. Every time a job acts on comes from the Context's
clock (APScheduler's own timing is wall time, as it must be).
"""

from __future__ import annotations

import logging
import signal
import threading
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from huanjie.reminders.deliver import Notify, deliver_due
from huanjie.reminders.sweep import active_campaigns, fire_due, issue_due_digests
from huanjie.service.context import Context

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
JOB_TABLE = "apscheduler_jobs"
SWEEP_JOB = "sweep"
CHECKPOINT_JOB = "checkpoint"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_bound: dict[str, object] = {}


def bind(ctx: Context, notify: Notify, scheduler: BaseScheduler | None = None, actor_name: str | None = None) -> None:
    """Give the job functions their store, clock, configuration (and scheduler, to add new campaigns),
    and the user the scheduler runs as (who signs the daily checkpoint)."""
    _bound.update(ctx=ctx, notify=notify, scheduler=scheduler)
    if actor_name is not None or "actor_name" not in _bound:
        _bound["actor_name"] = actor_name


def checkpoint_job() -> None:
    """Sign the chain heads into the day's checkpoint file (huanjie.audit.checkpoint)."""
    from huanjie.audit.checkpoint import checkpoint_name, write_checkpoint
    from huanjie.settings import CheckpointSettings

    settings = CheckpointSettings()
    if settings.key is None or settings.dir is None:
        return
    ctx = _bound["ctx"]
    result = write_checkpoint(ctx, output=settings.dir / checkpoint_name(ctx.clock.now()), key_path=settings.key,
                              actor_name=_bound.get("actor_name"))
    log.info("checkpoint of %d chains written to %s", result["chains"], result["path"])


def sweep_job() -> None:
    ctx, notify = _bound["ctx"], _bound["notify"]
    if _bound.get("scheduler") is not None:
        sync_jobs(_bound["scheduler"], ctx, notify)
    report = fire_due(ctx, ctx.clock.now(), notify=notify)
    log.info("sweep: %d digests, %d reminder notices, deliveries %s", len(report.digests),
             len(report.reminders), report.deliveries)


def digest_job(campaign_code: str) -> None:
    ctx, notify = _bound["ctx"], _bound["notify"]
    now = ctx.clock.now()
    issue_due_digests(ctx, notify, campaign_code, now)
    deliver_due(ctx, notify, now)


def digest_trigger(notify: Notify, campaign_code: str) -> CronTrigger:
    schedule = notify.config.digest_for(campaign_code)
    return CronTrigger(day_of_week=DAYS[schedule.day_of_week], hour=schedule.hour, minute=schedule.minute,
                       timezone=SHANGHAI)


def build_scheduler(ctx: Context, notify: Notify, scheduler_class: type[BaseScheduler] = BackgroundScheduler
                    ) -> BaseScheduler:
    """A scheduler whose jobs live in the project database (table apscheduler_jobs)."""
    scheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=ctx.engine, tablename=JOB_TABLE)},
        # One worker: the sweep and a digest never race each other for the store.
        executors={"default": ThreadPoolExecutor(1)},
        # A run missed while down runs once (coalesce), however late (no grace limit).
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=SHANGHAI,
    )
    bind(ctx, notify, scheduler)
    return scheduler


def sync_jobs(scheduler: BaseScheduler, ctx: Context, notify: Notify) -> None:
    """One sweep job and one digest job per active campaign; jobs already stored are kept as they are."""
    wanted = {SWEEP_JOB: (IntervalTrigger(minutes=notify.config.sweep_minutes, timezone=SHANGHAI),
                          "huanjie.reminders.scheduler:sweep_job", ())}
    from huanjie.settings import CheckpointSettings

    checkpoints = CheckpointSettings()
    if checkpoints.key and checkpoints.dir:
        wanted[CHECKPOINT_JOB] = (CronTrigger(hour=checkpoints.hour, minute=checkpoints.minute, timezone=SHANGHAI),
                                  "huanjie.reminders.scheduler:checkpoint_job", ())
    for code in active_campaigns(ctx):
        wanted[f"digest:{code}"] = (digest_trigger(notify, code), "huanjie.reminders.scheduler:digest_job", (code,))
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)
    for job_id, (trigger, func, args) in wanted.items():
        job = scheduler.get_job(job_id)
        if job is not None and str(job.trigger) == str(trigger):
            continue  # keep its stored next run time: a run missed while down still runs (once)
        scheduler.add_job(func, trigger, args=args, id=job_id, name=job_id, replace_existing=True)


def start_scheduler(ctx: Context, notify: Notify, actor_name: str | None = None) -> BackgroundScheduler:
    """Catch up what was missed while down (one sweep at the clock's time), then run the jobs in the background."""
    report = fire_due(ctx, ctx.clock.now(), notify=notify)
    log.info("catch-up: %d digests, %d reminder notices", len(report.digests), len(report.reminders))
    scheduler = build_scheduler(ctx, notify, BackgroundScheduler)
    bind(ctx, notify, scheduler, actor_name)
    scheduler.start(paused=True)  # the stored jobs are visible only once the job store has started
    sync_jobs(scheduler, ctx, notify)
    scheduler.resume()
    return scheduler


def run_scheduler(ctx: Context, notify: Notify, stop: threading.Event | None = None,
                  actor_name: str | None = None, echo=None) -> None:
    """Run until Ctrl-C, SIGTERM or ``stop``: jobs work row by row, so stopping loses and repeats nothing.
    Only the process holding the scheduler lock runs it (huanjie.service.scheduler_lock); the
    others wait and take over when it stops."""
    from huanjie.service.scheduler_lock import run_exclusive

    stop = stop or threading.Event()
    try:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):  # explicit: a background start ignores SIGINT
                signal.signal(signum, lambda *_: stop.set())
        run_exclusive(ctx, lambda: start_scheduler(ctx, notify, actor_name), stop, echo=echo)
    except KeyboardInterrupt:
        pass
