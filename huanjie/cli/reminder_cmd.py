"""digest, reminders, scheduler: the weekly digest by hand, what the sweep would send, the scheduler."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain
from huanjie.errors import InvalidInput, Problem
from huanjie.files import write_atomically

FORMATS = ("html", "md", "pdf")


def _notify():
    from huanjie.reminders.config import NotifySettings
    from huanjie.reminders.deliver import Notify

    return Notify(NotifySettings().load())


def _county_office(ctx, actor_name: str | None, action: str, campaign: str | None = None):
    from huanjie.service.roles import COUNTY_OFFICE
    from huanjie.service.visibility import acting_user, require_campaign

    actor = acting_user(ctx, actor_name, action=action, roles=(COUNTY_OFFICE,))
    if campaign:
        require_campaign(ctx, actor, campaign, action)
    return actor


def _campaign(ctx, campaign: str | None) -> str:
    if campaign:
        return campaign
    from huanjie.reminders.sweep import active_campaigns

    codes = active_campaigns(ctx)
    if len(codes) != 1:
        raise InvalidInput("请指定换届", [Problem("有多个（或没有）进行中的换届，请用 --campaign 指定", field="campaign")])
    return codes[0]


@command
def digest(
    township: Annotated[str | None, typer.Option("--township", help="乡镇；不填为全县")] = None,
    week: Annotated[str | None, typer.Option("--week", help="ISO 周次，如 2026-W39；不填为本周")] = None,
    campaign: Annotated[str | None, typer.Option("--campaign", help="换届代码")] = None,
    send: Annotated[bool, typer.Option("--send", help="发送（每个周次只发送一次）")] = False,
    fmt: Annotated[str, typer.Option("--format", help="预览格式：html | md | pdf")] = "md",
    output: Annotated[Path | None, typer.Option("--output", help="预览写入该文件")] = None,
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """每周重点工作提醒：预览，或用 --send 手工发送（发送须由县换届办）。"""
    from huanjie.reminders import render
    from huanjie.reminders.deliver import deliver_due
    from huanjie.reminders.digest import parse_week, week_of
    from huanjie.reminders.sweep import digest_key, issue_digest, preview_digest

    if fmt not in FORMATS:
        raise InvalidInput(f"未知格式 {fmt}", [Problem("--format 须为 html、md 或 pdf", field="format")])
    ctx = context()
    if send:
        _county_office(ctx, as_, "手工发送每周提醒", campaign)
    notify = _notify()
    code = _campaign(ctx, campaign)
    if send and not campaign:
        _county_office(ctx, as_, "手工发送每周提醒", code)
    week = week or week_of(ctx.clock.today())
    parse_week(week)
    now = ctx.clock.now()
    if send:
        notice = issue_digest(ctx, notify, campaign_code=code, week=week, township=township, now=now)
        if notice is None:
            audience = f"township:{township}" if township else "county"
            result = {"sent": False, "key": digest_key(code, audience, week), "reason": "该周提醒此前已发送，不重复发送"}
        else:
            result = {"sent": True, "key": notice.key, "sha256": notice.sha256,
                      "deliveries": deliver_due(ctx, notify, now, notice_ids=[notice.id])}
        if json_out:
            print_json(result)
        elif result["sent"]:
            d = result["deliveries"]
            console.print(f"已发出：{plain(notice.subject)}（成功 {d['sent']}，待重试 {d['retrying']}，失败 {d['failed']}）")
        else:
            console.print(f"未发送：{plain(result['reason'])}（{plain(result['key'])}）")
        return
    built = preview_digest(ctx, notify, campaign_code=code, week=week, township=township, now=now)
    if json_out:
        print_json(built.as_dict())
        return
    html = render.render_html(built)
    content: str | bytes = {"html": lambda: html, "md": lambda: render.render_markdown(built),
                            "pdf": lambda: render.render_pdf(html)}[fmt]()
    if output:
        write_atomically(output, content if isinstance(content, bytes) else content.encode())
        console.print(f"已写入 {plain(output)}")
    elif isinstance(content, bytes):
        raise InvalidInput("PDF 须写入文件", [Problem("请用 --output 指定文件", field="output")])
    else:
        typer.echo(content)


@command
def reminders(
    due: Annotated[bool, typer.Option("--due", help="列出下一次巡检将发送的内容")] = False,
    campaign: Annotated[str | None, typer.Option("--campaign", help="换届代码")] = None,
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """提醒：--due 列出下一次巡检将发送的内容；不加则列出发送失败的投递（限县换届办、审计人员）。"""
    from huanjie.reminders.deliver import delivery_problems
    from huanjie.reminders.sweep import what_is_due
    from huanjie.service.visibility import COUNTY_ROLES, acting_user, views

    ctx = context()
    actor = acting_user(ctx, as_, action="查看提醒", roles=COUNTY_ROLES)
    mine = {v.campaign_code for v in views(ctx, actor, campaign_code=campaign, township=None, village=None,
                                           action="查看提醒")}
    if not due:
        problems = [p for p in delivery_problems(ctx, campaign) if p["campaign"] in mine]
        if json_out:
            print_json(problems)
            return
        if not problems:
            console.print("没有发送失败的提醒")
        for p in problems:
            console.print(f"{plain(p['status_label'])}：{plain(p['subject'])} → {plain(p['channel_label'])} {plain(p['address'])}，"
                          f"已尝试 {p['attempts']} 次；{plain(p['last_error'] or '')}")
        return
    found = what_is_due(ctx, _notify(), ctx.clock.now())
    found = {k: [x for x in v if x["campaign"] in mine] for k, v in found.items()}
    if json_out:
        print_json(found)
        return
    for d in found["digests"]:
        console.print(f"周报 {plain(d['campaign'])} {plain(d['audience'])} {plain(d['week'])}")
    for r in found["reminders"]:
        console.print(f"提醒 {plain(r['audience'])}：{plain(r['heading'])} {plain(r['township'])} {plain(r['village_name'])}（{plain(r['village'])}）"
                      f" {plain(r['step'])} {plain(r['step_name'])} 期限 {plain(r['due'])}")
    for d in found["deliveries"]:
        console.print(f"投递 {plain(d['channel'])} {plain(d['address'])}：{plain(d['subject'])}（已尝试 {d['attempts']} 次）")
    if not any(found.values()):
        console.print("下一次巡检没有要发送的内容")


@command
def scheduler(as_: AsOpt = None) -> None:
    """运行提醒调度器（每周提醒、期限巡检、每日签名检查点），Ctrl-C 停止（须由县换届办运行）。"""
    from huanjie.reminders.scheduler import run_scheduler

    _county_office(context(), as_, "运行提醒调度器")
    console.print("提醒调度器进程已启动（Ctrl-C 停止）；同一时间只有一个进程运行调度器")
    run_scheduler(context(), _notify(), actor_name=as_, echo=lambda text: console.print(text, markup=False))
    console.print("提醒调度器已停止")
