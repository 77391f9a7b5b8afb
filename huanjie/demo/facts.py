"""Facts a village's staff record for each of the 47 steps: consistent, lawful, realistic.

``StepFacts(cast, env).for_step(key, on)`` gives facts that pass the step's checks; the
``variant`` argument makes the known failures of the district reports (a missed quorum).
The demo and the engine's tests use these; documents render from them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from huanjie.demo.cast import Cast, Person
from huanjie.documents.chinese_dates import chinese_count

SEATS = {"主任": 1, "副主任": 1, "委员": 3}
REVIEW_DEPARTMENTS = ["纪委监委", "组织部", "公安", "法院", "检察院", "民政", "信访"]


class StepFacts:
    def __init__(self, cast: Cast, env, village: dict) -> None:
        self.cast, self.env, self.village = cast, env, village
        members = cast.members
        self.excluded = members[-1:]                       # one member working far away
        self.voting_members = members[:-1]
        self.party_candidates = self.voting_members[:6]    # 5 seats + ceil(5/5)
        self.party_elected = self.party_candidates[:5]
        self.party_staff = self.voting_members[6:11]       # 监票人 and 计票人 of the Party meetings
        taken = {p.name for p in members + cast.probationary}
        others = [p for p in cast.villagers if p.name not in taken]
        men = [p for p in others if not p.woman]
        women = [p for p in others if p.woman]
        self.committee = others[:5]                          # 村民选举委员会
        busy = {p.name for p in self.committee}
        free_men = [p for p in men if p.name not in busy]
        free_women = [p for p in women if p.name not in busy]
        self.vc_candidates = (
            [(self.party_candidates[0], "主任"), (free_men[0], "主任"),
             (free_men[1], "副主任"), (free_women[0], "副主任"),
             (free_women[1], "委员"), (free_men[2], "委员"), (free_men[3], "委员"), (free_women[2], "委员")]
        )
        used = busy | {p.name for p, _ in self.vc_candidates}
        self.staff = [p for p in others if p.name not in used][:8]
        used |= {p.name for p in self.staff}
        self.supervisors = [p for p in others if p.name not in used][:3]
        self.spare = [p for p in others if p.name not in used | {s.name for s in self.supervisors}]

    # ------------------------------------------------------------------ helpers
    def for_step(self, key: str, on: dt.date, variant: str | None = None) -> dict[str, Any]:
        method = getattr(self, "f_" + key.replace(".", "_"))
        facts = method(on, variant) if variant else method(on)
        return {"date": on.isoformat(), **facts}

    @property
    def d_p(self) -> dt.date:
        return self.env.anchors["D_P"]

    @property
    def d_v(self) -> dt.date:
        return self.env.anchors["D_V"]

    @staticmethod
    def names(people: list[Person]) -> list[str]:
        return [p.name for p in people]

    def voters(self) -> list[Person]:
        return self.cast.villagers

    def _people(self, people: list[Person], **extra) -> list[dict]:
        return [{"name": p.name, "id": p.id, "relatives": [], **extra} for p in people]

    # ------------------------------------------------------------------ Party P1–P6
    def f_P1_1(self, on):
        return {"risk_level": "green", "assessment": "班子团结，村情稳定，换届风险低"}

    def f_P1_2(self, on):
        start = on - dt.timedelta(days=20)
        return {
            "audit_items": ["finance", "debts", "public_funds", "contracts", "assets", "requested"],
            "audit_publicity_periods": [
                {"start": start.isoformat(), "end": (start + dt.timedelta(days=6)).isoformat()},
                {"start": (start + dt.timedelta(days=8)).isoformat(), "end": (start + dt.timedelta(days=14)).isoformat()},
            ],
            "vc_election_day": self.d_v.isoformat(),
            "audit_period": f"{self.d_v.year - 5}年1月至{self.d_v.year}年6月",
            "objection_place": "乡镇纪委或乡镇农村集体经济审计组",
            "audited": [{"name": self.cast.villagers[-20].name, "post": "原村民委员会主任"}],
            "audit_result": "财务收支基本规范，债权债务清楚，未发现违纪违规问题",
            "audit_body": "乡镇农村集体经济审计组",
        }

    def f_P1_3(self, on):
        return {"plan": "一村一策：加强班子建设，做好人选储备", "soft_and_lax": False}

    def f_P2_1(self, on):
        return {"formal_members": len(self.cast.members), "committee_seats": 5, "secretary_seats": 1,
                "deputy_secretary_seats": 1, "meeting_date": self.d_p.isoformat(),
                "party_org": f"中共{self.village['name']}支部委员会",
                "agenda": ["听取和审查村党组织工作报告", "选举新一届村党组织委员会"]}

    def f_P2_2(self, on):
        return {"on_time": True, "meeting_date": self.d_p.isoformat(), "committee_seats": 5,
                "nomination_method": "两推一选", "election_method": "差额选举",
                # 签发人 and 联系人 of the village's 请示 (GB/T 9704-2012 7.2.6, 7.3.7): the sitting secretary
                "signer": self.party_candidates[0].name, "contact": self.party_candidates[0].name,
                "contact_phone": "0571-88881234"}

    def f_P2_3(self, on):
        return {"approved_items": ["召开党员大会", "委员名额5名", "书记1名", "副书记1名", "两推一选"]}

    def f_P3_1(self, on):
        members = [{"name": p.name, "id": p.id, "category": "正式", "voting": True} for p in self.cast.members]
        members += [{"name": p.name, "id": p.id, "category": "预备", "voting": False} for p in self.cast.probationary]
        return {"members": members, "meeting_date": self.d_p.isoformat(), "meeting_place": "村党群服务中心",
                "recommend_method": "党员推荐和群众推荐", "margin": "差额不少于20%"}

    def f_P3_2(self, on):
        return {"exclusions": [{"name": p.name, "case": "away_unmoved", "approved": True} for p in self.excluded],
                "expected_voters": len(self.voting_members)}

    def f_P3_3(self, on):
        people = self.party_candidates + self.staff[:3]
        return {"pledges": [{"name": p.name, "role": "候选人" if p in self.party_candidates else "工作人员",
                             "signed": True} for p in people]}

    def f_P4_1(self, on):
        expected = len(self.voting_members)
        present = expected - 2
        return {
            "recommend_meetings": [{"kind": "党员推荐", "expected": expected, "present": present},
                                   {"kind": "群众推荐", "expected": 60, "present": 52}],
            "recommend_ballots_cast": present,
            "committee_seats": 5,
            "party_candidates": [{"name": p.name, "votes": present - 3 - i} for i, p in enumerate(self.party_candidates)],
            "recommend_ballots_issued": present, "recommend_ballots_returned": present,
            "recommend_ballots_valid": present - 1, "recommend_ballots_void": 1,
            "scrutineers": self.names(self.party_staff[:3]), "tellers": self.names(self.party_staff[3:5]),
        }

    def reviewed_on(self) -> dt.date:
        """The 资格联审 and 考察: the first workday after the 推荐 (P4.1), ahead of the 请示 that reports them."""
        day = self.env.plan()["P4.1"].due + dt.timedelta(days=1)
        while not self.env.calendar.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def f_P4_2(self, on):
        return {
            "date": min(on, self.reviewed_on()).isoformat(),
            "reviews": [{"name": p.name, "departments": REVIEW_DEPARTMENTS, "findings": [], "township_approved": True,
                         "listed": True} for p in self.party_candidates],
            "inspections": [{"name": p.name, "participants": 30, "disagree": 1, "listed": True}
                            for p in self.party_candidates],
        }

    def f_P4_3(self, on):
        cal = self.env.calendar
        # 联审 → 请示 the next day → 批复 the day after → 公示 from the following day, five working days
        request = min(on, self.reviewed_on() + dt.timedelta(days=1))
        approval = min(on, request + dt.timedelta(days=1))
        start = min(on, approval + dt.timedelta(days=1))
        end = cal.add_workdays(start, 5).date
        workdays = sum(cal.is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))
        return {"request_date": request.isoformat(), "approval_date": approval.isoformat(),
                "publicity_start": start.isoformat(), "publicity_end": end.isoformat(),
                "publicity_workdays": workdays, "party_election_day": self.d_p.isoformat(), "complaints": [],
                "preliminary": [{"name": p.name, "post": "委员"} for p in self.party_candidates],
                "report_place": "乡镇纪委、组织办",
                "officer_preliminary": [{"name": self.party_candidates[0].name, "post": "书记"},
                                        {"name": self.party_candidates[1].name, "post": "副书记"}],
                "candidate_profiles": [{"name": p.name, "id": p.id, "education": ("高中", "大专", "本科")[i % 3],
                                        "position": "村党组织委员" if i < 3 else "村民小组长"}
                                       for i, p in enumerate(self.party_candidates)]}

    def f_P5_1(self, on):
        # the Party meeting's 监票人/计票人 are voting members who are not candidates
        return {"scrutineers": self.names(self.party_staff[:3]), "tellers": self.names(self.party_staff[3:5]),
                "party_candidates": [{"name": p.name, "votes": 0} for p in self.party_candidates],
                "election_rules_adopted": True, "ballots_printed": len(self.voting_members)}

    def f_P5_2(self, on, variant=None):
        expected = len(self.voting_members)
        present = expected - 2
        if variant == "quorum_fails":
            present = expected * 4 // 5  # at most four fifths: not more than 4/5
        votes = [present - 2 - i for i in range(5)] + [present // 3]
        return {"expected_voters": expected, "present_voters": present, "committee_seats": 5,
                "ballots_issued": present, "ballots_returned": present, "ballots_valid": present, "ballots_void": 0,
                "party_candidates": [{"name": p.name, "votes": v} for p, v in zip(self.party_candidates, votes)],
                "party_elected": self.names(self.party_elected)}

    def f_P5_3(self, on):
        return {"party_elected": self.names(self.party_elected), "committee_present": 5,
                "officers": [{"name": self.party_elected[0].name, "post": "书记", "votes": 5, "elected": True},
                             {"name": self.party_elected[1].name, "post": "副书记", "votes": 5, "elected": True}],
                "officer_ballots_issued": 5, "officer_ballots_returned": 5, "officer_ballots_valid": 5,
                "officer_ballots_void": 0}

    def f_P6_1(self, on):
        return {"report_sent": True, "division_of_work": {p.name: d for p, d in zip(
            self.party_elected, ["书记", "副书记", "组织委员", "宣传委员", "纪检委员"])}}

    def f_P6_2(self, on):
        return {"approved": True, "filed_with": "县委组织部"}

    def f_P6_3(self, on):
        return {"archived": ["D01", "D02", "D03", "D04", "D05", "D06", "D07", "D08", "D10", "D11", "D12", "D13",
                             "ballots", "minutes"], "handover_done": True}

    # ------------------------------------------------------------------ Villager committee V1–V9
    def f_V1_1(self, on):
        return {"election_committee": self._people(self.committee)}

    def f_V1_2(self, on):
        return {"meeting_type": "村民代表会议", "meeting_members": 45, "meeting_present": 41,
                "election_committee": self._people(self.committee)}

    def f_V1_3(self, on):
        return {"published": True, "chair": self.committee[0].name, "filed_with_township": True}

    def f_V2_1(self, on):
        return {"seats_by_post": dict(SEATS), "women_seats": 1, "minority_village": False}

    def f_V2_2(self, on):
        return {"adopted_by": "村民代表会议", "seats_by_post": dict(SEATS), "women_seats": 1,
                "mobile_box": True, "proxy_allowed": True}

    def f_V2_3(self, on):
        return {"term": 12, "election_day": self.d_v.isoformat(), "registration_place": "村委会办公室",
                "registration_from": on.isoformat(), "registration_to": (on + dt.timedelta(days=5)).isoformat()}

    def f_V3_1(self, on):
        voters = [{"name": p.name, "id": p.id, "birth_date": p.birth_date, "category": 1, "group": p.group,
                   "deprived": False} for p in self.voters()]
        return {"voters": voters, "vc_election_day": self.d_v.isoformat(), "registered_voters": len(voters)}

    def f_V3_2(self, on):
        return {"published": True, "registered_voters": len(self.voters())}

    def f_V3_3(self, on):
        # received the day after the list's publication (its planned day), decided within the limit
        published = self.env.plan()["V3.2"].due
        received = min(on, published + dt.timedelta(days=1))
        decided = min(on, self.env.calendar.period_end(received, self.env.profile["objection_decision_days"]).date)
        # the result is published on the day it is decided (组织法 14: 三日内作出处理决定，并公布处理结果)
        return {"date": decided.isoformat(),
                "objections": [{"subject": f"{self.spare[0].name}：本人户籍在本村，未被登记",
                                "received": received.isoformat(), "decision": "补充登记",
                                "decided": decided.isoformat()}]}

    def f_V3_4(self, on):
        n = len(self.voters())
        return {"registered_voters": n, "voter_cards_issued": n}

    def f_V4_1(self, on):
        slips = []
        for i, voter in enumerate(self.voters()[:40]):
            by_post: dict[str, list[str]] = {}
            for person, post in self.vc_candidates:
                by_post.setdefault(post, [])
                if len(by_post[post]) < SEATS[post] and (i + len(by_post[post])) % 2 == 0:
                    by_post[post].append(person.name)
            slips.append({"nominator": voter.name, "by_proxy": False, "nominees": by_post, "void": False})
        return {"nomination_slips": slips, "seats_by_post": dict(SEATS)}

    def f_V4_2(self, on):
        return {"reviews": [{"name": p.name, "departments": REVIEW_DEPARTMENTS, "findings": [],
                             "township_approved": True, "listed": True} for p, _ in self.vc_candidates]}

    def candidates(self) -> list[dict]:
        return [{"name": p.name, "id": p.id, "post": post, "relatives": [], "woman": p.woman}
                for p, post in self.vc_candidates]

    def f_V4_3(self, on):
        return {"vc_candidates": self.candidates(), "seats_by_post": dict(SEATS),
                "election_committee": self._people(self.committee), "committee_withdrawn": []}

    def f_V4_4(self, on):
        return {"withdrawals": [], "replacements": [], "vc_candidates": self.candidates(),
                "nomination_tally": [{"name": c["name"], "post": c["post"], "votes": 20} for c in self.candidates()]}

    def f_V5_1(self, on):
        return {"meetings_held": 2, "place": "村文化礼堂", "plans_presented": True}

    def f_V5_2(self, on):
        voters = self.voters()
        # filed on the 选举办法's last day (选举日 N 日前, the profile's proxy_filing_days_before), so that the
        # 委托日期 printed on D22 agrees with the 办法 whatever day the election was moved to
        filed = min(on, self.env.calendar.latest_before(self.d_v, self.env.profile["proxy_filing_days_before"]).date)
        proxies = [{"principal": voters[-1 - i].name, "proxy": voters[-10 - i].name, "relation": "配偶",
                    "away": True, "filed_on": filed.isoformat()} for i in range(3)]
        return {"proxies": proxies}

    def f_V5_3(self, on):
        roles = ["唱票", "计票", "计票", "监票", "监票", "监票", "代写", "代写"]
        return {"vote_staff": [{"name": p.name, "role": r, "relatives": []} for p, r in zip(self.staff, roles)],
                "mobile_boxes": [{"name": "流动票箱一（行动不便选民）",
                                  "scrutineers": self.names(self.staff[3:6])}],
                "central_hall": "村文化礼堂", "voting_hours": "08:00-12:00",
                "stations": [{"name": "第一投票站", "place": "村老年活动中心"}],
                "mobile_route": "村委会—敬老院—各行动不便选民家中—中心会场", "count_time": "12:30",
                "count_place": "村文化礼堂"}

    def f_V6_1(self, on):
        n = len(self.voters())
        return {"ballots_issued": n - 10, "registered_voters": n}

    def results(self, cast: int) -> list[dict]:
        elected_posts = {"主任": 1, "副主任": 1, "委员": 3}
        rows = []
        for i, c in enumerate(self.candidates()):
            post = c["post"]
            wins = elected_posts[post] > 0
            elected_posts[post] -= wins
            votes = cast * 3 // 4 - i if wins else cast // 5
            rows.append({"name": c["name"], "id": c["id"], "post": post, "votes": votes, "elected": wins,
                         "gave_way": False, "relatives": []})
        return rows

    def f_V6_2(self, on):
        n = len(self.voters())
        cast = n - 12
        return {"ballots_issued": n - 10, "ballots_cast": cast, "ballots_valid": cast - 3, "ballots_void": 3,
                "vc_results": self.results(cast), "seats_by_post": dict(SEATS)}

    def f_V6_3(self, on):
        return {"certificates": [r["name"] for r in self.results(len(self.voters()) - 12) if r["elected"]],
                "filed": True, "certificate_issuer": f"{self.village['name']}村民选举委员会"}

    def f_V7_1(self, on):
        losers = [r for r in self.results(len(self.voters()) - 12) if not r["elected"] and r["post"] == "委员"]
        return {"revote_decided": True, "revote_day": (on + dt.timedelta(days=7)).isoformat(),
                "revote_seats": {"委员": 1}, "revote_candidates": [{"name": r["name"], "post": "委员"} for r in losers[:2]]}

    def f_V7_2(self, on):
        return {"revote_results": [], "revote_ballots_cast": 0}

    def f_V7_3(self, on):
        return {"announced": True}

    def f_V8_1(self, on):
        # 1 per 5-15 households, and at least 4/5 of the 代表会议 (组织法 25)
        reps = min(max(4 * sum(SEATS.values()), self.village["households"] // 10), self.village["households"] // 5)
        total = reps + sum(SEATS.values())  # the 代表会议 is the representatives plus the committee
        people = self.spare[-reps:]
        return {"representatives": reps, "women_representatives": (total + 2) // 3,
                "representative_method": "按户",
                "representative_results": [{"name": p.name, "group": p.group, "votes": 40 - i % 7}
                                           for i, p in enumerate(people)]}

    def f_V8_2(self, on):
        meetings = []
        for g in range(1, self.village["groups"] + 1):
            adults = 60
            meetings.append({"group": f"第{chinese_count(g)}村民小组", "adults": adults, "adults_present": 45,
                             "households": 30, "households_present": 24, "leader": self.spare[g].name})
        return {"group_meetings": meetings,
                "group_leader_results": [{"group": m["group"], "name": m["leader"], "votes": 40} for m in meetings]}

    def f_V8_3(self, on):
        return {"supervisory_committee": [{"name": p.name, "id": p.id, "relatives": [], "accounting": i == 0}
                                          for i, p in enumerate(self.supervisors)],
                "supervisory_results": [{"name": p.name, "post": "主任" if i == 0 else "委员", "votes": 35 - i}
                                        for i, p in enumerate(self.supervisors)]}

    def f_V9_1(self, on):
        items = {"印章": "村民委员会印章1枚、财务专用章1枚", "办公场所": "村委会办公楼一幢及办公用品（清册附后）",
                 "账目": f"{self.d_v.year - 5}年至{self.d_v.year}年会计凭证、账簿和报表", "资产": "集体资产清册一份（附后）",
                 "档案": "村务档案、合同和选举档案（目录附后）", "债权债务": "债权债务清单一份（附后）"}
        return {"handover": [{"item": i, "detail": d, "outgoing_signed": True, "incoming_signed": True}
                             for i, d in items.items()],
                "chair": self.committee[0].name, "supervisor": "陈建华（乡镇党委委员）",  # a person signs, not a body
                "outgoing": self.cast.villagers[-20].name, "incoming": self.vc_candidates[0][0].name}

    def f_V9_2(self, on):
        return {"archived": ["D12", "D13", "D15", "D16", "D17", "D18", "D19", "D21", "D22", "D23", "D25", "D26",
                             "D27", "ballots"]}

    def f_V9_3(self, on):
        return {"summary": "换届工作总结已报乡镇备案", "committee_mandate_ended": True}
