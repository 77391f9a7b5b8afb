"""Flow runs that died with their worker are marked Crashed, so they give back their township's slot.

A flow run killed with its worker (SIGKILL, the machine lost) never reports an end: Prefect's
server keeps it RUNNING, and a RUNNING run holds one of its work queue's concurrency slots
(huanjie.flows.deploy: one queue per township) for ever, so that township starves. Prefect 3.8
can notice such runs itself only through flow-run heartbeats (``PREFECT_FLOWS_HEARTBEAT_FREQUENCY``)
and a zombie-detection automation, which needs the server's event services running.

huanjie knows sooner and without them: a live run renews its cases' lease every third of
``lease_seconds``; a submitted run's lease (its owner name is a parameter and a tag of the run)
found expired means the run is gone. Before a dispatcher claims such cases again, it sets the
run's state to Crashed (forced); its slot is free at once, and the cases' new run can start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)
ACTIVE = ("PENDING", "RUNNING", "CANCELLING")  # the states that hold a work-queue slot
CHUNK = 50  # owners per query


def crash_lost_runs(owners: Iterable[str]) -> int:
    """Mark Crashed the active flow runs tagged with one of ``owners`` (lapsed submit owners,
    huanjie.service.claims.lapsed_submit_owners); returns how many were marked."""
    owners = sorted(set(owners))
    if not owners:
        return 0
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType, FlowRunFilterTags
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    crashed = 0
    with get_client(sync_client=True) as client:
        for start in range(0, len(owners), CHUNK):
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(any_=owners[start:start + CHUNK]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType(s) for s in ACTIVE]))))
            for run in runs:
                client.set_flow_run_state(run.id, Crashed(message="工作进程已失联：案件租约到期未续，已由其他工作进程接手"),
                                          force=True)
                crashed += 1
    if crashed:
        log.warning("marked %s flow runs crashed whose lease had expired", crashed)
    return crashed
