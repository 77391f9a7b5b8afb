"""Example tests of voting, count and 另行选举 (V6.1–V7.3)."""

from __future__ import annotations

from tests.checks.support import messages, person, run

SEATS = {"主任": 1, "委员": 2}


def _row(name, post, votes, elected=False, **extra):
    return {"name": name, "post": post, "votes": votes, "elected": elected, **extra}


def test_ballots_issued_and_counted():
    assert run("ballots_issued_within_registered", {"ballots_issued": 800, "registered_voters": 800}) == []
    assert "多于登记选民" in messages("ballots_issued_within_registered", {"ballots_issued": 801, "registered_voters": 800})[0]
    assert run("ballots_counted_within_issued", {"ballots_cast": 700, "ballots_issued": 700,
                                                 "ballots_valid": 690, "ballots_void": 10}) == []
    found = messages("ballots_counted_within_issued", {"ballots_cast": 701, "ballots_issued": 700,
                                                      "ballots_valid": 690, "ballots_void": 10})
    assert found[0].startswith("收回选票 701 张，多于发出选票 700 张")
    assert "之和 700，不等于收回选票 701 张" in found[1]


def test_vc_vote_valid_message():
    [message] = messages("vc_vote_valid", {"ballots_cast": 400, "registered_voters": 800})
    assert message == "参加投票 400 人，未超过登记选民 800 人的二分之一，选举无效（《村民委员会组织法》第十五条）"


def test_vc_elected():
    rows = [_row("甲", "主任", 60, True), _row("乙", "主任", 40), _row("丙", "委员", 70, True),
            _row("丁", "委员", 55, True), _row("戊", "委员", 30)]
    assert run("vc_elected", {"vc_results": rows, "ballots_cast": 100, "seats_by_post": SEATS}) == []
    rows[3] = _row("丁", "委员", 50, True)
    [message] = messages("vc_elected", {"vc_results": rows, "ballots_cast": 100, "seats_by_post": SEATS})
    assert message == "丁 宣布当选委员，但得票 50，未超过参加投票 100 人的二分之一（《村民委员会组织法》第十五条）"


def test_vc_elected_tie_at_last_seat_needs_a_revote():
    rows = [_row("甲", "主任", 60, True), _row("丙", "委员", 70, True), _row("丁", "委员", 55, True), _row("戊", "委员", 55)]
    [message] = messages("vc_elected", {"vc_results": rows, "ballots_cast": 100, "seats_by_post": SEATS})
    assert "丁 宣布当选委员，但与 戊 得票相同（55 票）争最后名额，须就票数相等者再次投票" in message
    rows[2] = _row("丁", "委员", 55)
    assert run("vc_elected", {"vc_results": rows, "ballots_cast": 100, "seats_by_post": SEATS}) == []


def test_vc_elected_higher_post_prevails():
    rows = [_row("甲", "主任", 60, True), _row("甲", "委员", 80), _row("丙", "委员", 70, True), _row("丁", "委员", 52, True)]
    assert run("vc_elected", {"vc_results": rows, "ballots_cast": 100, "seats_by_post": SEATS}) == []
    rows[1] = _row("甲", "委员", 80, True)
    found = messages("vc_elected", {"vc_results": rows, "ballots_cast": 100, "seats_by_post": SEATS})
    assert any("甲 宣布当选委员，但已当选较高职务" in m for m in found)


def test_relatives_avoidance_lower_post_gives_way():
    rows = [_row("甲", "主任", 60, True, relatives=[{"name": "乙", "relation": "妻子"}]), _row("乙", "委员", 70, True)]
    [message] = messages("relatives_avoidance", {"vc_results": rows}, profile="ZJ")
    assert message == ("甲（主任）与 乙（委员）系近亲属（配偶），应由职务较低（或得票较少）的 乙 退出"
                       "（《浙江省村民委员会选举办法》第三十一条）")
    rows[1]["gave_way"] = True
    assert run("relatives_avoidance", {"vc_results": rows}) == []
    rows[1]["gave_way"], rows[0]["gave_way"] = False, True
    assert "而不是 甲" in messages("relatives_avoidance", {"vc_results": rows})[0]


def test_relatives_avoidance_same_post_fewer_votes_gives_way():
    rows = [person("甲", ("乙", "哥哥"), post="委员", votes=60, elected=True), _row("乙", "委员", 70, True)]
    assert "应由职务较低（或得票较少）的 甲 退出" in messages("relatives_avoidance", {"vc_results": rows})[0]


FIRST_ROUND = [_row("甲", "主任", 60, True), _row("乙", "委员", 70, True), _row("丙", "委员", 45), _row("丁", "委员", 40)]


def test_vc_revote_threshold_plurality_with_one_third_floor():
    revote = [_row("丙", "委员", 40, True), _row("丁", "委员", 35)]
    facts = {"vc_results": FIRST_ROUND, "seats_by_post": SEATS, "revote_ballots_cast": 90, "revote_results": revote}
    assert run("vc_revote_threshold", facts) == []
    low = [_row("丙", "委员", 29, True), _row("丁", "委员", 20)]
    [message] = messages("vc_revote_threshold", {**facts, "revote_results": low})
    assert message == "丙 宣布当选委员，但得票 29，不足已投选票 90 张的三分之一（《村民委员会组织法》第十五条）"
    wrong = [_row("丙", "委员", 30), _row("丁", "委员", 35, True)]
    assert run("vc_revote_threshold", {**facts, "revote_results": wrong}) == []
    wrong = [_row("丙", "委员", 40, True), _row("丁", "委员", 45)]
    assert len(run("vc_revote_threshold", {**facts, "revote_results": wrong})) == 2


def test_vacancies_allowed():
    facts = {"vc_results": FIRST_ROUND, "seats_by_post": {"主任": 1, "委员": 4}, "revote_results": [_row("丙", "委员", 40, True)]}
    assert run("vacancies_allowed", facts) == []
    [message] = messages("vacancies_allowed", {**facts, "revote_results": [_row("丙", "委员", 20)]})
    assert message == "两轮共当选 2 名（应选 5 名），不足 3 名，不能缺额，须继续另行选举（地方实践）"
