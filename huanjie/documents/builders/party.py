"""Builders of the Party organisation election's documents: D01–D11, D13 (Party tallies), D14, D12."""

from __future__ import annotations

from huanjie.documents.builders.base import (body_short, builder, by_name, entries, official, ratio_text,
                                             stroke_sorted)
from huanjie.documents.identity import birth_and_sex
from huanjie.documents.source import Source
from huanjie.steps.checks.lists import audit_items, negative_list, party_exclusion_cases

NAME = {"name": ("姓名", "text")}


def _meeting(src: Source) -> dict:
    return {
        "org": src.issuer("village_party").name,
        "township_org": src.issuer("township").name,
        "meeting_date": src.need("P2.1", "meeting_date", "党员大会召开时间", "date"),
        "agenda": src.need("P2.1", "agenda", "会议议程", "list"),
        "committee_seats": src.need("P2.1", "committee_seats", "委员职数", "int"),
        "secretary_seats": src.need("P2.1", "secretary_seats", "书记职数", "int"),
        "deputy_seats": src.need("P2.1", "deputy_secretary_seats", "副书记职数", "int"),
        "formal_members": src.need("P2.1", "formal_members", "正式党员人数", "int"),
        "margin": ratio_text(src.profile["party_margin"]),
    }


def _request(src: Source) -> dict:
    return {**_meeting(src),
            "on_time": src.need("P2.2", "on_time", "是否按期换届", "bool"),
            "nomination_method": src.need("P2.2", "nomination_method", "候选人推荐方式"),
            "election_method": src.need("P2.2", "election_method", "选举方式")}


@builder("D01", issuer="village_party")
def d01(src: Source) -> dict:
    return {**_request(src), **official(src, "D01", "village_party", contact=True,
                                        signer=src.need("P2.2", "signer", "签发人"))}


@builder("D02", issuer="township")
def d02(src: Source) -> dict:
    request = _request(src)
    return {**request, "approved_items": src.need("P2.3", "approved_items", "批复同意的事项", "list"),
            "request_number": src.numbers.get("D01"), "you": body_short(request["org"]),
            **official(src, "D02", "township")}


@builder("D03", issuer="village_party")
def d03(src: Source) -> dict:
    members = entries(src, "P3.1", "members", "党员名册",
                      {"name": ("姓名", "text"), "category": ("正式/预备", "text")})
    formal = [m["name"] for m in members if m["category"] == "正式"]
    probationary = [m["name"] for m in members if m["category"] != "正式"]
    return {**_meeting(src),
            "meeting_date": src.need("P3.1", "meeting_date", "召开时间", "date"),
            "place": src.need("P3.1", "meeting_place", "地点"),
            "recommend_method": src.need("P3.1", "recommend_method", "推荐方式"),
            "formal": stroke_sorted(src, formal, manual_order=None, field="P3.1.members"),
            "probationary": stroke_sorted(src, probationary, manual_order=None, field="P3.1.members")}


@builder("D04")
def d04(src: Source) -> dict:
    cases = party_exclusion_cases()
    rows = []
    for e in entries(src, "P3.2", "exclusions", "不计入应到会人数的党员",
                     {**NAME, "case": ("情形", "text"), "approved": ("上级党组织同意", "bool")}, allow_empty=True):
        item = cases.find(e["case"])
        rows.append({**e, "case_title": item.title if item else e["case"]})
    return {"org": src.issuer("village_party").name, "rows": rows, "source": cases.source,
            "expected": src.need("P3.2", "expected_voters", "应到会人数", "int"),
            "formal_members": src.need("P2.1", "formal_members", "正式党员人数", "int")}


