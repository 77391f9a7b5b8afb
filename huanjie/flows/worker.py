"""The long-lived worker: runs woken cases and notes overdue steps, until told to stop.

It records its heartbeat in the store (huanjie.service.workers) so that ``record`` and
``gate approve`` can tell whether their change will be picked up; it warms Prefect's API up
before it reports ready, so a woken case is run within about one polling interval.

A worker in the process where the changes are made (``huanjie serve``'s) also has a prompt
lane: the cases a decision or a record woke here (huanjie.service.wakeup) are run at once, on
a thread of their own, without waiting for the poll or for the batch the loop is walking.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from huanjie.errors import EngineUnavailable
from huanjie.flows.driver import run_woken
from huanjie.service.context import Context
from huanjie.service.deadlines import sweep_overdue
from huanjie.service.workers import Heartbeat

log = logging.getLogger(__name__)
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
RETRY_SECONDS = 5.0  # Prefect's API unreachable: try again after this pause


def serve(ctx: Context, *, interval: float = 0.25, once: bool = False, echo: Callable[[str], None] = print,
          prefect: bool = True) -> None:
    stop = threading.Event()

    def _stop(signum, _frame):
        echo("收到停止信号，完成当前批次后退出……")
        stop.set()

    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop)
    heartbeat = Heartbeat(ctx)
    try:
        _loop(ctx, heartbeat, stop, interval=interval, once=once, echo=echo, prefect=prefect)
    finally:
        heartbeat.close()


class PromptLane:
    """Runs the cases woken in this process as soon as their transaction commits, each round a
    batch of just those (claimed like any batch: a case the polling loop holds is left to it; a
    case another transaction has locked for a moment is waited for, not skipped).
    Without Prefect only: the plain walk hands its context down (Prefect's runs read a
    process-wide one, which two threads must not set at once)."""

    def __init__(self, ctx: Context, *, owner: str, wait: float = 1.0) -> None:
        self.ctx, self.owner, self.wait = ctx, owner, wait
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="huanjie-prompt", daemon=True)

    def start(self) -> PromptLane:
        self.thread.start()
        return self

    def round(self, woken: list[int]) -> int:
        """Run these woken cases now; how many ran."""
        return run_woken(self.ctx, prefect=False, check=False, owner=self.owner, todo=[(c, 0) for c in woken],
                         wait=True)

    def _run(self) -> None:
        wakeup = self.ctx.wakeup
        while not self.stop.is_set():
            woken = wakeup.wait(self.wait)
            if not woken or self.stop.is_set():
                continue
            try:
                self.round(woken)
            except Exception:  # the store busy for a moment: the polling loop runs them next
                log.exception("prompt run of woken cases failed")

    def close(self) -> None:
        self.stop.set()
        self.ctx.wakeup.interrupt()
        self.thread.join(timeout=60)


def _loop(ctx, heartbeat, stop, *, interval, once, echo, prefect) -> None:
    from huanjie.flows.prefect_api import check_api, warm_up

    ready, outage = False, False
    while not stop.is_set():
        # A stop signal waits until the batch is done: Prefect would otherwise turn it into a
        # crashed flow run (the store stays consistent either way: each step is a transaction).
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        pause = interval
        try:
            if not ready:
                if prefect:
                    check_api()
                    warm_up()
                heartbeat.ready()
                if not outage:
                    echo(f"工作进程已就绪（{heartbeat.id}），每 {interval:g} 秒检查一次")
                ready = True
            ran = run_woken(ctx, prefect=prefect, check=False, owner=heartbeat.id)
            overdue = sweep_overdue(ctx)
            if outage:
                echo("Prefect 服务已恢复，继续运行")
                outage = False
            if ran or overdue:
                echo(f"运行 {ran} 个村的流程；新逾期步骤 {overdue} 个")
        except EngineUnavailable as exc:  # said once per outage, in Chinese; retried until it is back
            ready = False  # check the API again before the next round
            if not outage:
                echo(f"{exc.message}；{RETRY_SECONDS:g} 秒后重试（Ctrl-C 退出）")
                outage = True
            pause = RETRY_SECONDS
        except Exception as exc:  # the store unreachable for a moment: try again next round
            from huanjie.store.faults import is_fatal

            if is_fatal(exc):  # a full disk or read-only store does not pass with the next round
                raise
            log.exception("worker round failed")
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        if once:
            break
        stop.wait(pause)
