"""The village flow: runs a batch of villages' cases through their stages in catalogue order."""

from __future__ import annotations

from prefect import flow

from huanjie.flows.stage import stage_flow
from huanjie.flows.walk import Work, walk_plan


async def _stage_subflow(stage_key: str, work: Work, finished: Work) -> Work:
    return await stage_flow(stage_key, work, finished, len(work))


@flow(name="village", flow_run_name="{label}", validate_parameters=False)
async def village_flow(finished: Work, stages: dict[str, Work], label: str) -> Work:
    """The stages with work (``plan_work``), in catalogue order, each as a stage subflow."""
    return await walk_plan(finished, stages, _stage_subflow)
