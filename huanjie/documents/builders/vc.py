"""Builders of the villager-committee election's documents: D15–D27 and its tallies (D13)."""

from __future__ import annotations

import datetime as dt

from huanjie.documents.builders.base import builder, by_name, entries, ratio_text, stroke_sorted
from huanjie.documents.chinese_dates import chinese_count
from huanjie.documents.identity import birth_and_sex
from huanjie.documents.source import Source
from huanjie.steps.checks.lists import handover_items

NAME = {"name": ("姓名", "text")}
POSTS = ("主任", "副主任", "委员")


def _committee(src: Source) -> dict:
    return {"committee": src.issuer("election_committee").name,
            "election_day": src.need("V2.3", "election_day", "选举日", "date"),
            "term": src.need("V2.3", "term", "届次", "int")}


@builder("D15", issuer="election_committee")
def d15(src: Source) -> dict:
    members = entries(src, "V1.2", "election_committee", "村民选举委员会成员", NAME)
    chair = src.need("V1.3", "chair", "主任")
    names = [m["name"] for m in members if m["name"] != chair]
    window = src.profile["election_committee_objection_days"]
    end = (src.milestones.get("V1.3") or {}).get("objection_window_end", {}).get("due")
    return {"committee": src.issuer("election_committee").name, "chair": chair,
            "members": stroke_sorted(src, names, manual_order=None, field="V1.2.election_committee"),
            "meeting_type": src.need("V1.2", "meeting_type", "推选方式（推选会议）"),
            "meeting_members": src.need("V1.2", "meeting_members", "应到人数", "int"),
            "meeting_present": src.need("V1.2", "meeting_present", "实到人数", "int"),
            "window": window, "window_end": dt.date.fromisoformat(end) if end else None}


@builder("D16")
def d16(src: Source) -> dict:
    p = src.profile
    return {"committee": src.issuer("election_committee").name,
            "seats": src.need("V2.2", "seats_by_post", "职数", "dict"),
            "women": src.need("V2.2", "women_seats", "妇女成员名额", "int"),
            "adopted_by": src.need("V2.2", "adopted_by", "通过会议"),
            "mobile_box": src.need("V2.2", "mobile_box", "是否设流动票箱", "bool"),
            "proxy_allowed": src.need("V2.2", "proxy_allowed", "是否允许委托投票", "bool"),
            "valid": ratio_text(p["vc_valid"]), "elected": ratio_text(p["vc_elected"]),
            "revote_min": p["vc_revote_min"].text(), "revote_days": p["revote_latest_days_after"],
            "proxy_max": p["proxy_max_principals"], "proxy_days": p["proxy_filing_days_before"],
            "mobile_min": p["mobile_box_scrutineers_min"], "vacancy_min": p["vacancy_min_members"],
            "source": p.cite("vc_valid")}


@builder("D17", issuer="election_committee")
def d17(src: Source) -> dict:
    return {**_committee(src), "term": src.need("V2.3", "term", "届次", "int"),
            "place": src.need("V2.3", "registration_place", "登记地点"),
            "reg_from": src.need("V2.3", "registration_from", "登记开始日期", "date"),
            "reg_to": src.need("V2.3", "registration_to", "登记结束日期", "date"),
            "min_age": src.profile["voter_min_age"]}


def _voters(src: Source) -> list[dict]:
    return entries(src, "V3.1", "voters", "选民名单",
                   {**NAME, "id": ("身份证号", "text"), "group": ("村民小组", "int")})


