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

    from huanjie.service.todo import todo_list

    items = todo_list(context(), actor_name=as_, campaign_code=campaign, township=township, village=village,
                      stage=stage, due_before=due_before.date() if due_before else None)
    if json_out:
        print_json([i.as_dict() for i in items])
        return
    if not items:
        console.print("没有待办事项")
        return
    console.print(f"[bold]待办事项（{len(items)} 项，期限最早的在前）[/]")
    for n, i in enumerate(items, 1):
        late = " [red]逾期[/]" if i.overdue else ""
        console.print(f"{n}. {i.due}{late}  {escape(i.township)} {escape(i.village_name)}（{escape(i.village)}）")
        console.print(f"   {escape(i.step)} {escape(i.step_name)}")
        # the person's own action needs no restating ("待填报事实（由您填报）")
        extra = [h["text"] for h in i.holds if h["kind"] not in ("facts", "gate")]
        console.print(f"   [bold]{i.action_label}[/]" + (escape("：" + "；".join(extra)) if extra else ""))
        verb = "gate approve" if i.action == "decide" else "record"
        who = f" --as {as_}" if as_ else ""
        console.print(escape(f"   huanjie {verb} {i.step} --village {i.village}{who}"), style="dim")