def _preliminary(src: Source) -> dict:
    prelim = entries(src, "P4.3", "preliminary", "委员候选人预备人选", {**NAME, "post": ("拟任职务", "text")})
    officers = entries(src, "P4.3", "officer_preliminary", "书记、副书记候选人预备人选",
                       {**NAME, "post": ("拟任职务", "text")})
    votes = by_name(src.need("P4.1", "party_candidates", "推荐得票", "list"))
    inspections = by_name(src.need("P4.2", "inspections", "考察情况", "list"))
    names = stroke_sorted(src, [p["name"] for p in prelim], manual_order=src.optional("P4.3", "manual_order"),
                          field="P4.3.preliminary")
    posts = {p["name"]: p["post"] for p in prelim}
    rows = []
    for name in names:
        seen = inspections.get(name) or {}
        rows.append({"name": name, "post": posts[name], "votes": (votes.get(name) or {}).get("votes", "—"),
                     "participants": seen.get("participants", "—"), "disagree": seen.get("disagree", "—")})
    return {"rows": rows, "officers": officers, "cast": src.need("P4.1", "recommend_ballots_cast", "推荐投票人数", "int"),
            "seats": src.need("P2.1", "committee_seats", "委员职数", "int"),
            "org": src.issuer("village_party").name, "township_org": src.issuer("township").name,
            "request_date": src.need("P4.3", "request_date", "预备人选请示日期", "date"),
            "approval_date": src.need("P4.3", "approval_date", "预备人选批复日期", "date"),
            "start": src.need("P4.3", "publicity_start", "公示开始日期", "date"),
            "end": src.need("P4.3", "publicity_end", "公示结束日期", "date")}


@builder("D05", issuer="village_party")
def d05(src: Source) -> dict:
    base = _preliminary(src)
    return {**base, "day": base["request_date"], **official(
        src, "D05", "village_party", contact=True, signer=src.need("P2.2", "signer", "签发人"))}


@builder("D06", issuer="township")
def d06(src: Source) -> dict:
    base = _preliminary(src)
    return {**base, "day": base["approval_date"], "request_number": src.numbers.get("D05"),
            "you": body_short(base["org"]), **official(src, "D06", "township")}


@builder("D07", issuer="township")
def d07(src: Source) -> dict:
    base = _preliminary(src)
    profiles = by_name(entries(src, "P4.3", "candidate_profiles", "预备人选基本情况",
                               {**NAME, "id": ("身份证号", "text"), "education": ("学历", "text"),
                                "position": ("现任职务", "text")}))
    for row in base["rows"]:
        p = profiles.get(row["name"])
        if p is None:
            src.problems.append(_no_profile(row["name"]))
            continue
        number = src.person_id(p["id"], row["name"], "P4.3.candidate_profiles")
        born, sex = birth_and_sex(number) if number else (None, "")
        row.update(id=number, sex=sex, born=f"{born.year}年{born.month}月" if born else "",
                   education=p["education"], position=p["position"])
    return {**base, "day": base["start"],  # posted on the first day of its period at the latest
            "workdays": src.need("P4.3", "publicity_workdays", "公示工作日数", "int"),
            "report_place": src.need("P4.3", "report_place", "受理方式（受理单位）")}


def _no_profile(name: str):
    return _problem(f"步骤 P4.3 的预备人选基本情况（candidate_profiles）缺少“{name}”", "P4.3.candidate_profiles")


def _problem(message: str, field: str):
    from huanjie.errors import Problem

    return Problem(message, field=field)


@builder("D08")
def d08(src: Source) -> dict:
    p = src.profile
    candidates = src.need("P5.1", "party_candidates", "委员候选人", "list")
    return {"org": src.issuer("village_party").name,
            "seats": src.need("P2.1", "committee_seats", "委员职数", "int"), "candidates": len(candidates),
            "margin": ratio_text(p["party_margin"]), "quorum": ratio_text(p["party_quorum"]),
            "elected": ratio_text(p["party_elected"]),
            "denominator": "应到会有选举权的党员人数" if p["party_threshold_denominator"] == "expected"
            else "实到会有选举权的党员人数",
            "expected": src.need("P3.2", "expected_voters", "应到会人数", "int"),
            "scrutineers": src.need("P5.1", "scrutineers", "监票人", "list"),
            "tellers": src.need("P5.1", "tellers", "计票人", "list"),
            "meeting_date": src.need("P2.1", "meeting_date", "党员大会召开时间", "date"),
            "source": p.cite("party_quorum")}