@builder("D18", issuer="election_committee")
def d18(src: Source) -> dict:
    voters = _voters(src)
    groups: dict[int, list[dict]] = {}
    for v in voters:
        number = src.person_id(v["id"], v["name"], "V3.1.voters")
        _, sex = birth_and_sex(number) if number else (None, "")
        group = groups.setdefault(v["group"], [])
        group.append({**v, "sex": sex, "seq": len(group) + 1})
    end = (src.milestones.get("V3.3") or {}).get("objection_window_end", {}).get("due")
    if end is None:
        src.problems.append(_problem("V3.3 的异议期满日（objection_window_end）尚未计算", "V3.3.milestones"))
    return {**_committee(src), "groups": [{"group": g, "voters": groups[g]} for g in sorted(groups)],
            "total": len(voters), "window": src.profile["voter_objection_window_days"],
            "decision_days": src.profile["objection_decision_days"],
            "window_end": dt.date.fromisoformat(end) if end else src.day, "source": src.profile.cite(
                "voter_objection_window_days")}


def _problem(message: str, field: str):
    from huanjie.errors import Problem

    return Problem(message, field=field)


@builder("D19", issuer="election_committee")
def d19(src: Source) -> dict:
    rows = entries(src, "V3.3", "objections", "申诉", {"subject": ("申诉人及申诉事项", "text"),
                   "received": ("收到日期", "date"), "decision": ("处理决定", "text"), "decided": ("处理日期", "date")},
                   allow_empty=True)
    return {**_committee(src), "rows": rows}


@builder("D20")
def d20(src: Source) -> dict:
    voters = _voters(src)
    cards = [{"number": f"{src.village.code}-{i:04d}", "name": v["name"], "group": v["group"]}
             for i, v in enumerate(voters, start=1)]
    return {**_committee(src), "cards": cards,
            "issued": src.need("V3.4", "voter_cards_issued", "发放选民证数", "int")}


def candidates(src: Source) -> list[dict]:
    step = "V4.4" if src.has("V4.4") else "V4.3"
    return entries(src, step, "vc_candidates", "正式候选人", {**NAME, "post": ("职务", "text")})


def _by_post(src: Source, people: list[dict], field: str) -> list[dict]:
    manual = src.optional("V4.3", "manual_order") or {}
    return [{"post": post, "names": stroke_sorted(src, [c["name"] for c in people if c["post"] == post],
                                                  manual_order=manual.get(post), field=field)}
            for post in POSTS if any(c["post"] == post for c in people)]


@builder("D21", issuer="election_committee")
def d21(src: Source) -> dict:
    people = candidates(src)
    raw = by_name(src.need("V4.3", "vc_candidates", "正式候选人", "list"))
    groups = _by_post(src, people, "V4.3.vc_candidates")
    for group in groups:
        group["people"] = []
        for name in group["names"]:
            number = src.person_id(raw.get(name, {}).get("id"), name, "V4.3.vc_candidates")
            born, sex = birth_and_sex(number) if number else (None, "")
            group["people"].append({"name": name, "id": number, "sex": sex,
                                    "born": f"{born.year}年{born.month}月" if born else ""})
    days = (src.anchors["D_V"] - src.day).days
    return {**_committee(src), "groups": groups, "days_before": days,
            "min_days": src.profile["candidate_list_publish_days_before"],
            "source": src.profile.cite("candidate_list_publish_days_before")}


@builder("D22", issuer="election_committee")
def d22(src: Source) -> dict:
    rows = entries(src, "V5.2", "proxies", "委托投票", {"principal": ("委托人", "text"), "proxy": ("受委托人", "text"),
                   "relation": ("关系", "text")}, allow_empty=True)
    raw = src.optional("V5.2", "proxies") or []
    for i, row in enumerate(rows):  # the day of the proxy, when recorded (optional in the fact schema)
        filed = raw[i].get("filed_on") if i < len(raw) and isinstance(raw[i], dict) else None
        row["filed_on"] = src.item(raw[i], "filed_on", "委托日期", f"V5.2.proxies[{i + 1}]", "date") if filed else None
    return {**_committee(src), "rows": rows, "max": src.profile["proxy_max_principals"],
            "proxy_days": src.profile["proxy_filing_days_before"]}


