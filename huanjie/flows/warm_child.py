"""The process a warm flow run runs in (huanjie.flows.warm_worker), forked from the forkserver.

Importing this module is the preload: Prefect's flow engine, huanjie's flows and the store's
drivers, once for the forkserver instead of once per run. ``run`` is what
``python -m prefect.engine`` does for a flow run (prefect.flow_engine), in a forked process.
"""

from __future__ import annotations

import os
import threading
from uuid import UUID

import prefect.flow_engine as engine
from prefect.context import get_settings_context
from prefect.settings.models.root import Settings

import huanjie.flows.batch  # noqa: F401  the deployment's flow and what its steps import
import huanjie.flows.runtime  # noqa: F401
from huanjie.parent_watch import watch_parent

CONTROL = ("PREFECT__CONTROL_PORT", "PREFECT__CONTROL_TOKEN")


def _let_go_of_forkserver() -> None:
    """Close this process's copy of the forkserver's "alive" pipe, which every forked process
    is handed (for processes it would start itself): held, it keeps the forkserver, and so
    this run, alive after the worker died."""
    from multiprocessing import forkserver

    server = forkserver._forkserver  # noqa: SLF001  the module's own instance
    if server._forkserver_alive_fd is not None:  # noqa: SLF001
        os.close(server._forkserver_alive_fd)  # noqa: SLF001
        server._forkserver_alive_fd = None  # noqa: SLF001


def run(flow_run_id: str, env: dict[str, str]) -> None:
    """Run flow run ``flow_run_id`` with the worker's ``env``; stop should the forkserver (and
    so the worker) die first."""
    _let_go_of_forkserver()
    threading.Thread(target=watch_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    os.environ.update(env)
    engine.configure_from_env()  # the control channel's listener reads its port and token now
    for key in CONTROL:
        os.environ.pop(key, None)
    settings = get_settings_context()
    with engine.SettingsContext(profile=settings.profile, settings=Settings()):
        run_id = UUID(flow_run_id)
        with engine.handle_engine_signals(run_id):
            flow_run = engine.load_flow_run(flow_run_id=run_id)
            run_logger = engine.flow_run_logger(flow_run=flow_run)
            try:
                flow = engine.load_flow(flow_run)
            except Exception:
                run_logger.error("Unexpected exception encountered when trying to load flow", exc_info=True)
                raise
            with engine.RunMetrics(flow_run, flow):
                result = engine.run_flow(flow, flow_run=flow_run, error_logger=run_logger)
                engine._drive_run_flow_result(flow, result)
