"""Checks of the villager-committee election's preparation: V1.1–V3.4 (domain.md §6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from huanjie.documents.identity import mask_id
from huanjie.steps.checks.facts import add_years, as_bool, as_date, as_int, count, day, entries, nth
from huanjie.steps.checks.people import Person, as_person, close_pairs, close_relatives_source, find, people
from huanjie.steps.checks.registry import CheckContext, FactProblem, Issue, check
from huanjie.steps.checks.tally import POSTS, seats_by_post, unknown_posts

ORG_13 = "《村民委员会组织法》第十三条"
COMMITTEE = "村民选举委员会成员（每项：name 姓名、id 身份证号、relatives 近亲属[name、relation]）"
GROUP_MEETINGS = "各村民小组会议（每项：group 小组、adults 十八周岁以上村民数、adults_present 到会村民数、households 户数、households_present 到会户代表数）"
VOTERS = "登记选民（每项：name、id 身份证号、birth_date 出生日期、category 登记类别 1/2/3、consent 第 3 类是否经村民（代表）会议同意、deprived 是否被剥夺政治权利）"


@check("election_committee_size", title="村民选举委员会人数", fields={"election_committee": COMMITTEE})
def election_committee_size(ctx: CheckContext) -> Iterator[Issue]:
    members, span = people(ctx, "election_committee"), ctx.profile["election_committee_size"]
    if not span.contains(len(members)):
        yield "election_committee", (f"村民选举委员会 {len(members)} 人，须为 {span.text()}"
                                     f"（{ctx.profile.cite('election_committee_size')}）")


@check("no_close_relatives_on_committee", title="选委会成员之间无近亲属", fields={"election_committee": COMMITTEE})
def no_close_relatives_on_committee(ctx: CheckContext) -> Iterator[Issue]:
    for a, b, relation in close_pairs(people(ctx, "election_committee")):
        yield "election_committee", (f"{a.name} 与 {b.name} 系近亲属（{relation}），不得同时担任村民选举委员会成员"
                                     f"（近亲属依{close_relatives_source()}）")


def quorum_of_groups(ctx: CheckContext, field: str) -> Iterator[Issue]:
    """Each 村民小组会议: ≥ 2/3 of the group's adults, or of its households (组织法 28)."""
    ratio, cite = ctx.profile["group_meeting_quorum"], ctx.profile.cite("group_meeting_quorum")
    rows = entries(ctx, field)
    groups = ctx.village.get("groups")
    if groups and len(rows) < groups:
        yield field, f"本村有 {groups} 个村民小组，只记录了 {len(rows)} 个小组会议"
    for index, row in enumerate(rows):
        group = row.get("group") or f"第 {index + 1} 组"
        adults, present, homes, homes_present = (
            as_int(row.get(key, default), field, nth(index, key))
            for key, default in (("adults", None), ("adults_present", 0), ("households", None), ("households_present", 0)))
        if not (ratio.holds(present, adults) or ratio.holds(homes_present, homes)):
            yield field, (f"{group}村民小组会议到会村民 {present} 人（共 {adults} 人）、户代表 {homes_present} 户"
                          f"（共 {homes} 户），均{ratio.shortfall()}{ratio.text()}（{cite}）")


def households(ctx: CheckContext) -> int:
    value = ctx.lookup("households", None) or ctx.village.get("households")
    if not value:
        raise FactProblem("households", "缺少本村户数（households），村基本信息中也没有")
    return as_int(value, "households")


@check("electing_meeting_quorum", title="推选选委会的会议到会人数",
       fields={"meeting_type": "推选会议类型（村民会议 / 村民代表会议 / 村民小组会议）"},
       optional={"adults": "本村十八周岁以上村民人数", "adults_present": "到会十八周岁以上村民人数",
                 "households": "本村户数（默认取村基本信息）", "households_present": "到会户代表数",
                 "meeting_members": "村民代表会议组成人员数", "meeting_present": "到会组成人员数",
                 "group_meetings": GROUP_MEETINGS})
