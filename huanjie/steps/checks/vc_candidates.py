"""Checks of nomination, candidates, proxies and staff: V4.1–V5.3 (domain.md §6)."""

from __future__ import annotations

from collections.abc import Iterator

from huanjie.steps.checks.lists import close_relatives
from huanjie.steps.checks.facts import as_bool, as_int, as_text, entries, names, nth
from huanjie.steps.checks.people import Person, as_person, close_relation, close_relatives_source, find, people
from huanjie.steps.checks.registry import CheckContext, FactProblem, Issue, check
from huanjie.steps.checks.tally import seats_by_post

ORG_12 = "《村民委员会组织法》第十二条"
ORG_15 = "《村民委员会组织法》第十五条"
STAFF_RULE = "候选人及其近亲属不得担任选举工作人员（省级村民委员会选举办法）"
CANDIDATES = "正式候选人（每项：name 姓名、id、post 职务、relatives 近亲属[name、relation]）"
SEATS = "各职务应选名额（如 主任: 1、副主任: 1、委员: 3）"


def _posted(ctx: CheckContext, field: str) -> list[tuple[Person, str]]:
    return [(as_person(row, field, nth(i)), as_text(row.get("post"), field, nth(i, "post")))
            for i, row in enumerate(entries(ctx, field))]


@check("nominations_valid", title="直接提名的有效性",
       fields={"nomination_slips": "提名票（每项：nominator 提名人、by_proxy 是否委托他人代为提名、"
                                   "nominees 各职务被提名人 {主任: [..], 委员: [..]}、void 是否已作废）",
               "seats_by_post": SEATS},
       optional={"voters": "登记选民名单"})
def nominations_valid(ctx: CheckContext) -> Iterator[Issue]:
    field, seats = "nomination_slips", seats_by_post(ctx)
    registered = people(ctx, "voters") if ctx.lookup("voters", None) is not None else None
    seen: list[Person] = []
    for index, slip in enumerate(entries(ctx, field)):
        nominator = as_person(slip.get("nominator"), field, nth(index, "nominator"))
        reasons = []
        if as_bool(slip.get("by_proxy", False), field, nth(index, "by_proxy")):
            reasons.append("委托他人提名（须由登记选民本人直接提名）")
        if registered is not None and find(nominator, registered) is None:
            reasons.append("提名人不是登记选民")
        if find(nominator, seen):
            reasons.append("同一提名人重复提名")
        seen.append(nominator)
        nominees = slip.get("nominees") or {}
        if not isinstance(nominees, dict):
            raise FactProblem(field, f"第 {index + 1} 张提名票的 nominees 须为 职务: [姓名…] 的键值表")
        posts_of: dict[str, list[str]] = {}
        for post, listed in nominees.items():
            named = names(listed, field, nth(index, f"nominees.{post}"))
            if post not in seats:
                reasons.append(f"提名了未设置的职务“{post}”")
            elif len(named) > seats[post]:
                reasons.append(f"{post}提名 {len(named)} 人，多于应选 {seats[post]} 名")
            for name in named:
                posts_of.setdefault(name, []).append(post)
        reasons.extend(f"同一人 {name} 被提名为{'、'.join(p)}" for name, p in posts_of.items() if len(p) > 1)
        if reasons and not as_bool(slip.get("void", False), field, nth(index, "void")):
            yield field, f"第 {index + 1} 张提名票（提名人 {nominator.name}）应作废：{'；'.join(reasons)}（{ORG_15}）"


@check("vc_margin", title="正式候选人差额", fields={"vc_candidates": CANDIDATES, "seats_by_post": SEATS})
def vc_margin(ctx: CheckContext) -> Iterator[Issue]:
    seats, candidates = seats_by_post(ctx), _posted(ctx, "vc_candidates")
    for post, n in seats.items():
        listed = sum(1 for _, p in candidates if p == post)
        if n and listed <= n:
            yield "vc_candidates", f"{post}应选 {n} 名，正式候选人 {listed} 名，候选人数应当多于应选名额（{ORG_15}）"
    for person, post in candidates:
        if post not in seats:
            yield "vc_candidates", f"候选人 {person.name} 的职务“{post}”不在应选职务之中"


@check("committee_candidates_withdrawn", title="任候选人的选委会成员已退出选委会",
       fields={"vc_candidates": CANDIDATES, "election_committee": "村民选举委员会成员"},
       optional={"committee_withdrawn": "已退出村民选举委员会的成员名单"})
def committee_candidates_withdrawn(ctx: CheckContext) -> Iterator[Issue]:
    committee = people(ctx, "election_committee")
    withdrawn = people(ctx, "committee_withdrawn") if ctx.lookup("committee_withdrawn", None) else []
    for person, post in _posted(ctx, "vc_candidates"):
        if find(person, committee) and not find(person, withdrawn):
            yield "vc_candidates", f"{person.name} 是{post}候选人，仍为村民选举委员会成员，应当退出选委会（{ORG_12}）"


@check("replacement_order", title="候选人退出后的递补顺序",
       fields={"withdrawals": "书面退出的候选人（每项：name、post 职务、date 日期）",
               "replacements": "递补的候选人（每项：name、post）；不递补填空列表",
               "nomination_tally": "直接提名得票（每项：name、post、votes 提名票数）",
               "vc_candidates": CANDIDATES})
