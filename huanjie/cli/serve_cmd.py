"""``huanjie serve``: the web UI and API, with the worker and the reminder scheduler in-process."""

from __future__ import annotations

from typing import Annotated

import typer

from huanjie.cli.common import command, console


@command
def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址（默认 127.0.0.1）")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口（默认 8000）")] = None,
    init_admin: Annotated[str | None, typer.Option("--init-admin", help="尚无用户时，登记第一个县换届办账户（用户名）")] = None,
    county: Annotated[str | None, typer.Option("--county", help="与 --init-admin 一起：该账户所属县（区）")] = None,
    password: Annotated[str | None, typer.Option("--password", help="与 --init-admin 一起：其密码（不填则提示输入）")] = None,
    no_worker: Annotated[bool, typer.Option("--no-worker", help="不在本进程运行流程工作进程（另行运行 huanjie worker）")] = False,
    no_scheduler: Annotated[bool, typer.Option("--no-scheduler", help="不在本进程运行提醒调度器（另行运行 huanjie scheduler）")] = False,
    no_prefect: Annotated[bool, typer.Option("--no-prefect", help="工作进程直接调用步骤，不经 Prefect")] = False,
    insecure_cookies: Annotated[bool, typer.Option("--insecure-cookies", help="Cookie 不加 Secure（仅限本机 http 访问）")] = False,
) -> None:
    """启动网页与接口服务（含流程工作进程与提醒调度器）。"""
    from huanjie.cli.common import context
    from huanjie.web.settings import WebSettings

    ctx = context()
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if no_worker:
        overrides["worker"] = False
    if no_scheduler:
        overrides["scheduler"] = False
    if no_prefect:
        overrides["prefect"] = False
    if insecure_cookies:
        overrides["secure_cookies"] = False
    settings = WebSettings(**overrides)
    if init_admin:
        from huanjie.errors import InvalidInput, Problem
        from huanjie.service.accounts import init_admin as make_admin

        if not county:
            raise InvalidInput("请用 --county 指明该县换届办账户所属县（区）", [Problem("如 --county 某县", field="county")])
        if password is None:
            password = typer.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")
        make_admin(ctx, name=init_admin, county=county, password=password)
        console.print(f"已登记县换届办账户 {init_admin}（{county}）", markup=False)
    run_server(ctx, settings)


def run_server(ctx, settings) -> None:
    import uvicorn

    from huanjie.web.app import create_app

    scheme = "https" if settings.secure_cookies and settings.host not in ("127.0.0.1", "localhost") else "http"
    console.print(f"网页服务：{scheme}://{settings.host}:{settings.port}/  （接口文档 /api/docs；Ctrl-C 停止）", markup=False)
    if settings.secure_cookies and scheme == "http":
        console.print("提示：Cookie 设为 Secure，浏览器只在 https 或 localhost 下发送；本机 http 访问请用 http://localhost:"
                      f"{settings.port}/ 或加 --insecure-cookies", markup=False)
    uvicorn.run(create_app(ctx, settings), host=settings.host, port=settings.port, log_level="warning",
                timeout_graceful_shutdown=30)
