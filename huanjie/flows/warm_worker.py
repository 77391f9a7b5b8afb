"""A Prefect process worker whose flow runs start warm: forked from a process that has already
imported Prefect and huanjie, instead of a fresh ``python -m prefect.engine`` each.

Prefect's ProcessWorker starts a new interpreter per flow run; importing Prefect, huanjie and
their drivers costs seconds per run (most of the time from a gate decision to the next step
done). ``flow.serve`` (Prefect's Runner) runs a flow object it already holds through
``run_flow_in_subprocess``, but with the ``spawn`` start method: a fresh interpreter again.

``WarmProcessWorker`` keeps everything else of the ProcessWorker (same ``process`` work pool
type and job template, the worker's ``limit``, Prefect's flow-run executor: state proposals,
Crashed on a non-zero exit, cancellation by killing the run's process) and changes only how a
run's process starts: a ``multiprocessing`` forkserver, started once with the flow's modules
preloaded, forks each run's process. A run still has a process of its own (a crash kills only
that run), and it watches its parent: should the worker die (even by SIGKILL) the forkserver
exits and the run stops itself (huanjie.parent_watch), its cases' lease then expires and
another worker takes them (huanjie.flows.lost_runs).
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from typing import Any

import anyio
import anyio.abc
from prefect.workers.process import ProcessJobConfiguration, ProcessWorker, ProcessWorkerResult

# imported once by the forkserver: what every flow run would otherwise import itself
PRELOAD = ["huanjie.flows.warm_child"]


def context() -> multiprocessing.context.ForkServerContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


class WarmStarter:
    """Prefect's DirectSubprocessStarter (what ``flow.serve`` uses), on a preloaded forkserver."""

    def __init__(self, *, env: dict[str, str | None], control_channel) -> None:
        self._env, self._control_channel = env, control_channel

    async def start(self, flow_run, task_status: anyio.abc.TaskStatus = anyio.TASK_STATUS_IGNORED) -> None:
        from prefect.runner._process_manager import ProcessHandle
        from prefect.settings import get_current_settings
        from prefect.utilities.processutils import sanitize_subprocess_env

        env: dict[str, str | None] = {**get_current_settings().to_environment_variables(exclude_unset=True),
                                      **os.environ, **self._env,
                                      "PREFECT__FLOW_RUN_ID": str(flow_run.id),
                                      "PREFECT__ENABLE_CANCELLATION_AND_CRASHED_HOOKS": "false"}
        registered = False
        if self._control_channel is not None:
            try:
                port, token = self._control_channel.register(flow_run.id)
                env |= {"PREFECT__CONTROL_PORT": str(port), "PREFECT__CONTROL_TOKEN": token}
                registered = True
            except RuntimeError:  # no loopback listener: cancellation falls back to killing
                pass
        handed_off = False
        try:
            from huanjie.flows.warm_child import run

            process = context().Process(target=run, args=(str(flow_run.id), sanitize_subprocess_env(env)), name=f"flow-run-{flow_run.id}")
            process.start()
            task_status.started(ProcessHandle(process))
            handed_off = True
            await anyio.to_thread.run_sync(process.join)
        except BaseException:
            if registered and not handed_off:
                self._control_channel.unregister(flow_run.id)
            raise


with warnings.catch_warnings():  # same type "process" as ProcessWorker, on purpose: same pools
    warnings.simplefilter("ignore", UserWarning)

    class WarmProcessWorker(ProcessWorker):
        """ProcessWorker whose flow runs are forked warm (see the module)."""

        async def run(self, flow_run, configuration: ProcessJobConfiguration,
                      task_status: anyio.abc.TaskStatus[int] | None = None) -> ProcessWorkerResult:
            from prefect.flows import load_flow_from_flow_run
            from prefect.runner._flow_run_executor import FlowRunExecutorContext

            task_status = task_status or anyio.TASK_STATUS_IGNORED
            execution: Any = None
            async with FlowRunExecutorContext() as ctx:
                executor = ctx.create_executor(flow_run, WarmStarter(env=configuration.env, control_channel=ctx.control_channel),
                                               resolve_flow=load_flow_from_flow_run, propose_submitting=False)

                async def execute(*, task_status=anyio.TASK_STATUS_IGNORED) -> None:
                    nonlocal execution
                    execution = await executor.submit(task_status=task_status)

                async with anyio.create_task_group() as group:
                    handle = await group.start(execute)
                    task_status.started(handle.pid)
            if execution is None or execution.status_code is None:
                raise RuntimeError("Failed to start flow run process.")
            return ProcessWorkerResult(status_code=execution.status_code, identifier=str(execution.handle.pid))


def warm_up() -> None:
    """Start the forkserver now (it imports PRELOAD once), not at the first flow run."""
    from multiprocessing import forkserver

    context()
    forkserver.ensure_running()
