"""Example tests of the villager-committee checks V1.1–V3.4."""

from __future__ import annotations

from tests.checks.support import messages, person, run


def test_election_committee_size_per_profile():
    five = {"election_committee": [person(f"委员{i}") for i in range(5)]}
    four = {"election_committee": [person(f"委员{i}") for i in range(4)]}
    assert run("election_committee_size", five) == []
    assert messages("election_committee_size", four) == ["村民选举委员会 4 人，须为 不少于 3 人且为单数（《村民委员会选举规程》第一章）"]
    assert run("election_committee_size", four, profile="ZJ")
    assert run("election_committee_size", {"election_committee": [person(str(i)) for i in range(6)]}, profile="ZJ") == []
    assert "5 至 9 人" in messages("election_committee_size", {"election_committee": [person("甲")] * 3}, profile="ZJ")[0]


def test_no_close_relatives_on_committee():
    group = [person("甲", ("乙", "妻子")), person("乙"), person("丙")]
    [message] = messages("no_close_relatives_on_committee", {"election_committee": group})
    assert message.startswith("甲 与 乙 系近亲属（配偶），不得同时担任村民选举委员会成员")
    assert "民法典》第一千零四十五条" in message


def test_electing_meeting_quorum_village_meeting():
    persons = {"meeting_type": "村民会议", "adults": 800, "adults_present": 401}
    assert run("electing_meeting_quorum", persons) == []
    assert run("electing_meeting_quorum", {**persons, "adults_present": 400})  # exactly half fails
    by_homes = {**persons, "adults_present": 100, "households_present": 200}  # 200 of 300 = 2/3
    assert run("electing_meeting_quorum", by_homes) == []
    [message] = messages("electing_meeting_quorum", {**by_homes, "households_present": 199})
    assert "未超过本村十八周岁以上村民 800 人的二分之一" in message and "不足全村 300 户的三分之二" in message and "第二十二条" in message


def test_electing_meeting_quorum_representatives_and_groups():
    assert run("electing_meeting_quorum", {"meeting_type": "村民代表会议", "meeting_members": 30, "meeting_present": 20}) == []
    [message] = messages("electing_meeting_quorum", {"meeting_type": "村民代表会议", "meeting_members": 30, "meeting_present": 19})
    assert message == "村民代表会议到会 19 人，不足组成人员 30 人的三分之二（《村民委员会组织法》第二十六条）"
    groups = [{"group": g, "adults": 90, "adults_present": 60, "households": 30, "households_present": 0} for g in "一二三"]
    assert run("electing_meeting_quorum", {"meeting_type": "村民小组会议", "group_meetings": groups}) == []
    missing_one = messages("electing_meeting_quorum", {"meeting_type": "村民小组会议", "group_meetings": groups[:2]})
    assert missing_one == ["本村有 3 个村民小组，只记录了 2 个小组会议"]
    assert "须为 村民会议" in messages("electing_meeting_quorum", {"meeting_type": "党员大会"})[0]


def test_vc_seats_and_women_seat():
    assert run("vc_seats", {"seats_by_post": {"主任": 1, "副主任": 1, "委员": 3}}) == []
    [message] = messages("vc_seats", {"seats_by_post": {"主任": 1, "副主任": 2, "委员": 5}})
    assert message == "村民委员会成员 8 名，须为 3 至 7 人（《村民委员会组织法》第六条）"
    assert "不是村民委员会的职务" in messages("vc_seats", {"seats_by_post": {"主任": 1, "书记": 1, "委员": 2}})[0]
    assert run("women_seat", {"women_seats": 1}) == []
    assert "应当有妇女成员" in messages("women_seat", {"women_seats": 0})[0]
    assert run("women_seat", {"women_seats": 1, "minority_village": True, "minority_seats": 0})
    assert run("women_seat", {"women_seats": 1, "minority_village": True})[0].field == "minority_seats"


