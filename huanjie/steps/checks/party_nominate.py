"""Checks of the Party election's nomination and preparation: P4.1–P5.1 (domain.md §5)."""

from __future__ import annotations

from collections.abc import Iterator

from huanjie.steps.checks.facts import as_bool, as_int, as_text, count, day, entries, nth, optional_day
from huanjie.steps.checks.people import find, people
from huanjie.steps.checks.registry import CheckContext, FactProblem, Issue, check

PARTY_RULES = "《中国共产党基层组织选举工作条例》"
CANDIDATES = "候选人及得票（每项：name 姓名、votes 推荐票或赞成票数）"


def candidate_votes(ctx: CheckContext) -> list[tuple[str, int]]:
    rows = entries(ctx, "party_candidates")
    return [(as_text(r.get("name"), "party_candidates", nth(i, "name")),
             as_int(r.get("votes", 0), "party_candidates", nth(i, "votes"))) for i, r in enumerate(rows)]


@check("party_recommend_attendance", title="推荐会议到会人数",
       fields={"recommend_meetings": "推荐会议（每项：kind 类别如党员推荐/群众推荐、expected 应到人数、present 实到人数）"})
def party_recommend_attendance(ctx: CheckContext) -> Iterator[Issue]:
    field = "recommend_meetings"
    ratio, cite = ctx.profile["party_recommend_attendance"], ctx.profile.cite("party_recommend_attendance")
    rows = entries(ctx, field)
    if not rows:
        yield field, "未填报推荐会议（党员推荐、群众推荐）"
    for index, row in enumerate(rows):
        kind = row.get("kind") or f"第 {index + 1} 场推荐"
        expected = as_int(row.get("expected"), field, nth(index, "expected"))
        present = as_int(row.get("present"), field, nth(index, "present"))
        if not ratio.holds(present, expected):
            yield field, f"{kind}会议到会 {present} 人，{ratio.shortfall()}应到会 {expected} 人的{ratio.text()}（{cite}）"


@check("party_recommend_support", title="初步人选推荐票",
       fields={"recommend_ballots_cast": "党员推荐收回推荐票数", "party_candidates": CANDIDATES})
def party_recommend_support(ctx: CheckContext) -> Iterator[Issue]:
    cast = count(ctx, "recommend_ballots_cast")
    ratio, cite = ctx.profile["party_recommend_support"], ctx.profile.cite("party_recommend_support")
    for name, votes in candidate_votes(ctx):
        if votes > cast:
            yield "party_candidates", f"初步人选 {name} 得推荐票 {votes} 张，多于收回推荐票 {cast} 张，请核对"
        elif not ratio.holds(votes, cast):
            yield "party_candidates", (f"初步人选 {name} 得推荐票 {votes} 张，{ratio.shortfall()}收回推荐票 "
                                       f"{cast} 张的{ratio.text()}（{cite}）")


@check("party_margin", title="委员候选人差额",
       fields={"committee_seats": "应选委员名额", "party_candidates": CANDIDATES})
def party_margin(ctx: CheckContext) -> Iterator[Issue]:
    seats, candidates = count(ctx, "committee_seats"), len(candidate_votes(ctx))
    if seats == 0:
        return
    ratio = ctx.profile["party_margin"]
    needed = seats + ratio.min_extra(seats)
    if candidates < needed:
        yield "party_candidates", (f"应选委员 {seats} 名，候选人 {candidates} 名，差额不足：候选人数应多于应选人数的"
                                   f"{ratio.text()}，至少 {needed} 名（{ctx.profile.cite('party_margin')}）")


@check("inspection_disagreement", title="考察中的不同意意见",
       fields={"inspections": "考察情况（每项：name 姓名、participants 参加考察人数、disagree 不同意人数、listed 是否列为人选）"})
def inspection_disagreement(ctx: CheckContext) -> Iterator[Issue]:
    field = "inspections"
    ratio, cite = ctx.profile["party_inspection_disagree"], ctx.profile.cite("party_inspection_disagree")
    for index, row in enumerate(entries(ctx, field)):
        who = as_text(row.get("name"), field, nth(index, "name"))
        participants = as_int(row.get("participants"), field, nth(index, "participants"))
        disagree = as_int(row.get("disagree"), field, nth(index, "disagree"))
        if disagree > participants:
            raise FactProblem(field, f"{who} 的不同意人数 {disagree} 多于参加考察人数 {participants}")
        listed = as_bool(row.get("listed", True), field, nth(index, "listed"))
        if listed and ratio.holds(disagree, participants):
            yield field, (f"{who} 考察中不同意 {disagree} 人，{ratio.reached()}参加考察 {participants} 人的"
                          f"{ratio.text()}，不得列为人选（{cite}）")


