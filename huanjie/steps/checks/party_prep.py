"""Checks of the Party election's preparation: P1.1–P3.3 (domain.md §5)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from huanjie.steps.checks.lists import audit_items, party_exclusion_cases
from huanjie.steps.checks.facts import (
    as_bool, as_date, as_text, count, entries, names, nth, optional_day,
)
from huanjie.steps.checks.people import Person, as_person, find
from huanjie.steps.checks.registry import CheckContext, FactProblem, Issue, check

PARTY_RULES_5 = "《中国共产党基层组织选举工作条例》第五条"
RISK_LEVELS = {"green": "绿", "yellow": "黄", "red": "红"}
SUSPENSIONS = {"留党察看": "受留党察看处分，在留党察看期间没有选举权",
               "留置": "被依法留置，选举权应当中止",
               "逮捕": "被依法逮捕，选举权应当中止"}
MEMBERS = "党员名册（每项：name 姓名、id 身份证号、category 正式/预备、suspended 留党察看/留置/逮捕（无则不填）、voting 是否列入有选举权名单）"


@check("risk_level_set", title="调查摸底与班子研判：风险等级",
       fields={"risk_level": "风险等级（green 绿 / yellow 黄 / red 红）"})
def risk_level_set(ctx: CheckContext) -> Iterator[Issue]:
    level = ctx.lookup("risk_level")
    if level not in RISK_LEVELS:
        allowed = "、".join(f"{k}（{v}）" for k, v in RISK_LEVELS.items())
        yield "risk_level", f"风险等级“{level}”无效，须为 {allowed} 之一（三色预警）"


@check("audit_items_complete", title="离任经济责任审计事项",
       fields={"audit_items": "已审计并公示的事项（《村民委员会组织法》第三十五条六项，填键或名称）"})
def audit_items_complete(ctx: CheckContext) -> Iterator[Issue]:
    listed = names(ctx.lookup("audit_items"), "audit_items")
    reference = audit_items()
    missing = [f"“{item.title}”" for item in reference.items if not any(item.matches(text) for text in listed)]
    if missing:
        yield "audit_items", f"离任经济责任审计缺少 {len(missing)} 项事项：{'、'.join(missing)}（{reference.source}）"


@check("audit_publicity", title="离任经济责任审计结果公示",
       fields={"audit_publicity_periods": "审计结果公示（每次一项：start 开始日期、end 结束日期）"},
       optional={"vc_election_day": "村委会选举日"})
def audit_publicity(ctx: CheckContext) -> Iterator[Issue]:
    field = "audit_publicity_periods"
    times, days = ctx.profile["audit_publicity_times"], ctx.profile["audit_publicity_days"]
    cite = ctx.profile.cite("audit_publicity_days")
    election_day = optional_day(ctx, "vc_election_day")
    long_enough = 0
    for index, period in enumerate(entries(ctx, field)):
        start = as_date(period.get("start"), field, nth(index, "start"))
        end = as_date(period.get("end"), field, nth(index, "end"))
        length = (end - start).days + 1  # both ends included: 6-01 to 6-05 is five days
        if length <= 0:
            yield field, f"第 {index + 1} 次公示的结束日期 {end} 早于开始日期 {start}"
        elif length < days:
            yield field, f"第 {index + 1} 次公示 {start} 至 {end} 共 {length} 天，不足 {days} 天（{cite}）"
        else:
            long_enough += 1
        if election_day is not None and end >= election_day:
            yield field, (f"第 {index + 1} 次公示至 {end} 结束，离任经济责任审计结果须在村委会选举日 "
                          f"{election_day} 之前公布（《村民委员会组织法》第三十五条）")
    if long_enough < times:
        yield field, f"审计结果满 {days} 天的公示共 {long_enough} 次，不足 {times} 次（{ctx.profile.cite('audit_publicity_times')}）"


@check("party_committee_seats", title="村党组织委员名额",
       fields={"formal_members": "正式党员人数", "committee_seats": "拟选支部委员会委员名额（不设委员会的填 0）"})
def party_committee_seats(ctx: CheckContext) -> Iterator[Issue]:
    members, seats = count(ctx, "formal_members"), count(ctx, "committee_seats")
    minimum, span = ctx.profile["party_committee_min_members"], ctx.profile["party_committee_seats"]
    if members < minimum:
        if seats:
            yield "committee_seats", (f"正式党员 {members} 人，不足 {minimum} 人，不设支部委员会，只选书记（必要时设副书记），"
                                      f"委员名额应为 0，填报为 {seats}（{ctx.profile.cite('party_committee_min_members')}）")
    elif not span.contains(seats):
        yield "committee_seats", f"支部委员会委员名额 {seats} 名，须为 {span.text()}（{ctx.profile.cite('party_committee_seats')}）"


@dataclass(frozen=True)
class Member:
    person: Person
    category: str           # 正式 | 预备
    suspended: str | None   # 留党察看 | 留置 | 逮捕
    voting: bool            # listed with a vote

    @property
    def has_vote(self) -> bool:
        return self.category == "正式" and self.suspended is None


def party_members(ctx: CheckContext) -> list[Member]:
    out = []
    for index, row in enumerate(entries(ctx, "members")):
        person = as_person(row, "members", nth(index))
        category = as_text(row.get("category"), "members", nth(index, "category")).removesuffix("党员")
        suspended = row.get("suspended") or None
        if category not in ("正式", "预备"):
            raise FactProblem("members", f"党员 {person.name} 的类别“{category}”须为 正式 或 预备")
        if suspended is not None and suspended not in SUSPENSIONS:
            raise FactProblem("members", f"党员 {person.name} 的 suspended“{suspended}”须为 {'、'.join(SUSPENSIONS)} 之一或不填")
        out.append(Member(person, category, suspended, as_bool(row.get("voting"), "members", nth(index, "voting"))))
    return out


@check("party_voting_rights", title="有选举权党员名单", fields={"members": MEMBERS})
def party_voting_rights(ctx: CheckContext) -> Iterator[Issue]:
    for member in party_members(ctx):
        who = member.person.name
        if member.voting and member.category == "预备":
            yield "members", f"预备党员 {who} 没有选举权，不得列入有选举权党员名单（{PARTY_RULES_5}）"
        elif member.voting and member.suspended:
            yield "members", f"党员 {who} {SUSPENSIONS[member.suspended]}，不得列入有选举权党员名单（{PARTY_RULES_5}）"
        elif not member.voting and member.has_vote:
            yield "members", f"正式党员 {who} 有选举权，但未列入有选举权党员名单（{PARTY_RULES_5}）"


@check("party_exclusions_valid", title="不计入应到会人数的情形",
       fields={"exclusions": "不计入应到会人数的党员（每项：name 姓名、case 五种情形之一、approved 上级党组织是否同意）；无则填空列表",
               "expected_voters": "应到会有选举权党员人数",
               "members": MEMBERS})
def party_exclusions_valid(ctx: CheckContext) -> Iterator[Issue]:
    cases = party_exclusion_cases()
    voters = [m.person for m in party_members(ctx) if m.has_vote]
    excluded: list[Person] = []
    for index, row in enumerate(entries(ctx, "exclusions")):
        person = as_person(row, "exclusions", nth(index))
        case = row.get("case")
        if find(person, excluded):
            yield "exclusions", f"党员 {person.name} 重复列入不计入应到会人数名单"
            continue
        if find(person, voters) is None:
            yield "exclusions", f"{person.name} 不是有选举权的党员，不能列为不计入应到会人数的情形"
            continue
        excluded.append(person)
        if case is None or cases.find(case) is None:
            yield "exclusions", f"党员 {person.name} 不计入应到会人数的理由“{case or '（未填）'}”不属于五种情形（{cases.source}）"
        if not as_bool(row.get("approved", False), "exclusions", nth(index, "approved")):
            yield "exclusions", f"党员 {person.name} 不计入应到会人数未经上级党组织同意（{cases.source}）"
    expected = len(voters) - len(excluded)
    recorded = count(ctx, "expected_voters")
    if recorded != expected:
        yield "expected_voters", (f"应到会有选举权党员应为 {expected} 人（有选举权党员 {len(voters)} 人，"
                                  f"不计入 {len(excluded)} 人），填报为 {recorded} 人")


@check("discipline_pledges_signed", title="换届纪律承诺书",
       fields={"pledges": "纪律承诺书签订情况（每项：name 姓名、role 身份如候选人/工作人员、signed 是否签订）"})
def discipline_pledges_signed(ctx: CheckContext) -> Iterator[Issue]:
    rows = entries(ctx, "pledges")
    if not rows:
        yield "pledges", "纪律承诺书名单为空：候选人（初步人选）和选举工作人员均须签订（换届纪律要求）"
    for index, row in enumerate(rows):
        who = as_text(row.get("name"), "pledges", nth(index, "name"))
        if not as_bool(row.get("signed", False), "pledges", nth(index, "signed")):
            yield "pledges", f"{row.get('role') or ''}{who} 未签订换届纪律承诺书（换届纪律要求）"