def electing_meeting_quorum(ctx: CheckContext) -> Iterator[Issue]:
    kind, profile = ctx.lookup("meeting_type"), ctx.profile
    if kind == "村民会议":
        persons, homes = profile["village_meeting_quorum_persons"], profile["village_meeting_quorum_households"]
        adults, present = count(ctx, "adults"), as_int(ctx.lookup("adults_present", 0), "adults_present")
        total, homes_present = households(ctx), as_int(ctx.lookup("households_present", 0), "households_present")
        if not (persons.holds(present, adults) or homes.holds(homes_present, total)):
            yield "adults_present", (f"村民会议到会十八周岁以上村民 {present} 人，{persons.shortfall()}本村十八周岁以上村民 "
                                     f"{adults} 人的{persons.text()}；到会户代表 {homes_present} 户，{homes.shortfall()}全村 {total} 户的"
                                     f"{homes.text()}（{profile.cite('village_meeting_quorum_persons')}）")
    elif kind == "村民代表会议":
        ratio = profile["representatives_meeting_quorum"]
        members, present = count(ctx, "meeting_members"), count(ctx, "meeting_present")
        if not ratio.holds(present, members):
            yield "meeting_present", (f"村民代表会议到会 {present} 人，{ratio.shortfall()}组成人员 {members} 人的"
                                      f"{ratio.text()}（{profile.cite('representatives_meeting_quorum')}）")
    elif kind == "村民小组会议":
        yield from quorum_of_groups(ctx, "group_meetings")
    else:
        yield "meeting_type", f"推选会议类型“{kind}”须为 村民会议、村民代表会议 或 村民小组会议（《村民委员会组织法》第十二条）"


@check("vc_seats", title="村民委员会职数",
       fields={"seats_by_post": "各职务应选名额（如 主任: 1、副主任: 1、委员: 3）"})
def vc_seats(ctx: CheckContext) -> Iterator[Issue]:
    seats = seats_by_post(ctx)
    unknown_posts(ctx, seats)
    total, span = sum(seats.values()), ctx.profile["vc_seats"]
    if not span.contains(total):
        yield "seats_by_post", f"村民委员会成员 {total} 名，须为 {span.text()}（{ctx.profile.cite('vc_seats')}）"
    if seats.get(POSTS[0], 0) < 1:
        yield "seats_by_post", f"须设主任（{ctx.profile.cite('vc_seats')}）"


@check("women_seat", title="妇女成员和少数民族成员名额",
       fields={"women_seats": "妇女成员名额（专职专选）"},
       optional={"minority_village": "是否多民族村民居住的村", "minority_seats": "人数较少民族成员名额"})
def women_seat(ctx: CheckContext) -> Iterator[Issue]:
    women, minimum = count(ctx, "women_seats"), ctx.profile["women_seats_min"]
    if women < minimum:
        yield "women_seats", f"妇女成员名额 {women} 名，少于 {minimum} 名：村民委员会成员中应当有妇女成员（{ctx.profile.cite('women_seats_min')}）"
    if as_bool(ctx.lookup("minority_village", False), "minority_village"):
        seats, needed = count(ctx, "minority_seats"), ctx.profile["minority_seats_min"]
        if seats < needed:
            yield "minority_seats", (f"多民族村民居住的村，人数较少的民族成员名额 {seats} 名，少于 {needed} 名"
                                     f"（{ctx.profile.cite('minority_seats_min')}）")


def birth_from_id(number: str | None) -> dt.date | None:
    digits = {18: (6, 14), 15: (6, 12)}.get(len(number or ""))
    if digits is None:
        return None
    text = number[digits[0]:digits[1]]
    text = text if len(text) == 8 else "19" + text
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


@check("voter_eligibility", title="选民资格",
       fields={"voters": VOTERS, "vc_election_day": "村委会选举日"})
