"""``huanjie worker`` in Prefect mode: a Prefect process worker on huanjie's work pool.

Run as many as the machines allow (several per machine, several machines): each takes flow
runs of the cases deployment from the Prefect server (huanjie.flows.deploy) and runs each in a
process of its own, forked warm (huanjie.flows.warm_worker). Beside it, a dispatcher thread
submits runs for woken cases that no one holds: cases woken by a change that did not submit
(a clerk's record, a re-plan), and those whose lease expired because the worker running them
died. It also beats (so ``record`` and ``gate approve`` see a live worker) and notes overdue steps.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from collections.abc import Callable

from huanjie.errors import EngineUnavailable
from huanjie.service.context import Context

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30.0
RETRY_SECONDS = 5.0


class Dispatcher:
    """Submits flow runs for claimable woken cases every ``interval`` seconds, from a thread."""

    def __init__(self, ctx: Context, *, interval: float, echo: Callable[[str], None] = print,
                 kind: str = "prefect-worker", sweep: bool = True) -> None:
        from huanjie.service.workers import Heartbeat

        self.ctx, self.interval, self.echo, self.sweep = ctx, interval, echo, sweep
        self.heartbeat = Heartbeat(ctx, kind=kind)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="huanjie-dispatch", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        from huanjie.flows.deploy import ensure_deployment, submit
        from huanjie.service.deadlines import sweep_overdue

        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        swept, outage, ready = 0.0, False, False
        while not self.stop.is_set():
            pause = self.interval
            try:
                if not ready:
                    ensure_deployment(self.ctx)
                    self.heartbeat.ready()
                    ready = True
                count = submit(self.ctx)
                if count:
                    log.info("submitted flow runs for %s cases", count)
                if self.sweep and time.monotonic() - swept >= SWEEP_SECONDS:
                    sweep_overdue(self.ctx)
                    swept = time.monotonic()
                if outage:
                    self.echo("Prefect 服务已恢复，继续提交流程")
                    outage = False
            except EngineUnavailable as exc:
                if not outage:
                    self.echo(f"{exc.message}；{RETRY_SECONDS:g} 秒后重试")
                    outage = True
                pause = RETRY_SECONDS
            except Exception:  # the store busy or unreachable for a moment: next round
                log.exception("dispatch round failed")
                pause = RETRY_SECONDS
            self.stop.wait(pause)

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=30)
        self.heartbeat.close()


def serve_prefect(ctx: Context, *, interval: float, echo: Callable[[str], None] = print, once: bool = False) -> None:
    """Run a Prefect process worker for the pool, with the dispatcher, until SIGINT/SIGTERM."""
    from huanjie.flows.deploy import ensure_deployment
    from huanjie.flows.prefect_api import check_api

    # flow-run processes inherit this environment and build their context from it: a relative
    # data directory would be read from the temporary directory each run starts in
    os.environ["HUANJIE_DATA_DIR"] = str(_data_dir().resolve())
    check_api()
    ensure_deployment(ctx)
    dispatcher = Dispatcher(ctx, interval=interval, echo=echo)
    dispatcher.start()
    try:
        asyncio.run(_work(ctx, dispatcher.heartbeat.id, echo, once))
    finally:
        dispatcher.close()


def _data_dir():
    from huanjie.settings import StoreSettings

    return StoreSettings().data_dir


async def _work(ctx: Context, name: str, echo: Callable[[str], None], once: bool) -> None:
    from huanjie.flows.warm_worker import WarmProcessWorker, warm_up

    warm_up()
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()

    def _stop() -> None:
        echo("收到停止信号，工作进程退出（未完成的村由其他工作进程在租约到期后接手）")
        main.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, _stop)
    pool = ctx.prefect.work_pool
    async with WarmProcessWorker(work_pool_name=pool, name=name.replace("/", "_").replace("%", "_"),
                             limit=ctx.prefect.worker_limit) as worker:
        echo(f"Prefect 工作进程已就绪（{name}），工作池 {pool}，最多同时运行 {ctx.prefect.worker_limit} 个流程")
        try:
            await worker.start(run_once=once, printer=lambda *a, **k: None)
        except asyncio.CancelledError:
            pass
