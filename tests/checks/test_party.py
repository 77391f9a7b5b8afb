"""Example tests of the Party election's checks (P1.1–P6.3): pass, fail and the Chinese message."""

from __future__ import annotations

from huanjie.rules import Ratio
from tests.checks.support import messages, run, with_params


def test_risk_level_set():
    assert run("risk_level_set", {"risk_level": "yellow"}) == []
    [message] = messages("risk_level_set", {"risk_level": "橙"})
    assert "风险等级“橙”无效" in message and "green（绿）" in message


AUDIT_ALL = ["finance", "debts", "public_funds", "contracts", "assets", "requested"]


def test_audit_items_complete_accepts_keys_and_chinese_names():
    assert run("audit_items_complete", {"audit_items": AUDIT_ALL}) == []
    assert run("audit_items_complete", {"audit_items": ["财务收支", *AUDIT_ALL[1:]]}) == []
    [message] = messages("audit_items_complete", {"audit_items": AUDIT_ALL[:4]})
    assert "缺少 2 项事项" in message and "征地补偿费" in message and "第三十五条" in message


def test_audit_publicity_twice_five_days_before_the_election():
    ok = [{"start": "2026-06-01", "end": "2026-06-05"}, {"start": "2026-07-01", "end": "2026-07-05"}]
    assert run("audit_publicity", {"audit_publicity_periods": ok, "vc_election_day": "2026-10-12"}) == []
    short = [ok[0], {"start": "2026-07-01", "end": "2026-07-04"}]
    found = messages("audit_publicity", {"audit_publicity_periods": short})
    assert any("共 4 天，不足 5 天" in m for m in found)
    assert any("满 5 天的公示共 1 次，不足 2 次" in m for m in found)
    late = messages("audit_publicity", {"audit_publicity_periods": ok, "vc_election_day": "2026-07-05"})
    assert late == ["第 2 次公示至 2026-07-05 结束，离任经济责任审计结果须在村委会选举日 2026-07-05 之前公布（《村民委员会组织法》第三十五条）"]


def test_party_committee_seats():
    assert run("party_committee_seats", {"formal_members": 30, "committee_seats": 5}) == []
    assert run("party_committee_seats", {"formal_members": 6, "committee_seats": 0}) == []
    [few] = messages("party_committee_seats", {"formal_members": 6, "committee_seats": 3})
    assert "正式党员 6 人，不足 7 人" in few and "只选书记" in few and "支部工作条例" in few
    [many] = messages("party_committee_seats", {"formal_members": 40, "committee_seats": 9})
    assert "委员名额 9 名，须为 3 至 7 人" in many


def _member(name, category="正式", suspended=None, voting=True):
    return {"name": name, "category": category, "suspended": suspended, "voting": voting}


def test_party_voting_rights():
    members = [_member("甲"), _member("乙"), _member("丙", "预备", voting=False), _member("丁", suspended="留置", voting=False)]
    assert run("party_voting_rights", {"members": members}) == []
    wrong = [_member("甲", "预备党员"), _member("乙", suspended="留党察看"), _member("丙", voting=False), _member("丁", suspended="逮捕")]
    found = messages("party_voting_rights", {"members": wrong})
    assert found[0] == "预备党员 甲 没有选举权，不得列入有选举权党员名单（《中国共产党基层组织选举工作条例》第五条）"
    assert "留党察看期间没有选举权" in found[1]
    assert "正式党员 丙 有选举权，但未列入" in found[2]
    assert "被依法逮捕" in found[3]


def test_party_exclusions_valid():
    members = [_member(n) for n in "甲乙丙丁戊"] + [_member("己", "预备", voting=False)]
    good = {"members": members, "expected_voters": 4,
            "exclusions": [{"name": "甲", "case": "自费出国半年以上", "approved": True}]}
    assert run("party_exclusions_valid", good) == []
    bad = {"members": members, "expected_voters": 5,
           "exclusions": [{"name": "甲", "case": "外出打工", "approved": True},
                          {"name": "乙", "case": "infirm", "approved": False},
                          {"name": "己", "case": "abroad", "approved": True}]}
    found = messages("party_exclusions_valid", bad)
    assert any("“外出打工”不属于五种情形" in m for m in found)
    assert any("乙 不计入应到会人数未经上级党组织同意" in m for m in found)
    assert any("己 不是有选举权的党员" in m for m in found)
    assert any("应到会有选举权党员应为 3 人（有选举权党员 5 人，不计入 2 人），填报为 5 人" in m for m in found)


def test_discipline_pledges_signed():
    assert run("discipline_pledges_signed", {"pledges": [{"name": "甲", "role": "候选人", "signed": True}]}) == []
    [message] = messages("discipline_pledges_signed", {"pledges": [{"name": "乙", "role": "工作人员", "signed": False}]})
    assert message.startswith("工作人员乙 未签订换届纪律承诺书")
    assert messages("discipline_pledges_signed", {"pledges": []})