@builder("D23", issuer="election_committee")
def d23(src: Source) -> dict:
    staff = entries(src, "V5.3", "vote_staff", "选举工作人员", {**NAME, "role": ("分工", "text")})
    roles: dict[str, list[str]] = {}
    for s in staff:
        roles.setdefault(s["role"], []).append(s["name"])
    boxes = entries(src, "V5.3", "mobile_boxes", "流动票箱", {**NAME, "scrutineers": ("监票人", "list")},
                    allow_empty=True)
    return {**_committee(src), "hall": src.need("V5.3", "central_hall", "中心会场"),
            "hours": src.need("V5.3", "voting_hours", "投票时间"),
            "stations": entries(src, "V5.3", "stations", "投票站", {**NAME, "place": ("地点", "text")},
                                allow_empty=True),
            "boxes": boxes, "route": src.need("V5.3", "mobile_route", "流动票箱路线") if boxes else "",
            "count_time": src.need("V5.3", "count_time", "计票时间"),
            "count_place": src.need("V5.3", "count_place", "计票地点"),
            "roles": [{"role": r, "names": n} for r, n in roles.items()]}


@builder("D24")
def d24(src: Source) -> dict:
    if src.step == "V7.2":
        people = entries(src, "V7.1", "revote_candidates", "另行选举候选人", {**NAME, "post": ("职务", "text")})
        seats = src.need("V7.1", "revote_seats", "另行选举职数", "dict")
    else:
        people = candidates(src)
        seats = src.need("V2.2", "seats_by_post", "职数", "dict")
    groups = _by_post(src, people, "V4.3.vc_candidates")
    for g in groups:
        g["seats"] = seats.get(g["post"], 0)
    return {**_committee(src), "groups": groups, "revote": src.step == "V7.2"}


def mandate_end(src: Source) -> dt.date | None:
    """The day the 村民选举委员会's mandate ended (V9.3 recorded with it), if it has."""
    facts = src.facts.get("V9.3") or {}
    if facts.get("committee_mandate_ended") and facts.get("date"):
        try:
            return dt.date.fromisoformat(facts["date"])
        except (TypeError, ValueError):
            return None
    return None


def tally_vc(src: Source) -> dict:
    staff = by_role(src)
    if src.step == "V7.2":
        rows = entries(src, "V7.2", "revote_results", "另行选举得票",
                       {**NAME, "post": ("职务", "text"), "votes": ("得票数", "int"), "elected": ("是否当选", "bool")},
                       allow_empty=True)
        cast = src.need("V7.2", "revote_ballots_cast", "收回票数", "int")
        return {"kind": "另行选举", "registered": src.need("V3.2", "registered_voters", "登记选民数", "int"),
                "issued": src.need("V7.2", "revote_ballots_issued", "发出票数", "int"), "returned": cast,
                "valid": src.need("V7.2", "revote_ballots_valid", "有效票", "int"),
                "void": src.need("V7.2", "revote_ballots_void", "无效票", "int"), "rows": rows, **staff}
    rows = entries(src, "V6.2", "vc_results", "选举结果",
                   {**NAME, "post": ("职务", "text"), "votes": ("得票数", "int"), "elected": ("是否当选", "bool")})
    return {"kind": "村民委员会选举", "registered": src.need("V3.2", "registered_voters", "登记选民数", "int"),
            "issued": src.need("V6.2", "ballots_issued", "发出票数", "int"),
            "returned": src.need("V6.2", "ballots_cast", "收回票数", "int"),
            "valid": src.need("V6.2", "ballots_valid", "有效票", "int"),
            "void": src.need("V6.2", "ballots_void", "无效票", "int"), "rows": rows, **staff}


def by_role(src: Source) -> dict:
    staff = entries(src, "V5.3", "vote_staff", "选举工作人员", {**NAME, "role": ("分工", "text")})
    return {"scrutineers": [s["name"] for s in staff if s["role"] == "监票"],
            "tellers": [s["name"] for s in staff if s["role"] == "计票"], "org": src.issuer("election_committee").name}


RESULT_KINDS = {"V6.2": "村民委员会成员", "V7.1": "另行选举", "V7.3": "另行选举", "V8.1": "村民代表",
                "V8.2": "村民小组长", "V8.3": "村务监督委员会成员"}


