"""huanjie audit: verify the hash chains, replay a village, show its timeline, export and check archives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from huanjie.cli.chrome import ChineseTyper
from huanjie.steps.status import status_label
from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain

app = ChineseTyper(no_args_is_help=True)
VillageOpt = Annotated[str, typer.Option("--village", help="村代码")]
CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="换届代码（村代码重复时）")]
ELECTIONS = {"party": "党组织换届", "vc": "村委会换届"}


@app.command("verify")
@command
def verify(campaign: Annotated[str | None, typer.Option("--campaign", help="只核验该换届的链")] = None,
           checkpoint: Annotated[Path | None, typer.Option(
               "--checkpoint", help="与该签名检查点（huanjie audit checkpoint 生成，审计方另行保存）核对")] = None,
           public_key: Annotated[Path | None, typer.Option("--public-key", help="检查点签名公钥（PEM）")] = None,
           as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """核验审计记录：每条链的哈希、每个换届和流程都有其链、事件表仍受保护；可与签名检查点核对。"""
    from huanjie.audit.verify import verify as run

    report = run(context(), actor_name=as_, campaign_code=campaign, checkpoint=checkpoint, public_key=public_key)
    if json_out:
        print_json(report.as_dict())
    else:
        for c in report.chains:
            if c.intact:
                console.print(f"链 {plain(c.chain)}：完整，共 {c.events} 条事件，链头第 {c.head_seq} 号 {c.head_hash}")
            else:
                console.print(f"[bold red]链 {plain(c.chain)}：断裂[/] 第 {c.broken.seq} 号")
                console.print(f"  {plain(c.broken.message)}")
        for f in report.findings:
            console.print(f"[bold red]不完整：[/]{plain(f.message)}")
        if report.checkpoint:
            cp = report.checkpoint
            console.print(f"已与 {plain(cp['signed_at'])} 签名的检查点核对（{cp['chains']} 条链）")
            for chain, n in cp["newer"].items():
                console.print(f"  链 {plain(chain)}：检查点之后新增 {n} 条事件（尚无签名检查点覆盖）")
            for chain in cp["not_covered"]:
                console.print(f"  链 {plain(chain)}：检查点中没有这条链（检查点之后新建）")
        console.print("全部完整" if report.intact else "[bold red]发现问题：记录在写入后被改动、删除，或不再受保护[/]")
    if not report.intact:
        raise typer.Exit(1)


@app.command("checkpoint")
@command
def checkpoint(output: Annotated[Path, typer.Option("--output", help="检查点文件（交审计方另行保存）")],
               key: Annotated[Path, typer.Option("--key", help="县（区）签名私钥（PEM，huanjie audit keygen 生成）")],
               as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """签名检查点：以 Ed25519 签署各条审计链的链头，供日后 audit verify --checkpoint 核对。"""
    from huanjie.audit.checkpoint import write_checkpoint

    result = write_checkpoint(context(), output=output, key_path=key, actor_name=as_)
    if json_out:
        print_json(result)
    else:
        console.print(f"已签名检查点：{result['chains']} 条链的链头，写入 {plain(output)}（请交审计方另行保存）")


@app.command("replay")
@command
def replay(village: VillageOpt, at: Annotated[str | None, typer.Option(
               "--at", help="回放到该时刻（北京时间，如 2026-09-15 或 2026-09-15 10:30）")] = None,
           check: Annotated[bool, typer.Option("--check", help="与当前存储状态逐项比对，不一致则失败")] = False,
           campaign: CampaignOpt = None, as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """仅凭审计事件重建该村两个换届流程各步骤的状态。"""
    from huanjie.audit.check import check_village, replay_village
    from huanjie.audit.history import parse_moment

    if check and at:
        from huanjie.errors import InvalidInput, Problem

        raise InvalidInput("--check 与 --at 不能同时使用", [Problem("--check 比对的是最新状态", field="at")])
    if check:
        diffs = check_village(context(), village_code=village, actor_name=as_, campaign_code=campaign)
        if json_out:
            print_json({"village": village, "agrees": not diffs, "differences": [d.as_dict() for d in diffs]})
        elif diffs:
            console.print(f"[bold red]村 {plain(village)} 回放与存储状态有 {len(diffs)} 处不一致：[/]")
            for d in diffs:
                console.print(f"  - {plain(d.message())}")
        else:
            console.print(f"村 {plain(village)}：回放与存储状态一致")
        if diffs:
            raise typer.Exit(1)
        return
    state = replay_village(context(), village_code=village, at=parse_moment(at) if at else None,
                           actor_name=as_, campaign_code=campaign)
    if json_out:
        print_json(state)
    else:
        _show_replay(village, state)


def _show_replay(village: str, state: dict) -> None:
    from rich.table import Table

    from huanjie.audit.timeline import step_name
    from huanjie.calendar.legal import version_label

    when = f"截至 {state['at']}" if state["at"] else "截至最新事件"
    console.print(f"村 {plain(state['info'].get('name', ''))}（{plain(village)}）回放，{plain(when)}，至第 {state['last_seq']} 号事件")
    for election, case in state["cases"].items():
        v = case["versions"]
        table = Table(title=plain(f"{ELECTIONS.get(election, election)}（步骤目录 {v['catalogue_version']}，规则 "
                                  f"{v['profile']} {v['profile_version']}，日历 {version_label(v['calendar_version'])}）"))
        for col in ("步骤", "名称", "状态", "期限", "次数", "填报人", "完成日", "审批", "说明"):
            table.add_column(col)
        for key, s in case["steps"].items():
            due = s["due"] + ("（暂定）" if s["provisional"] else "")
            done = (s["done_on"] or "") + ("（逾期）" if s["late"] else "")
            status = status_label(s["status"]) + ("，已记逾期" if s["overdue_noted"] else "")
            decisions = "；".join(f"{d['decided_by']}{'批准' if d['decision'] == 'approve' else '驳回'}"
                                  for d in s["decisions"])
            table.add_row(*(plain(cell) for cell in (key, step_name(key), status, due, s["attempt"], s["recorded_by"],
                                                     done, decisions, s["note"])))
        console.print(table)
    for text in state["anomalies"]:
        console.print(f"[red]无法解释的事件：[/]{plain(text)}")


@app.command("log")
@command
def log(village: VillageOpt,
        person: Annotated[str | None, typer.Option("--person", help="只看该操作人")] = None,
        step: Annotated[str | None, typer.Option("--step", help="只看该步骤，如 P2.3")] = None,
        since: Annotated[str | None, typer.Option("--since", help="起始日期（含），如 2026-08-01")] = None,
        until: Annotated[str | None, typer.Option("--until", help="截止日期（含）")] = None,
        campaign: CampaignOpt = None, as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """该村全程纪实：时间、操作人、角色、步骤、内容（身份证号已遮蔽）。"""
    from rich.table import Table

    from huanjie.audit.timeline import village_log

    entries = village_log(context(), village_code=village, actor_name=as_, campaign_code=campaign, person=person,
                          step=step, since=_date(since, "since"), until=_date(until, "until"))
    if json_out:
        print_json([e.as_dict() for e in entries])
        return
    table = Table(title=f"村 {plain(village)} 换届全程纪实（{len(entries)} 条）")
    for col in ("时间", "操作人", "角色", "步骤", "内容"):
        table.add_column(col)
    for e in entries:
        table.add_row(*(plain(cell) for cell in (e.time, e.actor, e.role, e.step, e.content)))
    console.print(table)


def _date(text: str | None, field: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        from huanjie.errors import InvalidInput, Problem

        raise InvalidInput(f"日期“{text}”不是 YYYY-MM-DD 格式", [Problem("如 2026-09-15", field=field)]) from None


@app.command("export")
@command
def export(output: Annotated[Path, typer.Option("--output", help="导出文件（.zip）")],
           village: Annotated[str | None, typer.Option("--village", help="导出该村")] = None,
           campaign: Annotated[str | None, typer.Option("--campaign", help="导出整个换届（或村代码重复时指定换届）")] = None,
           key: Annotated[Path | None, typer.Option("--key", help="签名私钥（PEM，huanjie audit keygen 生成）")] = None,
           as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """导出审计包：事件（JSON Lines）、文书、哈希清单，以 Ed25519 签名。"""
    from huanjie.audit.export import export_archive

    result = export_archive(context(), output=output, village_code=village, campaign_code=campaign, key_path=key,
                            actor_name=as_)
    if json_out:
        print_json({"path": str(result.path), "events": result.events, "links": result.links,
                    "signed": result.signed, "chains": result.manifest["chains"]})
        return
    signed = "已签名" if result.signed else "[yellow]未签名（未提供 --key）[/]"
    console.print(f"已导出 {result.events} 条事件到 {plain(result.path)}，{signed}")
    for chain, head in result.manifest["chains"].items():
        state = "完整" if head["intact"] else f"[red]不完整：{plain(head['broken'])}[/]"
        console.print(f"  链 {plain(chain)}：链头第 {head['head_seq']} 号 {head['head_hash']}，{state}")


@app.command("verify-export")
@command
def verify_export(archive: Annotated[Path, typer.Argument(help="审计导出包（.zip）")],
                  public_key: Annotated[Path, typer.Option("--public-key", help="签名公钥（PEM）")],
                  json_out: JsonOpt = False) -> None:
    """离线核验导出包：签名、每个文件的哈希、事件哈希链。"""
    from huanjie.audit.export_check import verify_export as run

    check = run(archive, public_key)
    if json_out:
        print_json(check.as_dict())
    elif check.ok:
        scope = check.manifest["scope"]
        what = f"村 {scope['village']}" if scope.get("village") else f"换届 {scope['campaign']}"
        console.print(f"核验通过：{plain(what)}，{check.events} 条事件，签名、文件哈希与哈希链均无误")
    else:
        console.print(f"[bold red]核验未通过（{len(check.problems)} 项）：[/]")
        for text in check.problems:
            console.print(f"  - {plain(text)}")
    if not check.ok:
        raise typer.Exit(1)


@app.command("keygen")
@command
def keygen(out: Annotated[Path, typer.Option("--out", help="密钥目录")], json_out: JsonOpt = False) -> None:
    """生成导出签名用的 Ed25519 密钥对（私钥仅本人可读，公钥交给审计方）。"""
    from huanjie.audit.keys import generate_keypair

    private, public = generate_keypair(out)
    if json_out:
        print_json({"private_key": str(private), "public_key": str(public)})
    else:
        console.print(f"私钥：{plain(private)}（妥善保管，仅本人可读）\n公钥：{plain(public)}（交给审计方用于核验）")


@app.command("refusals")
@command
def refusals(as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """被拒绝的操作：谁、何时、做什么、为何被拒（记入独立的 access 审计链）。"""
    from huanjie.service.refusals import refusals as latest

    rows = latest(context(), actor_name=as_)
    if json_out:
        print_json(rows)
        return
    if not rows:
        console.print("没有被拒绝的操作")
    for r in rows:
        target = "，".join(f"{k}={v}" for k, v in r.get("target", {}).items())
        console.print(f"{plain(r['at'][:16])}  {plain(r['actor'])}  {plain(r.get('action'))}"
                      f"{'（' + plain(target) + '）' if target else ''}：{plain(r.get('reason'))}")