def test_party_recommend_attendance_and_support():
    meetings = [{"kind": "党员推荐", "expected": 50, "present": 26}, {"kind": "群众推荐", "expected": 60, "present": 30}]
    [message] = messages("party_recommend_attendance", {"recommend_meetings": meetings})
    assert message == "群众推荐会议到会 30 人，未超过应到会 60 人的二分之一（地方实践）"
    two_thirds = with_params(party_recommend_attendance=Ratio(2, 3, ">="))
    assert len(run("party_recommend_attendance", {"recommend_meetings": meetings}, rules=two_thirds)) == 2
    candidates = [{"name": "甲", "votes": 31}, {"name": "乙", "votes": 30}]
    assert run("party_recommend_support", {"recommend_ballots_cast": 60, "party_candidates": candidates[:1]}) == []
    [support] = messages("party_recommend_support", {"recommend_ballots_cast": 60, "party_candidates": candidates})
    assert support == "初步人选 乙 得推荐票 30 张，未超过收回推荐票 60 张的二分之一（地方实践）"


def test_negative_list_passed():
    clean = {"name": "甲", "departments": ["纪委监委", "公安"], "findings": []}
    assert run("negative_list_passed", {"reviews": [clean]}) == []
    barred = {"name": "乙", "departments": ["法院"], "findings": [{"item": "criminal_record", "department": "法院"}]}
    [message] = messages("negative_list_passed", {"reviews": [barred]})
    assert "乙 存在“受过刑事处罚”（法院查实），属不能提名的情形" in message and "十不选" in message
    assert run("negative_list_passed", {"reviews": [{**barred, "listed": False}]}) == []
    doubtful = {"name": "丙", "departments": ["法院"], "findings": [{"item": "dishonest_debtor"}]}
    assert "须经乡镇党委研究同意" in messages("negative_list_passed", {"reviews": [doubtful]})[0]
    assert run("negative_list_passed", {"reviews": [{**doubtful, "township_approved": True}]}) == []
    assert "没有记录参审部门" in messages("negative_list_passed", {"reviews": [{"name": "丁"}]})[0]


def test_negative_list_look_back_period():
    old = {"name": "甲", "departments": ["组织部"], "findings": [{"item": "unqualified_member", "date": "2022-05-31"}]}
    assert run("negative_list_passed", {"reviews": [old], "date": "2026-06-01"}) == []
    recent = {**old, "findings": [{"item": "unqualified_member", "date": "2023-06-01"}]}
    assert run("negative_list_passed", {"reviews": [recent], "date": "2026-06-01"})
    unknown = {**old, "findings": [{"item": "too_tall"}]}
    assert "不是十不选清单的条目" in messages("negative_list_passed", {"reviews": [unknown]})[0]


def test_inspection_disagreement():
    rows = [{"name": "甲", "participants": 20, "disagree": 10}, {"name": "乙", "participants": 20, "disagree": 11}]
    [message] = messages("inspection_disagreement", {"inspections": rows})
    assert message == "乙 考察中不同意 11 人，超过参加考察 20 人的二分之一，不得列为人选（地方实践）"
    rows[1]["listed"] = False
    assert run("inspection_disagreement", {"inspections": rows}) == []


def test_candidate_publicity_period():
    facts = {"publicity_start": "2026-09-28", "publicity_end": "2026-10-10", "publicity_workdays": 5,
             "party_election_day": "2026-10-12"}
    assert run("candidate_publicity_period", facts) == []
    # the working days are counted with the legal calendar, never trusted from the typed number
    [typed] = messages("candidate_publicity_period", {**facts, "publicity_workdays": 6})
    assert "按法定日历共 5 个工作日" in typed
    [short] = messages("candidate_publicity_period", {**facts, "publicity_end": "2026-10-09", "publicity_workdays": None})
    assert short == "预备人选公示 2026-09-28 至 2026-10-09 共 4 个工作日，不足 5 个工作日（地方实践）"
    [late] = messages("candidate_publicity_period", {**facts, "party_election_day": "2026-10-10"})
    assert "前至少 1 天结束" in late


def test_complaints_resolved():
    assert run("complaints_resolved", {"complaints": []}) == []
    done = {"subject": "反映甲年龄", "resolved": True, "result": "经核实属实，已更正"}
    assert run("complaints_resolved", {"complaints": [done]}) == []
    [message] = messages("complaints_resolved", {"complaints": [{"subject": "反映乙拉票", "resolved": False}]})
    assert "“反映乙拉票”尚未查清办结" in message


def test_scrutineers_not_candidates():
    facts = {"scrutineers": ["甲", "乙"], "tellers": [{"name": "丙"}], "party_candidates": [{"name": "丁", "votes": 0}]}
    assert run("scrutineers_not_candidates", facts) == []
    [message] = messages("scrutineers_not_candidates", {**facts, "tellers": ["丁"]})
    assert message.startswith("计票人 丁 是候选人")