@builder("D25", issuer="election_committee")
def d25(src: Source) -> dict:
    step, fields = src.step, {**NAME, "votes": ("得票数", "int")}
    base = {**_committee(src), "step": step, "what": RESULT_KINDS[step]}
    ended = mandate_end(src)
    if ended is not None and ended < src.day:  # the 选委会 is gone: the new 村民委员会 announces
        base.update(committee=src.issuer("village_committee").name, issuer_body="village_committee")
    if step == "V6.2":
        rows = [r for r in entries(src, step, "vc_results", "选举结果", {**fields, "post": ("职务", "text"),
                                   "elected": ("是否当选", "bool")}) if r["elected"]]
        return {**base, "rows": rows, "cast": src.need(step, "ballots_cast", "参加投票人数", "int"),
                "registered": src.need("V3.2", "registered_voters", "登记选民数", "int")}
    if step == "V7.1":
        return {**base, "revote_day": src.need("V7.1", "revote_day", "另行选举日期", "date"),
                "rows": entries(src, "V7.1", "revote_candidates", "另行选举候选人", {**NAME, "post": ("职务", "text")})}
    if step == "V7.3":
        rows = [r for r in entries(src, "V7.2", "revote_results", "另行选举结果", {**fields, "post": ("职务", "text"),
                                   "elected": ("是否当选", "bool")}, allow_empty=True) if r["elected"]]
        return {**base, "rows": rows}
    if step == "V8.1":
        rows = entries(src, step, "representative_results", "村民代表", {**fields, "group": ("村民小组", "int")})
        # 第三村民小组, as the voter list (D18) and the voter cards (D20) name the groups
        return {**base, "rows": [{**r, "post": f"第{chinese_count(r['group'])}村民小组村民代表"} for r in rows]}
    if step == "V8.2":
        rows = entries(src, step, "group_leader_results", "村民小组长", {**fields, "group": ("村民小组", "text")})
        return {**base, "rows": [{**r, "post": f"{r['group']}组长"} for r in rows]}
    rows = entries(src, step, "supervisory_results", "村务监督委员会", {**fields, "post": ("职务", "text")})
    return {**base, "rows": rows}


@builder("D26")
def d26(src: Source) -> dict:
    results = by_name(src.need("V6.2", "vc_results", "选举结果", "list"))
    certs = []
    for i, name in enumerate(src.need("V6.3", "certificates", "颁发当选证书名单", "list"), start=1):
        post = (results.get(name) or {}).get("post")
        if post is None:
            src.problems.append(_problem(f"当选证书名单中的“{name}”不在选举结果（V6.2）中", "V6.3.certificates"))
        certs.append({"name": name, "post": post or "", "number": f"{src.village.code}-{src.day.year}-{i:02d}"})
    term = src.need("V2.3", "term", "届次", "int")
    return {**_committee(src), "certs": certs, "term": term,
            "issuer_name": src.need("V6.3", "certificate_issuer", "颁发机关")}


@builder("D27")
def d27(src: Source) -> dict:
    items = handover_items()
    rows = []
    for i, e in enumerate(src.need("V9.1", "handover", "移交事项", "list")):
        item = items.find(e.get("item", "")) if isinstance(e, dict) else None
        if item is None:
            src.problems.append(_problem(f"第 {i + 1} 项移交事项“{e}”不是移交清单的条目", "V9.1.handover"))
            continue
        # the content column says what is handed over, never the item's name again
        detail = e.get("detail") or (item.title if item.title != item.short else "")
        rows.append({"item": item.short, "detail": detail})
    return {**_committee(src), "rows": rows, "source": items.source,
            "chair": src.need("V9.1", "chair", "主持人"), "supervisor": src.need("V9.1", "supervisor", "监交人"),
            "outgoing": src.need("V9.1", "outgoing", "移交人"), "incoming": src.need("V9.1", "incoming", "接收人")}
