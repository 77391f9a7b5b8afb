"""Checks after the election: representatives, groups, supervision, handover (V8.1–V9.1), and the
election committee's term, which ends at V9.3 (checked on every step the committee carries out)."""

from __future__ import annotations

from collections.abc import Iterator

from huanjie.steps.checks.lists import handover_items
from huanjie.steps.checks.facts import as_bool, as_date, count, entries, nth
from huanjie.steps.checks.people import close_relation, close_relatives_source, find, people
from huanjie.steps.checks.registry import CheckContext, FactProblem, Issue, check, step_order
from huanjie.steps.checks.tally import members
from huanjie.steps.checks.vc_prep import GROUP_MEETINGS, households, quorum_of_groups

ORG_32 = "《村民委员会组织法》第三十二条"
TERM_END_STEP = "V9.3"
COMMITTEE_TERM = "《村民委员会选举规程》第一章（村民选举委员会主持本届选举，工作总结报备后任期结束）"
RESULTS = "村委会选举得票结果（来自第一轮和另行选举）"


@check("representatives_ratio", title="村民代表名额",
       fields={"representatives": "村民代表人数", "vc_results": RESULTS},
       optional={"representative_method": "推选方式（按户 / 按村民小组），默认按户",
                 "households": "本村户数（默认取村基本信息）", "revote_results": "另行选举得票结果"})