@builder("D09")
def d09(src: Source) -> dict:
    org = src.issuer("village_party").name
    if src.step == "P5.3":
        officers = entries(src, "P4.3", "officer_preliminary", "书记、副书记候选人预备人选（批复顺序）",
                           {**NAME, "post": ("职务", "text")})
        return {"org": org, "kind": "officers", "groups": [
            {"post": post, "names": [o["name"] for o in officers if o["post"] == post]}
            for post in ("书记", "副书记")], "elected": src.need("P5.2", "party_elected", "当选委员", "list"),
            "meeting": "新一届委员会第一次全体会议"}
    candidates = [c.get("name") for c in src.need("P5.1", "party_candidates", "委员候选人", "list")]
    names = stroke_sorted(src, candidates, manual_order=src.optional("P5.1", "manual_order"),
                          field="P5.1.party_candidates")
    return {"org": org, "kind": "committee", "names": names, "meeting": "党员大会",
            "seats": src.need("P2.1", "committee_seats", "委员职数", "int")}


@builder("D10", issuer="village_party")
def d10(src: Source) -> dict:
    votes = entries(src, "P5.2", "party_candidates", "候选人得票", {**NAME, "votes": ("得票数", "int")})
    elected = src.need("P5.2", "party_elected", "当选委员", "list")
    officers = entries(src, "P5.3", "officers", "书记、副书记选举结果",
                       {**NAME, "post": ("职务", "text"), "votes": ("得票数", "int")})
    division = src.need("P6.1", "division_of_work", "委员分工", "dict")
    secretary = next((o["name"] for o in officers if o["post"] == "书记"), None)
    if secretary is None and src.has("P5.3"):
        src.problems.append(_problem("P5.3 的选举结果中没有书记：报告的签发人为新任书记", "P5.3.officers"))
    return {**official(src, "D10", "village_party", signer=secretary or ""),
            "org": src.issuer("village_party").name, "township_org": src.issuer("township").name,
            "meeting_date": src.need("P2.1", "meeting_date", "党员大会召开时间", "date"),
            "expected": src.need("P5.2", "expected_voters", "应到会人数", "int"),
            "present": src.need("P5.2", "present_voters", "实到会人数", "int"),
            "votes": sorted(votes, key=lambda v: -v["votes"]), "elected": elected,
            "elected_sorted": stroke_sorted(src, elected, manual_order=None, field="P5.2.party_elected"),
            "officers": officers, "division": [{"name": n, "duty": d} for n, d in division.items()]}


@builder("D11", issuer="township")
def d11(src: Source) -> dict:
    officers = entries(src, "P5.3", "officers", "书记、副书记选举结果", {**NAME, "post": ("职务", "text")})
    org = src.issuer("village_party").name
    return {**official(src, "D11", "township"), "you": body_short(org),
            "org": org, "township_org": src.issuer("township").name,
            "approved": src.need("P6.2", "approved", "是否批准", "bool"),
            "filed_with": src.need("P6.2", "filed_with", "备案机关"),
            "elected": stroke_sorted(src, src.need("P5.2", "party_elected", "当选委员", "list"), manual_order=None,
                                     field="P5.2.party_elected"),
            "officers": officers, "report_number": src.numbers.get("D10")}


@builder("D12")
def d12(src: Source) -> dict:
    reviews = entries(src, src.step, "reviews", "资格联审结果",
                      {**NAME, "departments": ("联审单位", "list"), "listed": ("结论（是否列为人选）", "bool")})
    checklist = negative_list()
    raw = {r.get("name"): r for r in src.need(src.step, "reviews", "资格联审结果", "list")}
    for r in reviews:
        found: dict[str, list[str]] = {}
        for f in raw[r["name"]].get("findings") or []:
            item = checklist.find(f.get("item", "")) if isinstance(f, dict) else None
            text = item.title if item else str(f)
            found.setdefault(f.get("department", "") if isinstance(f, dict) else "", []).append(text)
        r["opinions"] = [{"department": d, "finding": "；".join(found.get(d, [])) or "未发现“十不选”所列情形"}
                         for d in r["departments"]]
        r["unassigned"] = found.get("", [])
    election = "党组织" if src.step.startswith("P") else "村民委员会"  # after the village's name: 东湖村党组织
    return {"reviews": reviews, "election": election, "checklist_version": checklist.version,
            "checklist_source": checklist.source, "township_org": src.issuer("township").name}


