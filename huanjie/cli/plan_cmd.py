from __future__ import annotations

from typing import Annotated

import typer

from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, plain, print_json


@command
def plan(
    village: Annotated[str, typer.Option("--village", help="村代码")],
    campaign: Annotated[str | None, typer.Option("--campaign", help="换届代码（村代码重复时）")] = None,
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """列出该村全部 47 个步骤的期限（法定/计划、暂定、休息日提示）。"""
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from huanjie.service.planning import village_plan
    from huanjie.service.visibility import require_village

    require_village(context(), as_, village, campaign, "查看该村的步骤计划")

    rows = village_plan(context(), village_code=village, campaign_code=campaign)
    if json_out:
        print_json([r.as_dict() for r in rows])
        return
    table = Table(title=f"村 {plain(village)} 换届步骤计划", show_lines=False)
    for col in ("步骤", "名称", "期限", "性质", "状态"):
        table.add_column(col, no_wrap=col != "名称", overflow="fold")
    for r in rows:
        due = r.due + ("（暂定）" if r.provisional else "")
        kind = "法定" if r.statutory else "计划"
        table.add_row(*(plain(cell) for cell in (r.step, r.name, due, kind, r.status_label)))
    console.print(table)
    holds = [r for r in rows if r.holds]
    if holds:
        console.print("\n[bold]未完成的步骤卡在哪里[/]")
        for r in holds:
            text = Text(plain(f"{r.step} {r.status_label}：" + "；".join(h["text"] for h in r.holds)))
            console.print(Padding(text, (0, 0, 0, 2), expand=False))  # wrapped lines keep the indent
    notes = [(r.step, note) for r in rows
             for note in r.warnings + [f"{m['name']} {m['due']}" for m in r.milestones.values()]]
    if notes:
        console.print("\n[bold]期限提示[/]")
        for step, note in notes:
            console.print(plain(f"  {step} {note}"))
