"""huanjie chart: the timeline of a village or a campaign, or the flow chart, as SVG or PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huanjie.cli.common import AsOpt, command, console, context, plain
from huanjie.files import write_atomically


@command
def chart(output: Annotated[Path, typer.Option("--output", help="输出文件（.svg 或 .png）")],
          village: Annotated[str | None, typer.Option("--village", help="该村的时间表")] = None,
          campaign: Annotated[str | None, typer.Option("--campaign", help="该换届全部村的时间表")] = None,
          flow: Annotated[bool, typer.Option("--flow", help="流程图（15 个阶段、47 个步骤及审批关口）")] = False,
          as_: AsOpt = None) -> None:
    """时间表（甘特图：期限、完成日、逾期标红、今天）或流程图。"""
    from huanjie.charts.service import as_format, campaign_timeline, flow_chart, village_timeline
    from huanjie.errors import InvalidInput, Problem
    from huanjie.service.visibility import COUNTY_ROLES, acting_user, require_campaign, require_village

    if village:
        require_village(context(), as_, village, campaign, "查看该村的时间表")
    elif campaign and not flow:
        actor = acting_user(context(), as_, action="查看全县时间表", roles=COUNTY_ROLES)
        require_campaign(context(), actor, campaign, "查看全县时间表")
    elif flow:
        acting_user(context(), as_, action="查看流程图")
    if flow:
        svg = flow_chart()
    elif village:  # --campaign then only tells apart villages with the same code
        svg = village_timeline(context(), village_code=village, campaign_code=campaign)
    elif campaign:
        svg = campaign_timeline(context(), campaign_code=campaign)
    else:
        raise InvalidInput("请指定 --village、--campaign 或 --flow", [Problem("三者选一", field="village")])
    write_atomically(output, as_format(svg, output.suffix.lower()))
    console.print(f"已写入 {plain(output)}")