ELECTION_DAY = "2026-10-12"


def test_voter_eligibility_age_on_election_day():
    adult = {"name": "甲", "birth_date": "2008-10-12", "category": 1}
    assert run("voter_eligibility", {"voters": [adult], "vc_election_day": ELECTION_DAY}) == []
    minor = {**adult, "birth_date": "2008-10-13"}
    [message] = messages("voter_eligibility", {"voters": [minor], "vc_election_day": ELECTION_DAY})
    assert message == "选民 甲 2008-10-13 出生，至选举日 2026-10-12 未满 18 周岁（《村民委员会组织法》第十三条）"
    leap = {**adult, "birth_date": "2008-02-29"}
    assert run("voter_eligibility", {"voters": [leap], "vc_election_day": "2026-02-28"})
    assert run("voter_eligibility", {"voters": [leap], "vc_election_day": "2026-03-01"}) == []


def test_voter_eligibility_id_rights_and_category():
    by_id = {"name": "乙", "id": "330101200810130012", "category": 1}
    [young] = messages("voter_eligibility", {"voters": [by_id], "vc_election_day": ELECTION_DAY})
    assert "330101********0012" in young and "未满 18 周岁" in young
    mismatch = {**by_id, "birth_date": "1990-01-01"}
    assert any("与身份证号所载 2008-10-13 不一致" in m
               for m in messages("voter_eligibility", {"voters": [mismatch], "vc_election_day": ELECTION_DAY}))
    voters = [{"name": "丙", "birth_date": "1970-01-01", "category": 3},
              {"name": "丁", "birth_date": "1970-01-01", "category": 3, "consent": True},
              {"name": "戊", "birth_date": "1970-01-01", "category": 1, "deprived": True},
              {"name": "己", "birth_date": "1970-01-01", "category": 4}]
    found = messages("voter_eligibility", {"voters": voters, "vc_election_day": ELECTION_DAY})
    assert len(found) == 3
    assert "丙 户籍不在本村，须经村民会议或者村民代表会议同意" in found[0]
    assert "戊 被依法剥夺政治权利" in found[1]
    assert "“4”须为 1、2、3 之一" in found[2]
    nothing = messages("voter_eligibility", {"voters": [{"name": "庚", "category": 1}], "vc_election_day": ELECTION_DAY})
    assert "缺少出生日期" in nothing[0]


def test_no_double_registration():
    voters = [{"name": "甲", "id": "330101199001010011"}, {"name": "甲", "id": "330101199202020022"}]
    assert run("no_double_registration", {"voters": voters}) == []
    twice = voters + [{"name": "甲", "id": "330101199001010011"}]
    assert messages("no_double_registration", {"voters": twice}) == ["选民 甲（330101********0011） 重复登记（《村民委员会组织法》第十三条）"]
    elsewhere = [{"id": "330101199202020022", "name": "甲", "village": "邻村"}]
    [message] = messages("no_double_registration", {"voters": voters, "registered_elsewhere": elsewhere})
    assert "已在邻村登记" in message


def test_objections_decided():
    done = {"subject": "张三申诉未登记", "received": "2026-09-23", "decision": "予以登记", "decided": "2026-09-25"}
    assert run("objections_decided", {"objections": [done]}) == []
    [message] = messages("objections_decided", {"objections": [{"subject": "李四申诉", "received": "2026-09-23"}]})
    assert message == "申诉“李四申诉”尚未作出处理决定并公布（《村民委员会组织法》第十四条）"


def test_voter_cards_issued():
    assert run("voter_cards_issued", {"registered_voters": 800, "voter_cards_issued": 800}) == []
    assert "尚有 2 人未发放" in messages("voter_cards_issued", {"registered_voters": 800, "voter_cards_issued": 798})[0]
    assert "多于登记选民" in messages("voter_cards_issued", {"registered_voters": 800, "voter_cards_issued": 801})[0]