@check("candidate_publicity_period", title="预备人选公示期",
       fields={"publicity_start": "公示开始日期", "publicity_end": "公示结束日期",
               },
       optional={"party_election_day": "党员大会选举日",
                 "publicity_workdays": "公示期内的工作日天数（不填则按法定日历计算）"})
def candidate_publicity_period(ctx: CheckContext) -> Iterator[Issue]:
    from huanjie.steps.checks.legal_dates import workdays_between

    start, end = day(ctx, "publicity_start"), day(ctx, "publicity_end")
    needed = ctx.profile["candidate_publicity_workdays"]
    if end < start:
        yield "publicity_end", f"公示结束日期 {end} 早于开始日期 {start}"
        return
    workdays = workdays_between(ctx.legal_calendar(), start, end)  # counted, never trusted from a typed number
    typed = ctx.facts.get("publicity_workdays")
    if typed is not None and count(ctx, "publicity_workdays") != workdays:
        yield "publicity_workdays", (f"公示 {start} 至 {end} 按法定日历共 {workdays} 个工作日，"
                                     f"填报的 {typed} 个不符，请核对")
    elif workdays < needed:
        yield "publicity_workdays", (f"预备人选公示 {start} 至 {end} 共 {workdays} 个工作日，不足 {needed} 个工作日"
                                     f"（{ctx.profile.cite('candidate_publicity_workdays')}）")
    election_day = optional_day(ctx, "party_election_day")
    if election_day is not None and end >= election_day:
        yield "publicity_end", f"公示至 {end} 结束，须在党员大会选举日 {election_day} 前至少 1 天结束"


@check("complaints_resolved", title="公示期间反映问题的处理",
       fields={"complaints": "公示期间收到的举报（每项：subject 事由、resolved 是否办结、result 处理结果）；无则填空列表"})
def complaints_resolved(ctx: CheckContext) -> Iterator[Issue]:
    for index, row in enumerate(entries(ctx, "complaints")):
        subject = row.get("subject") or f"第 {index + 1} 件"
        resolved = as_bool(row.get("resolved", False), "complaints", nth(index, "resolved"))
        if not resolved or not str(row.get("result") or "").strip():
            yield "complaints", f"公示期间反映的问题“{subject}”尚未查清办结并记录处理结果，不能上报（预备人选公示要求）"


@check("scrutineers_not_candidates", title="监票人、计票人是不是候选人的有选举权党员",
       fields={"scrutineers": "监票人名单", "tellers": "计票人名单", "party_candidates": CANDIDATES},
       optional={"members": "党员名册（步骤 P3.1）"})
def scrutineers_not_candidates(ctx: CheckContext) -> Iterator[Issue]:
    """监票人 are chosen by the members from members who are not candidates (条例: 监票人由全体党员
    从不是候选人的党员中推选), and choosing is voting: a 预备党员 or a member whose rights are
    suspended has no vote (条例第五条). 计票人 work under them and are held to the same rule here."""
    from huanjie.steps.checks.party_prep import PARTY_RULES_5, SUSPENSIONS, party_members

    candidates = people(ctx, "party_candidates")
    members = party_members(ctx) if ctx.lookup("members", None) is not None else None
    for field, role in (("scrutineers", "监票人"), ("tellers", "计票人")):
        for person in people(ctx, field):
            if find(person, candidates):
                yield field, f"{role} {person.name} 是候选人，监票人、计票人须从不是候选人的党员中推选（{PARTY_RULES}）"
                continue
            if members is None:
                continue
            member = next((m for m in members if m.person.same(person)), None)
            if member is None:
                yield field, (f"{role} {person.name} 不在党员名册（步骤 P3.1）中，监票人、计票人须从有选举权的党员中推选"
                              f"（{PARTY_RULES}）")
            elif not member.has_vote:
                why = SUSPENSIONS[member.suspended] if member.suspended else "是预备党员，没有表决权、选举权"
                yield field, (f"{role} {person.name} {why}，不能担任{role}：监票人、计票人须从有选举权的党员中推选"
                              f"（{PARTY_RULES_5}）")