MEMBERS = [{"name": n, "category": "正式", "voting": True} for n in ("甲", "乙", "丙", "丁")] + [
    {"name": "戊", "category": "预备", "voting": False},
    {"name": "己", "category": "正式", "voting": False, "suspended": "留党察看"}]


def test_scrutineers_and_tellers_are_voting_members_of_p31s_roll():
    facts = {"scrutineers": ["甲", "乙"], "tellers": ["丙"], "party_candidates": [{"name": "丁", "votes": 0}]}
    case = {"P3.1": {"members": MEMBERS}}
    assert run("scrutineers_not_candidates", facts, case=case, step="P5.1") == []
    [probationary] = messages("scrutineers_not_candidates", {**facts, "scrutineers": ["甲", "戊"]}, case=case)
    assert probationary.startswith("监票人 戊 是预备党员") and "有选举权的党员" in probationary and "第五条" in probationary
    [suspended] = messages("scrutineers_not_candidates", {**facts, "tellers": ["己"]}, case=case)
    assert suspended.startswith("计票人 己 受留党察看处分") and "第五条" in suspended
    [stranger] = messages("scrutineers_not_candidates", {**facts, "tellers": ["庚"]}, case=case)
    assert stranger.startswith("计票人 庚 不在党员名册（步骤 P3.1）中") and "选举工作条例" in stranger
    [candidate] = messages("scrutineers_not_candidates", {**facts, "scrutineers": ["丁", "甲"]}, case=case)
    assert candidate.startswith("监票人 丁 是候选人")  # a candidate is told that, once


ELECTION = {"expected_voters": 50, "present_voters": 45, "committee_seats": 3,
            "party_candidates": [{"name": "甲", "votes": 40}, {"name": "乙", "votes": 30},
                                 {"name": "丙", "votes": 26}, {"name": "丁", "votes": 20}],
            "party_elected": ["甲", "乙", "丙"]}


def test_party_elected():
    assert run("party_elected", ELECTION) == []
    found = messages("party_elected", {**ELECTION, "party_elected": ["甲", "乙", "丁"]})
    assert any("丁 宣布当选委员，但得赞成票 20 张，未超过应到会有选举权党员 50 人的二分之一" in m for m in found)
    assert any("丙 得票 26，应当选委员，但未宣布当选" in m for m in found)


def test_party_elected_with_present_denominator():
    present = with_params(party_threshold_denominator="present")
    facts = {**ELECTION, "party_candidates": [*ELECTION["party_candidates"][:2], {"name": "丙", "votes": 24}],
             "party_elected": ["甲", "乙", "丙"]}
    assert run("party_elected", facts, rules=present) == []  # 24 > 45/2
    assert run("party_elected", facts)  # 24 is not > 50/2


def test_party_elected_shortfall_must_be_handled():
    facts = {**ELECTION, "party_candidates": ELECTION["party_candidates"][:2] + [{"name": "丙", "votes": 25}],
             "party_elected": ["甲", "乙"]}
    [message] = messages("party_elected", facts)
    assert "当选委员 2 名，少于应选 3 名" in message
    assert run("party_elected", {**facts, "shortfall_handling": "另行选举"}) == []


def test_party_secretary_elected():
    facts = {"party_elected": ["甲", "乙", "丙", "丁", "戊"], "committee_present": 5,
             "officers": [{"name": "甲", "post": "书记", "votes": 5, "elected": True},
                          {"name": "乙", "post": "副书记", "votes": 3, "elected": True}]}
    assert run("party_secretary_elected", facts) == []
    found = messages("party_secretary_elected", {**facts, "committee_present": 4,
                                                 "officers": [{"name": "己", "post": "书记", "votes": 4, "elected": True}]})
    assert any("到会委员 4 人，未超过应到会委员 5 人的五分之四" in m for m in found)
    assert any("己 不是新一届委员会委员" in m for m in found)
    half = messages("party_secretary_elected", {**facts, "officers": [{"name": "甲", "post": "书记", "votes": 2, "elected": True}]})
    assert half == ["甲 当选书记得赞成票 2 张，未超过新一届委员会委员 5 人的二分之一（《中国共产党基层组织选举工作条例》）"]


def test_archive_index_complete():
    party = ["D01", "D02", "D03", "D04", "D05", "D06", "D07", "D08", "D10", "D11", "D12", "D13", "选票", "会议记录"]
    assert run("archive_index_complete", {"archived": party}, step="P6.3") == []
    [message] = messages("archive_index_complete", {"archived": party[:-1]}, step="P6.3")
    assert message.startswith("归档目录缺少 1 项：会议记录（minutes）")
    assert run("archive_index_complete", {"archived": party}, step="V9.2")
    assert run("archive_index_complete", {"archived": party, "election": "party"}) == []
    assert "无法确定归档所属的选举" in messages("archive_index_complete", {"archived": party})[0]
