from __future__ import annotations

import time
from typing import Annotated

import typer

from huanjie.cli.common import JsonOpt, command, console, print_json, plain


@command
def demo(
    no_prefect: Annotated[bool, typer.Option("--no-prefect", help="不经 Prefect，直接调用步骤（更快，用于排查）")] = False,
    serve: Annotated[bool, typer.Option("--serve", help="演示结束后启动网页服务，在浏览器中查看示范县（Ctrl-C 停止）")] = False,
    port: Annotated[int, typer.Option("--port", help="与 --serve 一起：网页服务端口")] = 8000,
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
    show_accounts(settings.data_dir / "demo", ctx.clock.now().isoformat(timespec="minutes"), port, serving=serve)
    if serve:
        from huanjie.cli.serve_cmd import run_server
        from huanjie.web.settings import WebSettings

        # the demo's clock stays where the demo left it; plain http on this machine only
        run_server(ctx, WebSettings(host="127.0.0.1", port=port, secure_cookies=False, scheduler=False, prefect=False))


def show_accounts(data_dir, now: str, port: int, *, serving: bool) -> None:
    from rich.table import Table

    from huanjie.demo.county import DEMO_PASSWORD
    from huanjie.demo.run import demo_accounts

    table = Table(title=f"演示账户（密码均为 {DEMO_PASSWORD}）", title_justify="left")
    for column in ("用户名", "角色", "范围"):
        table.add_column(column)
    for name, role, scope in demo_accounts():
        table.add_row(name, role, scope)
    console.print(table)
    if serving:
        console.print(f"正在启动网页服务：请在浏览器打开 http://127.0.0.1:{port}/board（Ctrl-C 停止）", markup=False)
    else:
        console.print("在浏览器中查看示范县（作战图、待办、村页）：", markup=False)
        console.print(f"  HUANJIE_DATA_DIR={data_dir} HUANJIE_NOW={now} huanjie serve --port {port} --insecure-cookies",
                      markup=False, soft_wrap=True)
