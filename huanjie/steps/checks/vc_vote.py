"""Checks of voting, count and 另行选举: V6.1–V7.3 (domain.md §6 and §6.1)."""

from __future__ import annotations

from collections.abc import Iterator

from huanjie.steps.checks.facts import count
from huanjie.steps.checks.people import close_pairs
from huanjie.steps.checks.registry import CheckContext, Issue, check
from huanjie.steps.checks.tally import Result, compare, decide_by_post, members, post_rank, results, seats_by_post

BALLOT_RULE = "收回选票多于发出选票的，本次选举无效（省级村民委员会选举办法）"
RESULTS = "第一轮得票结果（每项：name、id、post 职务、votes 得票、elected 是否宣布当选、gave_way 是否因任职回避退出、relatives 近亲属）"
SEATS = "各职务应选名额（如 主任: 1、副主任: 1、委员: 3）"
REVOTE = "另行选举得票结果（每项：name、post、votes、elected）"


@check("ballots_issued_within_registered", title="发出选票不多于登记选民",
       fields={"ballots_issued": "发出选票数", "registered_voters": "登记选民人数"})
def ballots_issued_within_registered(ctx: CheckContext) -> Iterator[Issue]:
    issued, registered = count(ctx, "ballots_issued"), count(ctx, "registered_voters")
    if issued > registered:
        yield "ballots_issued", f"发出选票 {issued} 张，多于登记选民 {registered} 人（选票凭选民证发放，每人一张）"


@check("vc_vote_valid", title="选举有效（过半数选民投票）",
       fields={"ballots_cast": "参加投票人数（收回选票数）", "registered_voters": "登记选民人数"})
def vc_vote_valid(ctx: CheckContext) -> Iterator[Issue]:
    cast, registered = count(ctx, "ballots_cast"), count(ctx, "registered_voters")
    ratio = ctx.profile["vc_valid"]
    if not ratio.holds(cast, registered):
        yield "ballots_cast", (f"参加投票 {cast} 人，{ratio.shortfall()}登记选民 {registered} 人的{ratio.text()}，"
                               f"选举无效（{ctx.profile.cite('vc_valid')}）")


@check("ballots_counted_within_issued", title="收回选票不多于发出选票",
       fields={"ballots_cast": "参加投票人数（收回选票数）", "ballots_issued": "发出选票数"},
       optional={"ballots_valid": "有效票数", "ballots_void": "无效票数"})
def ballots_counted_within_issued(ctx: CheckContext) -> Iterator[Issue]:
    cast, issued = count(ctx, "ballots_cast"), count(ctx, "ballots_issued")
    if cast > issued:
        yield "ballots_cast", f"收回选票 {cast} 张，多于发出选票 {issued} 张（{BALLOT_RULE}）"
    if ctx.lookup("ballots_valid", None) is not None and ctx.lookup("ballots_void", None) is not None:
        valid, void = count(ctx, "ballots_valid"), count(ctx, "ballots_void")
        if valid + void != cast:
            yield "ballots_valid", f"有效票 {valid} 张与无效票 {void} 张之和 {valid + void}，不等于收回选票 {cast} 张"


@check("vc_elected", title="当选人（过半数得票，末位同票须再次投票）",
       fields={"vc_results": RESULTS, "ballots_cast": "参加投票人数（收回选票数）", "seats_by_post": SEATS})
def vc_elected(ctx: CheckContext) -> Iterator[Issue]:
    cast, seats, rows = count(ctx, "ballots_cast"), seats_by_post(ctx), results(ctx, "vc_results")
    ratio, cite = ctx.profile["vc_elected"], ctx.profile.cite("vc_elected")

    def below(row: Result) -> str:
        if ratio.holds(row.votes, cast):
            return ""
        return f"得票 {row.votes}，{ratio.shortfall()}参加投票 {cast} 人的{ratio.text()}"

    outcomes = decide_by_post(rows, seats, lambda votes: ratio.holds(votes, cast))
    yield from compare("vc_results", rows, outcomes, below, cite)


@check("relatives_avoidance", title="近亲属任职回避（职务低者退出）", fields={"vc_results": RESULTS})
def relatives_avoidance(ctx: CheckContext) -> Iterator[Issue]:
    if ctx.profile["relatives_avoidance"] == "none":
        return
    cite = ctx.profile.cite("relatives_avoidance")
    elected = [r for r in results(ctx, "vc_results") if r.elected]
    by_person = {id(r.person): r for r in elected}
    for a, b, relation in close_pairs([r.person for r in elected]):
        ra, rb = by_person[id(a)], by_person[id(b)]
        lower = _lower(ra, rb)
        pair = f"{ra.name}（{ra.post}）与 {rb.name}（{rb.post}）系近亲属（{relation}）"
        if lower is None and not (ra.gave_way or rb.gave_way):
            yield "vc_results", f"{pair}，职务和得票均相同，须依法确定其中一人退出（{cite}）"
        elif lower is not None and not lower.gave_way:
            higher = rb if lower is ra else ra
            note = f"，而不是 {higher.name}" if higher.gave_way else ""
            yield "vc_results", f"{pair}，应由职务较低（或得票较少）的 {lower.name} 退出{note}（{cite}）"


def _lower(a: Result, b: Result) -> Result | None:
    if post_rank(a.post) != post_rank(b.post):
        return a if post_rank(a.post) > post_rank(b.post) else b
    if a.votes != b.votes:
        return a if a.votes < b.votes else b
    return None


def revote_seats(ctx: CheckContext) -> dict[str, int]:
    seats = seats_by_post(ctx)
    first = [r for r in results(ctx, "vc_results") if r.elected and not r.gave_way]
    return {post: n - sum(1 for r in first if r.post == post) for post, n in seats.items()}


@check("vc_revote_threshold", title="另行选举当选人（得票不少于三分之一）",
       fields={"revote_results": REVOTE, "revote_ballots_cast": "另行选举参加投票人数（收回选票数）",
               "vc_results": RESULTS, "seats_by_post": SEATS})
def vc_revote_threshold(ctx: CheckContext) -> Iterator[Issue]:
    cast, rows = count(ctx, "revote_ballots_cast"), results(ctx, "revote_results")
    ratio, cite = ctx.profile["vc_revote_min"], ctx.profile.cite("vc_revote_min")
    open_seats = {post: n for post, n in revote_seats(ctx).items() if n > 0}

    def below(row: Result) -> str:
        if ratio.holds(row.votes, cast):
            return ""
        return f"得票 {row.votes}，{ratio.shortfall()}已投选票 {cast} 张的{ratio.text()}"

    outcomes = decide_by_post(rows, open_seats, lambda votes: ratio.holds(votes, cast))
    yield from compare("revote_results", rows, outcomes, below, cite)


@check("vacancies_allowed", title="另行选举后缺额",
       fields={"vc_results": RESULTS, "revote_results": REVOTE, "seats_by_post": SEATS})
def vacancies_allowed(ctx: CheckContext) -> Iterator[Issue]:
    total, elected = sum(seats_by_post(ctx).values()), len(members(ctx))
    minimum = ctx.profile["vacancy_min_members"]
    if elected < total and elected < minimum:
        yield "revote_results", (f"两轮共当选 {elected} 名（应选 {total} 名），不足 {minimum} 名，不能缺额，"
                                 f"须继续另行选举（{ctx.profile.cite('vacancy_min_members')}）")