def replacement_order(ctx: CheckContext) -> Iterator[Issue]:
    cite = ctx.profile.cite("candidate_withdrawal_days_before")
    withdrawn, replaced = _posted(ctx, "withdrawals"), _posted(ctx, "replacements")
    candidates = _posted(ctx, "vc_candidates")
    tally = [(as_person(r, "nomination_tally", nth(i)), as_text(r.get("post"), "nomination_tally", nth(i, "post")),
              as_int(r.get("votes"), "nomination_tally", nth(i, "votes")))
             for i, r in enumerate(entries(ctx, "nomination_tally"))]
    for post in dict.fromkeys(p for _, p in withdrawn + replaced):
        gone = [w for w, p in withdrawn if p == post]
        chosen = [r for r, p in replaced if p == post]
        if len(chosen) > len(gone):
            yield "replacements", f"{post}退出 {len(gone)} 人，递补 {len(chosen)} 人，递补人数不得多于退出人数"
        standing = [c for c, p in candidates if p == post and not find(c, chosen)]
        pool = [(person, votes) for person, p, votes in tally
                if p == post and not find(person, standing) and not find(person, gone)]
        for person in chosen:
            mine = next((votes for other, votes in pool if other.same(person)), None)
            if mine is None:
                yield "replacements", f"递补人选 {person.name} 不在{post}的提名得票名单中（或已是候选人、已退出）"
                continue
            ahead = [(other, votes) for other, votes in pool if votes > mine and not find(other, chosen)]
            if ahead:
                first = max(ahead, key=lambda pair: pair[1])
                yield "replacements", (f"{post}递补人选 {person.name}（提名 {mine} 票）不符合提名得票顺序："
                                       f"{first[0].name} 提名 {first[1]} 票，应当优先递补（{cite}）")


@check("proxies_valid", title="委托投票",
       fields={"proxies": "委托投票（每项：principal 委托人、proxy 受委托人、relation 二人关系、away 委托人选举期间是否外出）",
               "voters": "登记选民名单", "vc_candidates": CANDIDATES})
def proxies_valid(ctx: CheckContext) -> Iterator[Issue]:
    field, cap = "proxies", ctx.profile["proxy_max_principals"]
    voters, candidates = people(ctx, "voters"), people(ctx, "vc_candidates")
    _, relation_words = close_relatives()
    pairs: list[tuple[Person, Person]] = []
    for index, row in enumerate(entries(ctx, field)):
        principal = as_person(row.get("principal"), field, nth(index, "principal"))
        proxy = as_person(row.get("proxy"), field, nth(index, "proxy"))
        relation = as_text(row.get("relation"), field, nth(index, "relation"))
        if find(principal, voters) is None:
            yield field, f"委托人 {principal.name} 不是登记选民，不能委托投票（{ORG_15}）"
        if not as_bool(row.get("away", False), field, nth(index, "away")):
            yield field, f"委托人 {principal.name} 选举期间未外出，不能委托投票（{ORG_15}）"
        if find(proxy, voters) is None:
            yield field, f"受委托人 {proxy.name} 不是本村登记选民（{ORG_15}）"
        if relation not in relation_words:
            yield field, (f"受委托人 {proxy.name} 与委托人 {principal.name} 的关系“{relation}”不是近亲属，不能受托"
                          f"（{ORG_15}；近亲属依{close_relatives_source()}）")
        if find(proxy, candidates):
            yield field, f"受委托人 {proxy.name} 是候选人，不得接受委托（{ctx.profile.cite('proxy_max_principals')}）"
        if find(principal, [p for p, _ in pairs]):
            yield field, f"委托人 {principal.name} 重复委托"
        pairs.append((principal, proxy))
    principals = [p for p, _ in pairs]
    counted: list[Person] = []
    for _, proxy in pairs:
        if find(proxy, counted):
            continue
        counted.append(proxy)
        if find(proxy, principals):
            yield field, f"{proxy.name} 本人已委托他人投票，不得再接受委托（不得转委托）"
        load = sum(1 for _, q in pairs if q.same(proxy))
        if load > cap:
            yield field, f"受委托人 {proxy.name} 接受 {load} 人委托，超过 {cap} 人（{ctx.profile.cite('proxy_max_principals')}）"


@check("staff_not_candidates_or_relatives", title="选举工作人员回避",
       fields={"vote_staff": "选举工作人员（每项：name、role 唱票/计票/监票/代写、relatives 近亲属）",
               "vc_candidates": CANDIDATES})
def staff_not_candidates_or_relatives(ctx: CheckContext) -> Iterator[Issue]:
    candidates = people(ctx, "vc_candidates")
    for index, row in enumerate(entries(ctx, "vote_staff")):
        staff = as_person(row, "vote_staff", nth(index))
        role = row.get("role") or "工作人员"
        if find(staff, candidates):
            yield "vote_staff", f"{role}人员 {staff.name} 是候选人，不得担任选举工作人员（{STAFF_RULE}）"
            continue
        for candidate in candidates:
            relation = close_relation(staff, candidate)
            if relation:
                yield "vote_staff", f"{role}人员 {staff.name} 是候选人 {candidate.name} 的近亲属（{relation}），不得担任（{STAFF_RULE}）"


@check("mobile_box_scrutineers", title="流动票箱监票人",
       fields={"mobile_boxes": "流动票箱（每项：name 票箱或路线、scrutineers 监票人名单）；不设则填空列表"})
def mobile_box_scrutineers(ctx: CheckContext) -> Iterator[Issue]:
    minimum = ctx.profile["mobile_box_scrutineers_min"]
    for index, box in enumerate(entries(ctx, "mobile_boxes")):
        staff = names(box.get("scrutineers") or [], "mobile_boxes", nth(index, "scrutineers"))
        if len(staff) < minimum:
            label = box.get("name") or f"第 {index + 1} 个"
            yield "mobile_boxes", (f"流动票箱“{label}”监票人 {len(staff)} 人，少于 {minimum} 人"
                                   f"（{ctx.profile.cite('mobile_box_scrutineers_min')}）")
