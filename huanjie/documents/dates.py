"""Dates that make sense: a document's 成文日期 follows the process it records.

A 公示/公告 is issued on or before the first day of the period it opens; a 请示 precedes its
批复, a 批复 the 公示 it orders; a result is announced no earlier than the vote. Each rule
gives its reason; a document whose dates contradict each other or the plan is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from huanjie.documents.chinese_dates import numeric_date as d
from huanjie.errors import Problem

Rule = Callable[[dt.date, dict, object], list[str]]
RULES: dict[str, list[Rule]] = {}


def rule(*codes: str):
    def register(fn: Rule) -> Rule:
        for code in codes:
            RULES.setdefault(code, []).append(fn)
        return fn

    return register


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _before_reply(request_code: str, reply_code: str):
    def check(day: dt.date, ctx: dict, src) -> list[str]:
        request = src.dates.get(request_code)
        if request and day < request:
            return [f"{reply_code} 批复的成文日期 {d(day)} 早于其请示/报告 {request_code} 的 {d(request)}：批复应在收到请示之后"]
        return []

    return check


rule("D02")(_before_reply("D01", "D02"))
rule("D11")(_before_reply("D10", "D11"))


@rule("D05", "D06", "D07")
def _preliminary(day: dt.date, ctx: dict, src) -> list[str]:
    out = []
    request, approval, start = ctx.get("request_date"), ctx.get("approval_date"), ctx.get("start")
    reviewed = _as_date(src.optional("P4.2", "date"))
    if request and reviewed and request < reviewed:  # the 请示 reports the 资格联审 and 考察 (P4.2, D12)
        out.append(f"预备人选请示（D05）的日期 {d(request)} 早于资格联审（P4.2）的日期 {d(reviewed)}：应先联审、考察，后请示")
    if request and approval and request > approval:
        out.append(f"预备人选请示（D05）的日期 {d(request)} 晚于批复（D06）的日期 {d(approval)}：应先请示后批复")
    if approval and start and approval > start:
        out.append(f"预备人选批复（D06）的日期 {d(approval)} 晚于公示开始日 {d(start)}：应先批复后公示")
    if start and ctx.get("end") and ctx["end"] < start:
        out.append(f"公示结束日 {d(ctx['end'])} 早于公示开始日 {d(start)}")
    meeting = src.anchors.get("D_P")
    if ctx.get("end") and meeting and ctx["end"] >= meeting:
        out.append(f"公示结束日 {d(ctx['end'])} 不早于党员大会日 {d(meeting)}：公示应在大会前结束")
    return out


@rule("D07")
def _publicity_issued_first(day: dt.date, ctx: dict, src) -> list[str]:
    start = ctx.get("start")
    if start and day > start:
        return [f"公示的成文日期 {d(day)} 晚于公示期第一天 {d(start)}：公示应在公示期开始之日或之前发布"]
    return []


@rule("D14")
def _audit_publicity(day: dt.date, ctx: dict, src) -> list[str]:
    periods = [p for p in ctx.get("periods", []) if _as_date(p.get("start"))]
    if periods:
        first = min(_as_date(p["start"]) for p in periods)
        if day > first:
            return [f"审计结果公示的成文日期 {d(day)} 晚于第一次公示开始日 {d(first)}：公示应在公示期开始之日或之前发布"]
    return []


@rule("D17")
def _registration(day: dt.date, ctx: dict, src) -> list[str]:
    start = _as_date(ctx.get("reg_from"))
    if start and day > start:
        return [f"选民登记公告的成文日期 {d(day)} 晚于登记开始日 {d(start)}：应先公告后登记"]
    return []


@rule("D19")
def _objections(day: dt.date, ctx: dict, src) -> list[str]:
    out = []
    for i, r in enumerate(ctx.get("rows", []), start=1):
        received, decided = _as_date(r.get("received")), _as_date(r.get("decided"))
        if received and decided and decided < received:
            out.append(f"第 {i} 件申诉的处理日期 {d(decided)} 早于收到日期 {d(received)}")
        if decided and day < decided:
            out.append(f"处理结果公告的成文日期 {d(day)} 早于第 {i} 件申诉的处理日期 {d(decided)}")
    return out


@rule("D22")
def _proxies(day: dt.date, ctx: dict, src) -> list[str]:
    out = []
    vote = src.anchors.get("D_V")
    days = ctx.get("proxy_days")
    for i, r in enumerate(ctx.get("rows", []), start=1):
        filed = _as_date(r.get("filed_on"))
        if filed and vote and days is not None and filed > vote - dt.timedelta(days=days):
            out.append(f"第 {i} 项委托的日期 {d(filed)} 晚于选举日{days}日前（{d(vote - dt.timedelta(days=days))}）："
                       "与选举办法的委托期限相悖")
        if filed and day < filed:
            out.append(f"委托投票名单公告的成文日期 {d(day)} 早于第 {i} 项委托的日期 {d(filed)}")
    if vote and day >= vote:
        out.append(f"委托投票名单应在选举日 {d(vote)} 前公告，成文日期为 {d(day)}")
    return out


@rule("D21", "D23")
def _before_vote(day: dt.date, ctx: dict, src) -> list[str]:
    vote = src.anchors.get("D_V")
    if vote and day >= vote:
        return [f"选举前的公告成文日期 {d(day)} 不早于选举日 {d(vote)}"]
    return []


@rule("D10", "D25", "D26", "D27")
def _after_vote(day: dt.date, ctx: dict, src) -> list[str]:
    anchor = "D_P" if src.step.startswith("P") else "D_V"
    vote = src.anchors.get(anchor)
    if vote and day < vote:
        return [f"选举结果的文书成文日期 {d(day)} 早于选举日 {d(vote)}"]
    return []


@rule("D03", "D08")
def _before_meeting(day: dt.date, ctx: dict, src) -> list[str]:
    meeting = _as_date(ctx.get("meeting_date"))
    if meeting and day > meeting:
        return [f"成文日期 {d(day)} 晚于党员大会日 {d(meeting)}"]
    return []


def date_problems(code: str, day: dt.date, context: dict, src) -> list[Problem]:
    """Every contradiction between document ``code``'s date, its facts and the plan."""
    return [Problem(f"{code} 的日期相互矛盾：{message}", field=f"{src.step}.date")
            for check in RULES.get(code, []) for message in check(day, context, src)]


@rule("D15", "D17", "D18", "D19", "D21", "D22", "D23", "D25", "D26", "D27")
def _within_the_committees_term(day: dt.date, ctx: dict, src) -> list[str]:
    """The 村民选举委员会 signs nothing after its mandate ended (V9.3)."""
    from huanjie.documents.builders.vc import mandate_end

    ended = mandate_end(src)
    if ended is not None and day > ended and ctx.get("committee", "").endswith("村民选举委员会"):
        return [f"村民选举委员会的任期已于 {d(ended)} 结束（V9.3），不能以其名义署 {d(day)} 的文书"]
    return []
