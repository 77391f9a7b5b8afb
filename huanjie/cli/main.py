"""The huanjie command line: thin commands over huanjie.service."""

from __future__ import annotations

import typer

from huanjie.cli import calendar_cmd, campaign_cmd, plan_cmd, village_cmd

app = typer.Typer(
    name="huanjie",
    help="村“两委”换届选举流程引擎",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(campaign_cmd.app, name="campaign", help="换届（县级）：创建、查看、调整日期")
app.add_typer(village_cmd.app, name="village", help="村：导入、查看")
app.add_typer(calendar_cmd.app, name="calendar", help="法定期间与工作日计算")
app.command("plan")(plan_cmd.plan)


def main() -> None:
    app()
