from __future__ import annotations

from typing import Annotated

import typer

from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain

app = typer.Typer(no_args_is_help=True)


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