def voter_eligibility(ctx: CheckContext) -> Iterator[Issue]:
    election_day, min_age = day(ctx, "vc_election_day"), ctx.profile["voter_min_age"]
    cite = ctx.profile.cite("voter_min_age")
    for index, row in enumerate(entries(ctx, "voters")):
        person = as_person(row, "voters", nth(index))
        who = person.name + (f"（{mask_id(person.id)}）" if person.id else "")
        stated = as_date(row["birth_date"], "voters", nth(index, "birth_date")) if row.get("birth_date") else None
        from_id = birth_from_id(person.id)
        if stated and from_id and stated != from_id:
            yield "voters", f"选民 {who} 的出生日期 {stated} 与身份证号所载 {from_id} 不一致"
        born = stated or from_id
        if born is None:
            raise FactProblem("voters", f"选民 {person.name} 缺少出生日期（birth_date）或有效的身份证号")
        if add_years(born, min_age) > election_day:
            yield "voters", f"选民 {who} {born} 出生，至选举日 {election_day} 未满 {min_age} 周岁（{cite}）"
        if as_bool(row.get("deprived", False), "voters", nth(index, "deprived")):
            yield "voters", f"选民 {who} 被依法剥夺政治权利，不得登记（{ORG_13}）"
        category = row.get("category")
        if category not in (1, 2, 3, "1", "2", "3"):
            yield "voters", f"选民 {who} 的登记类别“{category}”须为 1、2、3 之一（{ORG_13}）"
        elif int(category) == 3 and not as_bool(row.get("consent", False), "voters", nth(index, "consent")):
            yield "voters", f"选民 {who} 户籍不在本村，须经村民会议或者村民代表会议同意方可登记（{ORG_13}）"


@check("no_double_registration", title="选民不重复登记",
       fields={"voters": VOTERS},
       optional={"registered_elsewhere": "已在其他村登记的人员（每项：id 身份证号、name、village 村名），由上级比对提供"})
def no_double_registration(ctx: CheckContext) -> Iterator[Issue]:
    seen: list[Person] = []
    for index, row in enumerate(entries(ctx, "voters")):
        person = as_person(row, "voters", nth(index))
        if find(person, seen):
            yield "voters", f"选民 {person.name}{'（' + mask_id(person.id) + '）' if person.id else ''} 重复登记（{ORG_13}）"
        seen.append(person)
    for index, row in enumerate(entries(ctx, "registered_elsewhere") if ctx.lookup("registered_elsewhere", None) else []):
        other = as_person(row, "registered_elsewhere", nth(index))
        match = find(other, seen) if other.id else None  # across villages only an id is proof
        if match:
            yield "voters", (f"选民 {match.name}（{mask_id(match.id)}）已在{row.get('village') or '其他村'}登记，"
                             f"不得重复登记（{ORG_13}）")


@check("objections_decided", title="选民名单申诉的处理",
       fields={"objections": "选民名单申诉（每项：subject 申诉人及事由、received 收到日期、decision 处理决定、decided 决定日期）；无则填空列表"})
def objections_decided(ctx: CheckContext) -> Iterator[Issue]:
    cite = ctx.profile.cite("objection_decision_days")
    for index, row in enumerate(entries(ctx, "objections")):
        subject = row.get("subject") or f"第 {index + 1} 件申诉"
        received = as_date(row.get("received"), "objections", nth(index, "received"))
        if not str(row.get("decision") or "").strip() or not row.get("decided"):
            yield "objections", f"申诉“{subject}”尚未作出处理决定并公布（{cite}）"
            continue
        decided = as_date(row.get("decided"), "objections", nth(index, "decided"))
        if decided < received:
            yield "objections", f"申诉“{subject}”的决定日期 {decided} 早于收到日期 {received}，请核对"


@check("voter_cards_issued", title="选民证发放",
       fields={"registered_voters": "登记选民人数", "voter_cards_issued": "已发放选民证数"})
def voter_cards_issued(ctx: CheckContext) -> Iterator[Issue]:
    registered, issued = count(ctx, "registered_voters"), count(ctx, "voter_cards_issued")
    if issued > registered:
        yield "voter_cards_issued", f"发放选民证 {issued} 张，多于登记选民 {registered} 人（每名登记选民一张）"
    elif issued < registered:
        yield "voter_cards_issued", f"登记选民 {registered} 人，只发放选民证 {issued} 张，尚有 {registered - issued} 人未发放"