def representatives_ratio(ctx: CheckContext) -> Iterator[Issue]:
    reps, committee = count(ctx, "representatives"), len(members(ctx))
    if ctx.lookup("representative_method", "按户") == "按户":
        homes, span = households(ctx), ctx.profile["representative_households"]
        fits = homes >= span.min * reps and (span.max is None or homes <= span.max * reps)
        if reps == 0 or not fits:
            least = -(-homes // span.max) if span.max else 1
            yield "representatives", (f"本村 {homes} 户，村民代表 {reps} 人，不符合每 {span.text().replace(' 人', ' 户')}推选一人"
                                      f"（应为 {least} 至 {homes // span.min} 人）（{ctx.profile.cite('representative_households')}）")
    ratio = ctx.profile["representatives_share_of_meeting"]
    if not ratio.holds(reps, reps + committee):
        yield "representatives", (f"村民代表 {reps} 人，{ratio.shortfall()}村民代表会议组成人员 {reps + committee} 人"
                                  f"（含村委会成员 {committee} 人）的{ratio.text()}"
                                  f"（{ctx.profile.cite('representatives_share_of_meeting')}）")


@check("women_representatives", title="妇女村民代表比例",
       fields={"women_representatives": "妇女村民代表人数", "representatives": "村民代表人数", "vc_results": RESULTS})
def women_representatives(ctx: CheckContext) -> Iterator[Issue]:
    women, reps = count(ctx, "women_representatives"), count(ctx, "representatives")
    if women > reps:
        raise FactProblem("women_representatives", f"妇女村民代表 {women} 人多于村民代表 {reps} 人")
    total = reps + len(members(ctx))
    ratio = ctx.profile["women_representatives_min"]
    if not ratio.holds(women, total):
        yield "women_representatives", (f"妇女村民代表 {women} 人，{ratio.shortfall()}村民代表会议组成人员 {total} 人的"
                                        f"{ratio.text()}（{ctx.profile.cite('women_representatives_min')}）")


@check("group_meeting_quorum", title="推选村民小组长的小组会议到会人数", fields={"group_meetings": GROUP_MEETINGS})
def group_meeting_quorum(ctx: CheckContext) -> Iterator[Issue]:
    yield from quorum_of_groups(ctx, "group_meetings")


@check("supervisory_committee_valid", title="村务监督委员会组成",
       fields={"supervisory_committee": "村务监督委员会成员（每项：name、id、relatives 近亲属、accounting 是否具备财会或管理知识）",
               "vc_results": RESULTS},
       optional={"revote_results": "另行选举得票结果"})
def supervisory_committee_valid(ctx: CheckContext) -> Iterator[Issue]:
    field, profile = "supervisory_committee", ctx.profile
    board, committee = people(ctx, field), [r.person for r in members(ctx)]
    span = profile["supervisory_committee_size"]
    if not span.contains(len(board)):
        yield field, f"村务监督委员会 {len(board)} 人，须为 {span.text()}（{profile.cite('supervisory_committee_size')}）"
    for person in board:
        if find(person, committee):
            yield field, f"{person.name} 是村民委员会成员，不得担任村务监督委员会成员（{ORG_32}）"
            continue
        for member in committee:
            relation = close_relation(person, member)
            if relation:
                yield field, (f"{person.name} 是村民委员会成员 {member.name} 的近亲属（{relation}），"
                              f"不得担任村务监督委员会成员（{ORG_32}；近亲属依{close_relatives_source()}）")
    rows = entries(ctx, field)
    skilled = sum(1 for i, row in enumerate(rows) if isinstance(row, dict)
                  and as_bool(row.get("accounting", False), field, nth(i, "accounting")))
    if skilled < profile["supervisory_accounting_min"]:
        yield field, (f"村务监督委员会中具备财会、管理知识的成员 {skilled} 人，少于 {profile['supervisory_accounting_min']} 人"
                      f"（{profile.cite('supervisory_accounting_min')}）")


@check("handover_items_signed", title="工作移交签字",
       fields={"handover": "移交清单（每项：item 印章/办公场所/账目/资产/档案/债权债务、outgoing_signed 移交方签字、incoming_signed 接收方签字）"})
def handover_items_signed(ctx: CheckContext) -> Iterator[Issue]:
    required = handover_items()
    rows = entries(ctx, "handover")
    for item in required.items:
        index = next((i for i, row in enumerate(rows) if item.matches(row.get("item", ""))), None)
        if index is None:
            yield "handover", f"移交清单缺少“{item.short}”（{required.source}）"
            continue
        row = rows[index]
        missing = [side for side, key in (("移交方", "outgoing_signed"), ("接收方", "incoming_signed"))
                   if not as_bool(row.get(key, False), "handover", nth(index, key))]
        if missing:
            yield "handover", f"“{item.short}”的移交缺少{'、'.join(missing)}签字（{required.source}）"


def committee_steps() -> frozenset[str]:
    """The steps the 村民选举委员会 carries out (catalogue actor ``committee``)."""
    from huanjie.steps.catalogue import load_catalogue

    return frozenset(s.key for s in load_catalogue().steps() if s.actor == "committee")


def _own_day(ctx: CheckContext):
    """This step's own act date (never another step's, as ``lookup`` would give)."""
    value = ctx.facts.get("date")
    return None if value is None else as_date(value, "date")


def term_end(ctx: CheckContext):
    """The day the 选委会's term ended: V9.3's act day (its recorded date, else the day it was done);
    None while V9.3 is not done and has no date."""
    facts = ctx.case_facts.get(TERM_END_STEP) or {}
    if facts.get("date") is not None:
        return as_date(facts["date"], "date")
    return ctx.done.get(TERM_END_STEP)


@check("committee_within_term", title="村民选举委员会在任期内办理", fields={},
       optional={"date": "实际办理日期"})
def committee_within_term(ctx: CheckContext) -> Iterator[Issue]:
    """No 选委会 act after V9.3 (the committee's term ends there). On V9.3 itself: no 选委会 step
    done after the day it is dated."""
    if ctx.step == TERM_END_STEP:
        ended = _own_day(ctx)
        if ended is None:
            return  # dated today: every step done so far was done on or before it
        committee = committee_steps()
        late = [(k, d) for k, d in sorted(ctx.done.items(), key=lambda kv: step_order(kv[0]))
                if k in committee and d > ended]
        for key, day in late:
            yield "date", (f"{key} 于 {day} 以村民选举委员会名义办理，晚于工作总结报备日 {ended}："
                           f"村民选举委员会的任期至工作总结报备时结束（{COMMITTEE_TERM}）；请核对日期")
        return
    ended = term_end(ctx)
    if ended is None:
        return
    day = _own_day(ctx)
    if day is None:
        yield "date", (f"村民选举委员会的任期已于 {ended}（{TERM_END_STEP} 工作总结报备）结束，不能再以其名义办理；"
                       f"如本步骤在任期内办理，请填写实际办理日期 date（{COMMITTEE_TERM}）")
    elif day > ended:
        yield "date", (f"本步骤于 {day} 办理，晚于村民选举委员会任期结束日 {ended}（{TERM_END_STEP} 工作总结报备）："
                       f"任期结束后不得再以村民选举委员会名义办理（{COMMITTEE_TERM}）")
