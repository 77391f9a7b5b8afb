from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huanjie.cli.chrome import ChineseTyper
from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain

app = ChineseTyper(no_args_is_help=True)


@app.command("reopen")
@command
def reopen(
    step: Annotated[str, typer.Argument(help="步骤编号")],
    village: Annotated[str, typer.Option("--village", help="村代码")],
    reason: Annotated[str, typer.Option("--reason", help="理由，如：候选人更换")],
    campaign: Annotated[str | None, typer.Option("--campaign", help="换届代码")] = None,
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """重新打开步骤及其后续依赖步骤（保留全部历史）。"""
    from huanjie.service.replan import reopen as do_reopen

    keys = do_reopen(context(), actor_name=as_, village_code=village, step_key=step, reason=reason,
                     campaign_code=campaign)
    if json_out:
        print_json({"reopened": keys})
    else:
        console.print(f"已重新打开 {len(keys)} 个步骤：{plain('、'.join(keys) or '无')}")


@app.command("schema")
@command
def schema(
    step: Annotated[str, typer.Argument(help="步骤编号，如 P4.1")],
    json_out: JsonOpt = False,
) -> None:
    """步骤事实的 JSON Schema（供网页表单、接口与脚本使用）。"""
    from huanjie.service.facts import step_schema

    data = step_schema(step)
    if json_out:
        print_json(data)
        return
    console.print(f"{data['title']}：{len(data['properties'])} 项事实（--json 输出 JSON Schema）", markup=False)
    for key, prop in data["properties"].items():
        need = "必填" if key in data["required"] else "选填"
        console.print(f"  {key}  {prop['title']}（{prop['x-huanjie-type']}，{need}）", markup=False, highlight=False)


STATUS_LABELS = {"pending": "待办", "blocked": "未通过检查", "awaiting": "待审批", "done": "已完成", "skipped": "已跳过"}


@app.command("show")
@command
def show(
    step: Annotated[str, typer.Argument(help="步骤编号，如 P4.1")],
    village: Annotated[str | None, typer.Option("--village", help="村代码：同时显示该村的期限与进度")] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help="换届代码")] = None,
    json_out: JsonOpt = False,
) -> None:
    """步骤说明：填报、审批、期限、前序步骤、事实与可选值、文书。"""
    from huanjie.plain_text import clean
    from huanjie.service.facts import show_step

    data = show_step(context(), step, village, campaign)
    if json_out:
        print_json(data)
        return
    from rich.padding import Padding
    from rich.text import Text

    def say(text: str, indent: int = 0) -> None:  # wrapped lines keep the indent of the first
        console.print(Padding(Text(clean(text)), (0, 0, 0, indent), expand=False), highlight=False)
    say(f"{data['step']} {data['name']}（{data['stage']}）")
    say(f"  填报：{'、'.join(data['recorded_by'])}")
    say(f"  审批：{data['gate'] + '（' + data['gate_by'] + '）' if data['gate'] else '无'}")
    say(f"期限依据：{data['deadline_source']}{'（法定）' if data['statutory'] else ''}", 2)
    if "village" in data:
        v = data["village"]
        say(f"  {v['name']}（{v['code']}）：期限 {v['due']}，{STATUS_LABELS.get(v['status'], v['status'])}")
        for message in v["failures"]:
            say(f"    - {message}")
        if v.get("missing"):
            say(f"    须填：{'、'.join(v['missing'])}")
    waits = [f"{r['step']} {r['name']}" + (f"（{STATUS_LABELS.get(r.get('status'), r.get('status'))}）"
                                           if r.get("status") else "") for r in data["requires"]]
    say(f"  前序步骤：{'、'.join(waits) or '无'}")
    say(f"  文书：{'、'.join(d['code'] + '《' + d['title'] + '》' for d in data['documents']) or '无'}")
    say("  事实：")
    for f in data["facts"]:
        say(f"{f['key']}：{f['text']}", 4)
        for c in f["columns"]:
            say(f"· {c['key']}：{c['text']}", 6)
            for i in c.get("columns", []):
                say(f"· {i['key']}：{i['text']}", 8)
        if f.get("table_note"):
            say(f"用 CSV/Excel 填写时，{f['table_note']}", 6)
    say(f"  模板：huanjie step template {data['step']} --format yaml|csv|xlsx")


@app.command("template")
@command
def template(
    step: Annotated[str, typer.Argument(help="步骤编号，如 P4.1")],
    fmt: Annotated[str, typer.Option("--format", help="yaml（全部事实）、csv（一个名单）、xlsx（全部事实）")] = "yaml",
    field: Annotated[str | None, typer.Option("--field", help="csv：名单的事实编号，如 voters")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="写入文件（默认：yaml/csv 打印，xlsx 写入 步骤.xlsx）")] = None,
) -> None:
    """可填写的事实模板（中文表头与说明），填好后用 huanjie record 填报。"""
    from huanjie.service.facts import template as make

    data = make(step, fmt, field)
    if output is None and fmt == "xlsx":
        output = Path(f"{step}.xlsx")
    if output is None:
        typer.echo(data.decode("utf-8-sig"), nl=False)
        return
    output.write_bytes(data)
    console.print(f"已写入 {output}", markup=False)
