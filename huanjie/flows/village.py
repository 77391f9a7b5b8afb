"""The village flow: runs a batch of villages' cases through their stages in catalogue order."""

from __future__ import annotations

from prefect import flow

from huanjie.flows import runtime
from huanjie.flows.stage import stage_flow
from huanjie.flows.walk import Work, walk_cases


async def _stage_subflow(stage_key: str, work: Work, finished: Work) -> Work:
    return await stage_flow(stage_key, work, finished, len(work))


@flow(name="village", flow_run_name="{label}", validate_parameters=False)
async def village_flow(case_ids: list[int], label: str) -> Work:
    return await walk_cases(runtime.current(), case_ids, _stage_subflow)
