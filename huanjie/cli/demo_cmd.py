from __future__ import annotations

import time
from typing import Annotated

import typer

from huanjie.cli.common import JsonOpt, command, console, print_json, plain


@command
def demo(
    no_prefect: Annotated[bool, typer.Option("--no-prefect", help="不经 Prefect，直接调用步骤（更快，用于排查）")] = False,
    json_out: JsonOpt = False,
) -> None:
    """演示：示范县 2 个乡镇 12 个村，时钟推进，完成选举、等待审批、到会不足、逾期各有其例。"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from huanjie.cli.status_cmd import show_board
    from huanjie.demo.run import demo_context, run_demo
    from huanjie.settings import StoreSettings

    started = time.monotonic()
    settings = StoreSettings()
    ctx = demo_context(settings.data_dir)
    say = (lambda _m: None) if json_out else console.print
    say(f"演示数据库：{(settings.data_dir / 'demo' / 'huanjie.db').resolve()}（每次运行重新建立）")
    if not no_prefect:
        say("正在启动 Prefect（无服务器时会先启动一个临时 API 服务，约 10 秒）……")
    with Progress(TextColumn("按日推进"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  disable=json_out, console=console) as progress:
        task = progress.add_task("days", total=None)
        report = run_demo(ctx, say=say, prefect=not no_prefect,
                          days_total=lambda n: progress.update(task, total=n),
                          tick=lambda n: progress.advance(task, n))
    elapsed = time.monotonic() - started
    if json_out:
        print_json({"campaign": report.campaign, "days": report.days, "records": report.records,
                    "approvals": report.approvals, "refusals": report.refusals, "seconds": round(elapsed, 1),
                    "villages": [v.as_dict() for v in report.board]})
        return
    show_board(report.board)
    console.print(f"共推进 {report.days} 个工作日期，填报 {report.records} 次，审批 {report.approvals} 次，"
                  f"用时 {elapsed:.0f} 秒")
    for refusal in report.refusals[:3]:
        console.print(f"  系统拒绝的操作示例：{plain(refusal)}")
    console.print(f"查看某村：huanjie status --village 330102001005（数据目录设为 {plain(settings.data_dir / 'demo')}）")
