"""Example tests of representatives, groups, supervision and handover (V8.1–V9.2)."""

from __future__ import annotations

from tests.checks.support import messages, person, run

COMMITTEE = [{"name": f"委员{i}", "post": "委员", "votes": 1, "elected": True} for i in range(5)]


def test_representatives_ratio_by_households():
    assert run("representatives_ratio", {"representatives": 30, "vc_results": COMMITTEE}) == []  # 300 households
    [message] = messages("representatives_ratio", {"representatives": 61, "vc_results": COMMITTEE})
    assert message == ("本村 300 户，村民代表 61 人，不符合每 5 至 15 户推选一人（应为 20 至 60 人）"
                       "（《村民委员会组织法》第二十五条）")
    assert run("representatives_ratio", {"representatives": 20, "vc_results": COMMITTEE}) == []
    assert run("representatives_ratio", {"representatives": 60, "vc_results": COMMITTEE}) == []
    assert run("representatives_ratio", {"representatives": 20, "vc_results": COMMITTEE, "households": 301})


def test_representatives_share_of_the_meeting():
    by_group = {"vc_results": COMMITTEE, "representative_method": "按村民小组"}
    assert run("representatives_ratio", {**by_group, "representatives": 20}) == []  # exactly 4/5 of 25
    [message] = messages("representatives_ratio", {**by_group, "representatives": 19})
    assert message == ("村民代表 19 人，不足村民代表会议组成人员 24 人（含村委会成员 5 人）的五分之四"
                       "（《村民委员会组织法》第二十五条）")


def test_women_representatives():
    assert run("women_representatives", {"women_representatives": 12, "representatives": 31, "vc_results": COMMITTEE}) == []
    [message] = messages("women_representatives", {"women_representatives": 11, "representatives": 31, "vc_results": COMMITTEE})
    assert message == "妇女村民代表 11 人，不足村民代表会议组成人员 36 人的三分之一（《村民委员会组织法》第二十五条）"


def test_group_meeting_quorum_by_households():
    groups = [{"group": "一组", "adults": 90, "adults_present": 10, "households": 30, "households_present": 20}]
    assert run("group_meeting_quorum", {"group_meetings": groups}, village={"groups": 1}) == []
    groups[0]["households_present"] = 19
    [message] = messages("group_meeting_quorum", {"group_meetings": groups}, village={"groups": 1})
    assert message.startswith("一组村民小组会议到会村民 10 人（共 90 人）、户代表 19 户（共 30 户），均不足三分之二")


def test_supervisory_committee_valid():
    board = [person("甲", accounting=True), person("乙"), person("丙")]
    assert run("supervisory_committee_valid", {"supervisory_committee": board, "vc_results": COMMITTEE}) == []
    found = messages("supervisory_committee_valid", {"supervisory_committee": [person("委员1"), person("乙")],
                                                     "vc_results": COMMITTEE})
    assert "村务监督委员会 2 人，须为 3 至 5 人" in found[0]
    assert "委员1 是村民委员会成员，不得担任村务监督委员会成员（《村民委员会组织法》第三十二条）" == found[1]
    assert "具备财会、管理知识的成员 0 人，少于 1 人" in found[2]


def test_handover_items_signed():
    full = [{"item": i, "outgoing_signed": True, "incoming_signed": True}
            for i in ("印章", "办公场所", "账目", "资产", "档案", "债权债务")]
    assert run("handover_items_signed", {"handover": full}) == []
    partial = full[:5]
    partial[0] = {"item": "seals", "outgoing_signed": True}
    found = messages("handover_items_signed", {"handover": partial})
    assert found == ["“印章”的移交缺少接收方签字（《村民委员会组织法》第二十条）",
                     "移交清单缺少“债权债务”（《村民委员会组织法》第二十条）"]


def test_vc_archive_index():
    vc = ["D12", "D13", "D15", "D16", "D17", "D18", "D19", "D21", "D22", "D23", "D25", "D26", "D27", "ballots"]
    assert run("archive_index_complete", {"archived": vc}, step="V9.2") == []
    [message] = messages("archive_index_complete", {"archived": vc[:-1]}, step="V9.2")
    assert "选票（ballots）" in message and "第三十四条" in message
