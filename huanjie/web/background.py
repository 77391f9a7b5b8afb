"""The worker and the reminder scheduler inside ``huanjie serve`` (each can be switched off).

The worker loop is huanjie.flows.worker's, on a thread: a decision wakes its case in the same
transaction, and the loop picks it up within ``worker_interval`` seconds; without Prefect, its
prompt lane (huanjie.flows.worker.PromptLane) runs the case as soon as the decision commits. It beats like
``huanjie worker`` (service.workers.Heartbeat), so CLI commands see a live worker while the server runs.
In Prefect mode (PREFECT_API_URL set) the thread submits flow runs to the work pool instead
(huanjie.flows.prefect_worker.Dispatcher): Prefect workers run them.
"""

from __future__ import annotations

import logging
import threading
import time

from huanjie.service.context import Context
from huanjie.web.settings import WebSettings

log = logging.getLogger(__name__)


class Background:
    def __init__(self, ctx: Context, settings: WebSettings) -> None:
        self.ctx, self.settings = ctx, settings
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.scheduler = None
        self.dispatcher = None
        self.prompt = None

    def start(self) -> None:
        if self.settings.worker and self.ctx.submits:
            from huanjie.flows.prefect_worker import Dispatcher

            try:
                self.dispatcher = Dispatcher(self.ctx, interval=self.settings.worker_interval, kind="serve")
                self.dispatcher.start()
            except Exception:  # the store unreachable at start: the log says why
                log.exception("flow-run dispatcher did not start")
        elif self.settings.worker:
            self.thread = threading.Thread(target=self._work, name="huanjie-worker", daemon=True)
            self.thread.start()
        if self.settings.scheduler:
            from huanjie.reminders.config import NotifySettings
            from huanjie.reminders.deliver import Notify
            from huanjie.reminders.scheduler import start_scheduler
            from huanjie.service.scheduler_lock import run_exclusive

            try:
                notify = Notify(NotifySettings().load())
            except Exception:  # reminders misconfigured: the pages still serve; the log says why
                log.exception("reminder scheduler did not start")
            else:
                # only one process of a deployment runs it (huanjie.service.scheduler_lock)
                self.scheduler = threading.Thread(target=run_exclusive, name="huanjie-scheduler", daemon=True,
                                                  args=(self.ctx, lambda: start_scheduler(self.ctx, notify),
                                                        self.stop))
                self.scheduler.start()

    def _work(self) -> None:
        from huanjie.flows.driver import run_woken
        from huanjie.service.deadlines import sweep_overdue
        from huanjie.service.workers import Heartbeat

        try:
            heartbeat = Heartbeat(self.ctx, kind="serve")
        except Exception:  # the store unreachable at start: work without a heartbeat; the log says why
            log.exception("worker heartbeat did not register")
            heartbeat = None
        if not self.settings.prefect:
            from huanjie.flows.worker import PromptLane
            from huanjie.service.claims import new_owner

            self.prompt = PromptLane(self.ctx, owner=heartbeat.id if heartbeat else new_owner("serve")).start()
        try:
            self._loop(heartbeat, run_woken, sweep_overdue)
        finally:
            if self.prompt is not None:
                self.prompt.close()
            if heartbeat is not None:
                heartbeat.close()

    def _loop(self, heartbeat, run_woken, sweep_overdue) -> None:
        swept = 0.0
        ready = False
        while not self.stop.is_set():
            try:
                run_woken(self.ctx, prefect=self.settings.prefect)
                if heartbeat is not None and not ready:
                    heartbeat.ready()
                    ready = True
                if time.monotonic() - swept >= self.settings.sweep_interval:
                    sweep_overdue(self.ctx)
                    swept = time.monotonic()
            except Exception:  # the store or Prefect unreachable for a moment: try again next round
                log.exception("worker round failed")
                self.stop.wait(2)
            self.stop.wait(self.settings.worker_interval)

    def close(self) -> None:
        self.stop.set()
        if self.dispatcher is not None:
            self.dispatcher.close()
        if self.thread is not None:
            self.thread.join(timeout=60)
        if self.scheduler is not None:
            self.scheduler.join(timeout=60)