def _tally_party(src: Source) -> dict:
    step = src.step
    if step == "P4.1":
        rows = entries(src, "P4.1", "party_candidates", "推荐得票", {**NAME, "votes": ("得票数", "int")})
        meetings = src.need("P4.1", "recommend_meetings", "推荐会议", "list")
        first = meetings[0] if meetings else {}
        return {"kind": "党员推荐", "expected": first.get("expected"), "present": first.get("present"),
                "issued": src.need(step, "recommend_ballots_issued", "发出票数", "int"),
                "returned": src.need(step, "recommend_ballots_returned", "收回票数", "int"),
                "valid": src.need(step, "recommend_ballots_valid", "有效票", "int"),
                "void": src.need(step, "recommend_ballots_void", "无效票", "int"), "rows": rows,
                "scrutineers": src.need(step, "scrutineers", "监票人", "list"),
                "tellers": src.need(step, "tellers", "计票人", "list")}
    if step == "P5.2":
        rows = entries(src, "P5.2", "party_candidates", "候选人得票", {**NAME, "votes": ("得票数", "int")})
        elected = set(src.need("P5.2", "party_elected", "当选委员", "list"))
        return {"kind": "党员大会选举委员", "expected": src.need(step, "expected_voters", "应到会人数", "int"),
                "present": src.need(step, "present_voters", "实到会人数", "int"),
                "issued": src.need(step, "ballots_issued", "发出票数", "int"),
                "returned": src.need(step, "ballots_returned", "收回票数", "int"),
                "valid": src.need(step, "ballots_valid", "有效票", "int"),
                "void": src.need(step, "ballots_void", "无效票", "int"),
                "rows": [{**r, "elected": r["name"] in elected} for r in rows], **_staff(src)}
    rows = entries(src, "P5.3", "officers", "书记、副书记得票",
                   {**NAME, "post": ("职务", "text"), "votes": ("得票数", "int"), "elected": ("是否当选", "bool")})
    return {"kind": "党组织委员会选举书记、副书记", "present_labels": ("应到委员人数", "实到委员人数"),
            "expected": src.need("P2.1", "committee_seats", "委员职数", "int"),
            "present": src.need(step, "committee_present", "实到委员人数", "int"),
            "issued": src.need(step, "officer_ballots_issued", "发出票数", "int"),
            "returned": src.need(step, "officer_ballots_returned", "收回票数", "int"),
            "valid": src.need(step, "officer_ballots_valid", "有效票", "int"),
            "void": src.need(step, "officer_ballots_void", "无效票", "int"), "rows": rows, **_staff(src)}


def _staff(src: Source) -> dict:
    return {"scrutineers": src.need("P5.1", "scrutineers", "监票人", "list"),
            "tellers": src.need("P5.1", "tellers", "计票人", "list")}


@builder("D13")
def d13(src: Source) -> dict:
    if src.step.startswith("P"):
        return {"party": True, "org": src.issuer("village_party").name, "present_labels": ("应到会人数", "实到会人数"),
                **_tally_party(src)}
    from huanjie.documents.builders.vc import tally_vc

    return {"party": False, **tally_vc(src)}


@builder("D14", issuer="township_government")
def d14(src: Source) -> dict:
    items = audit_items()
    listed = src.need("P1.2", "audit_items", "审计事项", "list")
    titles = [(items.find(i).title if items.find(i) else str(i)) for i in listed]
    periods = entries(src, "P1.2", "audit_publicity_periods", "公示期",
                      {"start": ("开始日期", "date"), "end": ("结束日期", "date")})
    audited = entries(src, "P1.2", "audited", "被审计人员", {**NAME, "post": ("职务", "text")})
    first = min((p["start"] for p in periods), default=None)
    return {**({"day": first} if first else {}), "items": titles, "source": items.source, "periods": periods, "audited": audited,
            "audit_period": src.need("P1.2", "audit_period", "审计期间"),
            "result": src.need("P1.2", "audit_result", "审计结果"),
            "auditor": src.need("P1.2", "audit_body", "审计单位"),
            "objection_place": src.need("P1.2", "objection_place", "异议受理地点")}
