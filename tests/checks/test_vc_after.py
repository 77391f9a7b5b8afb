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


def _term(step, facts, *, v93=None, done=None):
    import dataclasses

    from huanjie.steps.checks import run_checks
    from tests.checks.support import make_ctx

    case = {"V9.3": v93} if v93 is not None else {}
    ctx = dataclasses.replace(make_ctx(facts, case=case, step=step), done=done or {})
    return [f.message for f in run_checks(["committee_within_term"], ctx)]


def test_no_election_committee_act_after_v93_ends_its_term():
    import datetime as dt

    ended = {"date": "2026-11-02"}
    assert _term("V7.2", {"date": "2026-11-02"}, v93=ended) == []      # the day the term ends still counts
    [late] = _term("V7.2", {"date": "2026-11-03"}, v93=ended)           # the day after does not
    assert "2026-11-03 办理，晚于村民选举委员会任期结束日 2026-11-02" in late and "村民委员会选举规程" in late
    [undated] = _term("V7.2", {}, v93=ended)                             # an undated act is dated today
    assert "任期已于 2026-11-02" in undated and "请填写实际办理日期" in undated
    assert _term("V7.2", {}) == []                                       # V9.3 not reached: in term
    # V9.3 recorded without a date: its term ended on the day it was done
    [by_done] = _term("V7.2", {"date": "2026-11-05"}, v93={}, done={"V9.3": dt.date(2026, 11, 4)})
    assert "任期结束日 2026-11-04" in by_done


def test_v93_cannot_be_dated_before_a_committee_act():
    import datetime as dt

    done = {"V9.2": dt.date(2026, 11, 1), "V7.2": dt.date(2026, 11, 3), "V8.1": dt.date(2026, 11, 9)}
    assert _term("V9.3", {"date": "2026-11-03"}, done=done) == []  # V8.1 is the village's act, not the committee's
    [message] = _term("V9.3", {"date": "2026-11-02"}, done=done)
    assert message.startswith("V7.2 于 2026-11-03 以村民选举委员会名义办理，晚于工作总结报备日 2026-11-02")
    assert _term("V9.3", {}, done=done) == []


def test_every_election_committee_step_and_v93_run_the_term_check():
    from huanjie.steps.catalogue import load_catalogue

    steps = load_catalogue().steps()
    committee = [s.key for s in steps if s.actor == "committee"]
    assert "V7.2" in committee and "V9.2" in committee
    assert [s.key for s in steps if "committee_within_term" in s.checks] == [*committee, "V9.3"]
