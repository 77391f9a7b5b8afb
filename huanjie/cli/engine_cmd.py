"""launch, record, run, worker: the commands that move cases forward."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain

CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="换届代码")]


@command
def launch(
    campaign: Annotated[str, typer.Option("--campaign", help="换届代码")],
    township: Annotated[str | None, typer.Option("--township", help="只启动该乡镇的村")] = None,
    village: Annotated[str | None, typer.Option("--village", help="只启动该村")] = None,
    all_: Annotated[bool, typer.Option("--all", help="启动全部村")] = False,
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """启动所选村的两项选举流程（已启动的不会重复启动）。"""
    from huanjie.cli.progress import bar
    from huanjie.service.launch import launch as do_launch

    ctx = context()
    with bar("启动", json_out) as advance:
        result = do_launch(ctx, campaign_code=campaign, actor_name=as_, township=township, village=village,
                           everything=all_, progress=advance)
    submitted = _submit(ctx, campaign)
    if json_out:
        print_json({**result.__dict__, **({"cases_submitted": submitted} if ctx.submits else {})})
    else:
        console.print(f"已启动 {len(result.launched)} 个村；此前已启动 {len(result.already)} 个")
        if ctx.submits:
            console.print(f"已向 Prefect 工作池提交 {submitted} 个案件的流程")


@command
def record(
    step: Annotated[str, typer.Argument(help="步骤编号，如 P5.2")],
    village: Annotated[str | None, typer.Option("--village", help="村代码")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="事实文件：YAML / JSON，或名单 CSV / Excel（配合 --field）")] = None,
    field: Annotated[str | None, typer.Option("--field", help="CSV / Excel 各行放入的名单，如 voters")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="单项事实 key=value，可重复")] = None,
    merge: Annotated[bool, typer.Option("--merge", help="合并：同一项（身份证号、姓名等）替换，其余追加")] = False,
    villages: Annotated[Path | None, typer.Option("--villages", help="批量填报：CSV / Excel，每行一个村（首列 村代码）")] = None,
    campaign: CampaignOpt = None,
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """填报某一步骤的事实：先按该步骤的事实定义逐项核对（一次列出全部问题），再运行法定检查。

    各步骤的事实见 huanjie step show 步骤；可填写的模板见 huanjie step template 步骤。
    """
    from huanjie.errors import InvalidInput, Problem
    from huanjie.service.fact_files import read_fact_input
    from huanjie.service.facts import step_facts
    from huanjie.service.records import record_facts

    schema = step_facts(step)
    if villages is not None:
        from huanjie.service.bulk import record_villages

        results = record_villages(context(), actor_name=as_, step_key=step, path=villages, campaign_code=campaign)
        if json_out:
            print_json([r.__dict__ for r in results])
            return
        held = sum(1 for r in results if r.failures)
        console.print(f"已为 {len(results)} 个村记录 {plain(step)}；其中 {held} 个村未通过检查")
        for r in results:
            for f in r.failures:
                console.print(f"  - {plain(r.village)}：{plain(f['message'])}")
        return
    if village is None:
        raise InvalidInput("缺少 --village", [Problem("填报一个村用 --village 村代码；批量填报用 --villages 文件", field="village")])
    given = read_fact_input(file, field=field, pairs=set_ or [], schema=schema)
    result = record_facts(context(), actor_name=as_, village_code=village, step_key=step, facts=given.facts,
                          campaign_code=campaign, merge=merge, lines=given.lines)
    from huanjie.cli.follow_up import follow_up

    if json_out:
        move = follow_up(village, step, campaign, json_out=True) if not result.failures else None
        print_json({**result.__dict__, "next": move.as_dict() if move else None})
        return
    for n in result.notes:
        console.print(f"  注：{plain(n['message'])}（{plain(n['field'])}）")
    if result.changes:
        changed = [*result.changes.get("added", {}), *result.changes.get("changed", {}), *result.changes.get("removed", {})]
        console.print(f"  更正：{plain('、'.join(changed))}")
    if result.failures:
        console.print(f"[red]已记录，但 {plain(step)} 未通过检查，暂不能完成（请更正后重新填报）：[/]")
        for f in result.failures:
            console.print(f"  - {plain(f['message'])}")
    else:
        console.print(f"已记录 {plain(village)} {plain(step)}，检查通过")
        follow_up(village, step, campaign)


@command
def run(
    campaign: CampaignOpt = None,
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """运行一次：推进所有有新进展的村的流程，并标记逾期步骤（须由县换届办运行）。常驻运行请用 huanjie worker。"""
    from huanjie.cli.progress import bar
    from huanjie.flows.driver import run_woken, woken_cases

    ctx = context()
    _operator(ctx, as_, "运行流程", campaign)
    _stop_on_sigterm()
    todo = woken_cases(ctx, campaign)
    from huanjie.service.deadlines import sweep_overdue

    with bar("运行流程", json_out, total=len(todo)) as advance:
        count = run_woken(ctx, progress=advance, todo=todo)
    overdue = sweep_overdue(ctx)
    if json_out:
        print_json({"cases_run": count, "overdue_noted": overdue})
    else:
        console.print(f"已运行 {count} 个村的流程；新逾期步骤 {overdue} 个")


@command
def worker(
    interval: Annotated[float | None, typer.Option("--interval", help="轮询间隔（秒），默认取 HUANJIE_POLL_INTERVAL（0.25）",
                                                   min=0.01)] = None,
    once: Annotated[bool, typer.Option("--once", help="只处理一轮后退出")] = False,
    as_: AsOpt = None,
) -> None:
    """常驻工作进程：有新进展的村约 1 秒内自动推进，并标记逾期步骤。Ctrl-C 安全退出（须由县换届办运行）。

    设置了 PREFECT_API_URL 时，启动 Prefect 工作进程，运行工作池中提交的流程（可在多台机器上各运行多个）。
    """
    ctx = context()
    _operator(ctx, as_, "运行工作进程")
    echo = lambda text: console.print(plain(text))  # noqa: E731
    if ctx.submits:
        from huanjie.flows.prefect_worker import serve_prefect

        serve_prefect(ctx, interval=interval or ctx.poll_interval, once=once, echo=echo)
        return
    from huanjie.flows.worker import serve

    serve(ctx, interval=interval or ctx.poll_interval, once=once, echo=echo)


def _submit(ctx, campaign: str | None = None, case_ids: list[int] | None = None) -> int:
    """Prefect mode: submit flow runs for what a command woke (no-op otherwise)."""
    if not ctx.submits:
        return 0
    from huanjie.flows.deploy import after_change
    from huanjie.service.claims import woken_cases

    if case_ids is None:
        case_ids = [case_id for case_id, _ in woken_cases(ctx, campaign)]
    return after_change(ctx, case_ids)


def _operator(ctx, actor_name: str | None, action: str, campaign: str | None = None) -> None:
    """The engine's own commands are the county office's (domain.md §4)."""
    from huanjie.service.roles import COUNTY_OFFICE
    from huanjie.service.visibility import acting_user, require_campaign

    actor = acting_user(ctx, actor_name, action=action, roles=(COUNTY_OFFICE,))
    if campaign:
        require_campaign(ctx, actor, campaign, action)


def _stop_on_sigterm() -> None:
    """SIGTERM stops the round at once: each step is its own transaction, so what is written
    stays and the rest runs next time (Prefect would otherwise finish, or crash, the flow)."""
    import signal

    from huanjie.errors import Problem
    from huanjie.store.faults import Stopped

    def _stop(_signum, _frame):
        raise Stopped("收到停止信号，本轮已停止", [Problem("已完成的步骤均已保存；其余步骤下次运行 huanjie run 或 worker 时继续")])

    signal.signal(signal.SIGTERM, _stop)
