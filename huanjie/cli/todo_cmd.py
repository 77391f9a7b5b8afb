"""huanjie todo: 我的待办, what this person must record or decide."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json


@command
def todo(
    as_: AsOpt = None,
    township: Annotated[str | None, typer.Option("--township", help="只看该乡镇")] = None,
    village: Annotated[str | None, typer.Option("--village", help="只看该村（村代码）")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="只看该阶段，如 P2、V3")] = None,
    due_before: Annotated[dt.datetime | None, typer.Option("--due-before", formats=["%Y-%m-%d"],
                                                          help="只看期限在该日或之前的（YYYY-MM-DD）")] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help="换届代码")] = None,
    json_out: JsonOpt = False,
) -> None:
    """我的待办：本人负责范围内各村须填报或审批的事项，期限最早的在前。"""
    from rich.markup import escape
    from rich.table import Table

    from huanjie.service.todo import todo_list

    items = todo_list(context(), actor_name=as_, campaign_code=campaign, township=township, village=village,
                      stage=stage, due_before=due_before.date() if due_before else None)
    if json_out:
        print_json([i.as_dict() for i in items])
        return
    if not items:
        console.print("没有待办事项")
        return
    table = Table(title=f"待办事项（{len(items)} 项，期限最早的在前）")
    for col in ("期限", "村", "步骤", "要做什么"):
        table.add_column(col, no_wrap=col in ("期限", "步骤"), overflow="fold")
    for i in items:
        due = f"[red]{i.due}（逾期）[/]" if i.overdue else str(i.due)
        what = f"[bold]{i.action_label}[/]：{escape(i.why)}"
        table.add_row(due, escape(f"{i.township} {i.village_name}"), escape(f"{i.step} {i.step_name}"), what)
    console.print(table)
