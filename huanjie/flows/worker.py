"""The long-lived worker: runs woken cases and notes overdue steps, until told to stop."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from huanjie.flows.driver import run_woken
from huanjie.service.context import Context
from huanjie.service.deadlines import sweep_overdue


log = logging.getLogger(__name__)
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def serve(ctx: Context, *, interval: float = 0.25, once: bool = False, echo: Callable[[str], None] = print) -> None:
    stop = threading.Event()

    def _stop(signum, _frame):
        echo("收到停止信号，完成当前批次后退出……")
        stop.set()

    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop)
    echo(f"工作进程已启动，每 {interval:g} 秒检查一次")
    while not stop.is_set():
        # A stop signal waits until the batch is done: Prefect would otherwise turn it into a
        # crashed flow run (the store stays consistent either way: each step is a transaction).
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            ran = run_woken(ctx)
            overdue = sweep_overdue(ctx)
        except Exception as exc:  # the store or Prefect unreachable for a moment: try again next round
            from huanjie.store.faults import is_fatal

            if is_fatal(exc):  # a full disk or read-only store does not pass with the next round
                raise
            log.exception("worker round failed")
            ran = overdue = 0
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        if ran or overdue:
            echo(f"运行 {ran} 个案例；新逾期步骤 {overdue} 个")
        if once:
            break
        stop.wait(interval)
