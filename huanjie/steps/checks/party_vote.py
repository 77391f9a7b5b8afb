"""Checks of the Party election meeting: P5.2 and P5.3 (domain.md §5 and §6.1)."""

from __future__ import annotations

from collections.abc import Iterator

from huanjie.steps.checks.facts import count, names
from huanjie.steps.checks.party_nominate import candidate_votes
from huanjie.steps.checks.people import Person
from huanjie.steps.checks.registry import CheckContext, Issue, check
from huanjie.steps.checks.tally import Result, compare, decide, results

SHORTFALL_HANDLING = ("另行选举", "减少名额")
BASES = {"expected": "应到会有选举权党员", "present": "实到会有选举权党员"}
COMMITTEE_BASES = {"expected": "新一届委员会委员", "present": "到会委员"}


def _base(ctx: CheckContext, expected: int, present: int) -> tuple[int, str]:
    kind = ctx.profile["party_threshold_denominator"]
    return (expected if kind == "expected" else present), kind


@check("party_quorum", title="党员大会到会人数",
       fields={"expected_voters": "应到会有选举权党员人数", "present_voters": "实到会有选举权党员人数"})
def party_quorum(ctx: CheckContext) -> Iterator[Issue]:
    expected, present = count(ctx, "expected_voters"), count(ctx, "present_voters")
    ratio = ctx.profile["party_quorum"]
    if present > expected:
        yield "present_voters", f"到会有选举权党员 {present} 人，多于应到会 {expected} 人，请核对应到会人数"
    elif not ratio.holds(present, expected):
        yield "present_voters", (f"到会有选举权党员 {present} 人，{ratio.shortfall()}应到会 {expected} 人的"
                                 f"{ratio.text()}（{ctx.profile.cite('party_quorum')}）")


@check("party_elected", title="委员当选票数",
       fields={"expected_voters": "应到会有选举权党员人数", "present_voters": "实到会有选举权党员人数",
               "committee_seats": "应选委员名额",
               "party_candidates": "候选人及得票（每项：name 姓名、votes 推荐票或赞成票数）",
               "party_elected": "宣布当选的委员名单"},
       optional={"shortfall_handling": "当选不足应选名额时的处理（另行选举 / 减少名额）"})
def party_elected(ctx: CheckContext) -> Iterator[Issue]:
    base, kind = _base(ctx, count(ctx, "expected_voters"), count(ctx, "present_voters"))
    seats = count(ctx, "committee_seats")
    ratio, cite = ctx.profile["party_elected"], ctx.profile.cite("party_elected")
    declared = names(ctx.lookup("party_elected"), "party_elected")
    rows = [Result(Person(name), "委员", votes, name in declared, False) for name, votes in candidate_votes(ctx)]
    for name in declared:
        if not any(r.name == name for r in rows):
            yield "party_elected", f"{name} 宣布当选，但不在候选人得票名单中"

    def below(row: Result) -> str:
        if ratio.holds(row.votes, base):
            return ""
        return f"得赞成票 {row.votes} 张，{ratio.shortfall()}{BASES[kind]} {base} 人的{ratio.text()}"

    outcome = decide(rows, seats, lambda votes: ratio.holds(votes, base))
    yield from compare("party_elected", rows, {"委员": outcome}, below, cite)
    if len(declared) < seats and ctx.lookup("shortfall_handling", None) not in SHORTFALL_HANDLING:
        yield "shortfall_handling", (f"当选委员 {len(declared)} 名，少于应选 {seats} 名：须对不足名额另行选举，"
                                     f"或在接近应选名额时经半数以上选举人同意减少名额（{cite}）")


@check("party_secretary_elected", title="书记、副书记的选举",
       fields={"party_elected": "宣布当选的委员名单", "committee_present": "委员会全体会议到会委员人数",
               "officers": "书记、副书记选举结果（每项：name 姓名、post 书记/副书记、votes 赞成票、elected 是否当选）"})
def party_secretary_elected(ctx: CheckContext) -> Iterator[Issue]:
    committee = [Person(n) for n in names(ctx.lookup("party_elected"), "party_elected")]
    present = count(ctx, "committee_present")
    quorum, ratio = ctx.profile["party_quorum"], ctx.profile["party_elected"]
    if present > len(committee):
        yield "committee_present", f"到会委员 {present} 人，多于委员 {len(committee)} 人，请核对"
    elif not quorum.holds(present, len(committee)):
        yield "committee_present", (f"到会委员 {present} 人，{quorum.shortfall()}应到会委员 {len(committee)} 人的"
                                    f"{quorum.text()}（{ctx.profile.cite('party_quorum')}）")
    base, kind = _base(ctx, len(committee), present)
    officers = results(ctx, "officers")
    for row in officers:
        if row.post not in ("书记", "副书记"):
            yield "officers", f"{row.name} 的职务“{row.post}”须为 书记 或 副书记"
        elif row.elected and not any(row.person.same(m) for m in committee):
            yield "officers", f"{row.name} 不是新一届委员会委员，不能当选{row.post}"
        elif row.elected and not ratio.holds(row.votes, base):
            yield "officers", (f"{row.name} 当选{row.post}得赞成票 {row.votes} 张，{ratio.shortfall()}"
                               f"{COMMITTEE_BASES[kind]} {base} 人的{ratio.text()}（{ctx.profile.cite('party_elected')}）")
    secretaries = [r.name for r in officers if r.elected and r.post == "书记"]
    if len(secretaries) != 1:
        yield "officers", f"须选出书记 1 名，实为 {len(secretaries)} 名{('：' + '、'.join(secretaries)) if secretaries else ''}"
