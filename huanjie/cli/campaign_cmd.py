from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from huanjie.cli.common import JsonOpt, command, console, context, print_json, plain
from huanjie.errors import InvalidInput, Problem

app = typer.Typer(no_args_is_help=True)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"“{value}”不是有效的日期", [Problem("日期须为 YYYY-MM-DD 格式且确实存在，如 2026-09-15",
                                                         field="date")]) from None


@app.command("create")
@command
def create(
    name: Annotated[str, typer.Option("--name", help="换届名称")],
    county: Annotated[str, typer.Option("--county", help="县（区）")],
    profile: Annotated[str, typer.Option("--profile", help="规则配置：national|ZJ|SH|BJ")],
    party_day: Annotated[str, typer.Option("--party-day", help="党员大会选举日 D_P（YYYY-MM-DD）")],
    vc_day: Annotated[str, typer.Option("--vc-day", help="村委会选举日 D_V（YYYY-MM-DD）")],
    as_: Annotated[str | None, typer.Option("--as", help="以该用户身份操作")] = None,
    json_out: JsonOpt = False,
) -> None:
    """创建换届，输出换届代码。"""
    from huanjie.service.campaigns import create_campaign

    campaign = create_campaign(
        context(), name=name, county=county, profile=profile, party_day=_date(party_day), vc_day=_date(vc_day),
        actor_name=as_,
    )
    if json_out:
        print_json(campaign.model_dump(mode="json", exclude={"id"}))
    else:
        console.print(campaign.code)


@app.command("list")
@command
def list_(json_out: JsonOpt = False) -> None:
    """列出所有换届。"""
    from huanjie.service.campaigns import list_campaigns

    campaigns = list_campaigns(context())
    if json_out:
        print_json([c.model_dump(mode="json", exclude={"id"}) for c in campaigns])
        return
    for c in campaigns:
        console.print(f"{plain(c.code)}  {plain(c.county)}  {plain(c.name)}  规则 {plain(c.profile_code)}  D_P {plain(c.party_day)}  D_V {plain(c.vc_day)}")


@app.command("move")
@command
def move(
    campaign: Annotated[str, typer.Option("--campaign", help="换届代码")],
    party_day: Annotated[str | None, typer.Option("--party-day", help="新的党员大会选举日")] = None,
    vc_day: Annotated[str | None, typer.Option("--vc-day", help="新的村委会选举日")] = None,
    reason: Annotated[str, typer.Option("--reason", help="调整原因")] = "",
    as_: Annotated[str | None, typer.Option("--as", help="以该用户身份操作")] = None,
    json_out: JsonOpt = False,
) -> None:
    """调整选举日：重算全部期限；已完成但不再满足期限的步骤列为失效并重新打开。"""
    from huanjie.service.replan import move_campaign

    result = move_campaign(
        context(), campaign_code=campaign, actor_name=as_,
        party_day=_date(party_day) if party_day else None, vc_day=_date(vc_day) if vc_day else None, reason=reason,
    )
    _show_move(result, json_out)


@app.command("rest-day")
@command
def rest_day(
    campaign: Annotated[str, typer.Option("--campaign", help="换届代码")],
    date: Annotated[str, typer.Option("--date", help="日期 YYYY-MM-DD")],
    label: Annotated[str | None, typer.Option("--label", help="名称，如：选举日放假")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="取消该本地休息日")] = False,
    as_: Annotated[str | None, typer.Option("--as", help="以该用户身份操作")] = None,
    json_out: JsonOpt = False,
) -> None:
    """设置或取消本县的本地休息日（如宣布选举日放假），并重算全部期限。"""
    from huanjie.service.replan import set_rest_day

    result = set_rest_day(context(), campaign_code=campaign, actor_name=as_, day=_date(date), label=label,
                          remove=remove)
    _show_move(result, json_out)


@app.command("refresh-calendar")
@command
def refresh_calendar(
    campaign: Annotated[str, typer.Option("--campaign", help="换届代码")],
    as_: Annotated[str | None, typer.Option("--as", help="以该用户身份操作")] = None,
    json_out: JsonOpt = False,
) -> None:
    """新一年的法定节假日数据加入后：按新数据重算（含暂定的）期限，并记入审计日志。"""
    from huanjie.service.replan import refresh_calendar as do_refresh

    _show_move(do_refresh(context(), campaign_code=campaign, actor_name=as_), json_out)


def _show_move(result, json_out: bool) -> None:
    if json_out:
        print_json(result.__dict__)
        return
    console.print(f"已重算期限：{result.moved} 项期限变化")
    for item in result.invalidated:
        console.print(f"  失效并重新打开：{plain(item['village'])} {plain(item['step'])}（完成于 {plain(item['done_on'])}，新期限 {plain(item['due'])}）")
    for item in result.late:
        console.print(f"  晚于新的计划期限（仍有效）：{plain(item['village'])} {plain(item['step'])}（完成于 {plain(item['done_on'])}，"
                      f"新期限 {plain(item['due'])}）")
