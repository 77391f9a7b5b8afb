from __future__ import annotations

from typing import Annotated

import typer

from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain

NOTES_SHOWN = 3  # lines per village; the rest: huanjie plan
RISK_STYLE = {"green": "[green]绿[/]", "yellow": "[yellow]黄[/]", "red": "[red]红[/]"}


@command
def status(
    campaign: Annotated[str | None, typer.Option("--campaign", help="换届代码")] = None,
    township: Annotated[str | None, typer.Option("--township", help="乡镇")] = None,
    village: Annotated[str | None, typer.Option("--village", help="村代码")] = None,
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """作战图：各村各阶段进度、待谁审批、逾期步骤、风险等级（仅本人范围内的村）。"""
    from huanjie.service.status import VillageStatus, status_report
    from huanjie.service.visibility import COUNTY_ROLES, acting_user, views

    ctx = context()
    actor = acting_user(ctx, as_, action="查看作战图")
    report = {"villages": [], "deliveries": []}
    for view in views(ctx, actor, campaign_code=campaign, township=township, village=village, action="查看作战图"):
        part = status_report(ctx, campaign_code=view.campaign_code, township=view.township, village=view.village)
        report["villages"] += part["villages"]
        if actor.role in COUNTY_ROLES:  # delivery addresses are the county's business
            report["deliveries"] += part["deliveries"]
    if json_out:
        print_json(report)
        return
    show_board([VillageStatus(**v) for v in report["villages"]])
    if village is not None:  # one village: what holds each step, in full (the board has a few words)
        from rich.padding import Padding
        from rich.text import Text

        for v in report["villages"]:
            for step in v["holds"]:
                text = Text(plain(f"{step['step']} {step['name']}：" + "；".join(h["text"] for h in step["holds"])))
                console.print(Padding(text, (0, 0, 0, 2), expand=False), highlight=False)
    for d in report["deliveries"]:
        console.print(f"[red]{plain(d['status_label'])}[/]：{plain(d['channel_label'])} {plain(d['address'])} · {plain(d['subject'])}"
                      f"（已尝试 {d['attempts']} 次：{plain(d['last_error'])}）", markup=True)


def show_board(villages) -> None:
    from rich.table import Table

    table = Table(title="换届作战图（阶段 P1–P6、V1–V9：✓ 完成 ● 进行中 · 未开始）")
    wide = console.width >= 120  # on a narrow terminal the village code would crowd the notes out
    for col in ("乡镇", "村", "状态", "党组织", "村委会", "风险", "待办/逾期"):
        table.add_column(col, no_wrap=col != "待办/逾期", overflow="fold")
    for v in villages:
        notes = [hold_line(h) for h in v.holds[:NOTES_SHOWN]]
        if len(v.holds) > NOTES_SHOWN:
            notes.append(f"……等 {len(v.holds)} 项")
        table.add_row(plain(v.township), plain(f"{v.name}（{v.code}）" if wide else v.name), v.state_label,
                      _stages(v.stages, "P"), _stages(v.stages, "V"), RISK_STYLE[v.risk],
                      "\n".join(plain(n) for n in notes) or "—")
    console.print(table)


def hold_line(step: dict) -> str:
    """One step and what holds it, briefly: "P2.1 逾期 已填报，等 P1.3"."""
    late = " 逾期" if step["overdue"] else ""
    return f"{step['step']}{late} " + "，".join(h["brief"] for h in step["holds"])


STAGE_MARKS = {"done": "✓", "current": "●", "todo": "·"}


def _stages(stages: dict[str, str], prefix: str) -> str:
    return "".join(STAGE_MARKS[state] for key, state in stages.items() if key.startswith(prefix))
