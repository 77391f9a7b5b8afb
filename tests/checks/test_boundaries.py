"""Property tests at every statutory boundary (domain.md §6.1): integer arithmetic, exact edges."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from huanjie.rules import Ratio
from tests.checks.support import messages, person, run, with_params

INCLUSIVE_QUORUM = with_params(party_quorum=Ratio(4, 5, ">="))


@given(st.integers(1, 400).map(lambda k: 5 * k))
def test_exactly_four_fifths_fails_strict_and_passes_inclusive(expected):
    facts = {"expected_voters": expected, "present_voters": expected * 4 // 5}
    [failure] = run("party_quorum", facts)
    assert f"{expected * 4 // 5} 人，未超过应到会 {expected} 人的五分之四" in failure.message
    assert run("party_quorum", facts, rules=INCLUSIVE_QUORUM) == []
    assert run("party_quorum", {**facts, "present_voters": expected * 4 // 5 + 1}) == []


@given(st.integers(1, 500), st.integers(0, 500))
def test_party_quorum_is_five_present_over_four_expected(expected, present):
    present = min(present, expected)
    passed = run("party_quorum", {"expected_voters": expected, "present_voters": present}) == []
    assert passed == (5 * present > 4 * expected)


def _party_vote(base: int, votes: int, declared: bool) -> list:
    return run("party_elected", {"expected_voters": base, "present_voters": base, "committee_seats": 1,
                                 "party_candidates": [{"name": "甲", "votes": votes}, {"name": "乙", "votes": 0}],
                                 "party_elected": ["甲"] if declared else [], "shortfall_handling": "另行选举"})


@given(st.integers(1, 300).map(lambda k: 2 * k))
def test_exactly_half_of_party_votes_fails(base):
    [failure] = _party_vote(base, base // 2, declared=True)
    assert f"得赞成票 {base // 2} 张，未超过应到会有选举权党员 {base} 人的二分之一" in failure.message
    assert _party_vote(base, base // 2, declared=False) == []
    assert _party_vote(base, base // 2 + 1, declared=True) == []


@given(st.integers(1, 300).map(lambda k: 2 * k))
def test_exactly_half_of_vc_turnout_fails(registered):
    assert run("vc_vote_valid", {"ballots_cast": registered // 2, "registered_voters": registered})
    assert run("vc_vote_valid", {"ballots_cast": registered // 2 + 1, "registered_voters": registered}) == []


def _margin(seats: int, candidates: int) -> list:
    return run("party_margin", {"committee_seats": seats,
                                "party_candidates": [{"name": f"候选{i}", "votes": 1} for i in range(candidates)]})


@given(st.integers(1, 9), st.integers(0, 20))
def test_party_margin_for_one_to_nine_seats(seats, candidates):
    needed = seats + -(-seats // 5)
    assert (_margin(seats, candidates) == []) == (candidates >= needed)


def test_party_margin_examples():
    assert _margin(5, 6) == [] and _margin(5, 5)
    assert _margin(7, 9) == [] and _margin(7, 8)
    assert "至少 9 名" in _margin(7, 8)[0].message


def _revote(cast: int, votes: int) -> list:
    return run("vc_revote_threshold", {
        "seats_by_post": {"主任": 1, "委员": 2},
        "vc_results": [{"name": "甲", "post": "主任", "votes": 90, "elected": True},
                       {"name": "乙", "post": "委员", "votes": 80, "elected": True}],
        "revote_ballots_cast": cast,
        "revote_results": [{"name": "丙", "post": "委员", "votes": votes, "elected": True},
                           {"name": "丁", "post": "委员", "votes": 0}]})


@given(st.integers(1, 300).map(lambda k: 3 * k))
def test_exactly_one_third_in_revote_passes(cast):
    assert _revote(cast, cast // 3) == []
    [failure] = _revote(cast, cast // 3 - 1)
    assert f"不足已投选票 {cast} 张的三分之一" in failure.message


def _proxies(load: int, profile: str = "national") -> list[str]:
    voters = [{"name": "受托人"}] + [{"name": f"委托人{i}"} for i in range(load)]
    proxies = [{"principal": f"委托人{i}", "proxy": "受托人", "relation": "兄弟", "away": True} for i in range(load)]
    return messages("proxies_valid", {"proxies": proxies, "voters": voters, "vc_candidates": []}, profile=profile)


@given(st.integers(1, 8), st.sampled_from(["national", "ZJ", "SH", "BJ"]))
def test_proxy_cap(load, profile):
    result = _proxies(load, profile)
    assert (result == []) == (load <= 3)
    if load > 3:
        assert f"接受 {load} 人委托，超过 3 人" in result[0]


@given(st.integers(1, 100).map(lambda k: 3 * k))
def test_exactly_two_thirds_of_a_group_meeting_passes(adults):
    group = {"group": "一", "adults": adults, "adults_present": adults * 2 // 3, "households": 10, "households_present": 0}
    assert run("group_meeting_quorum", {"group_meetings": [group]}, village={"groups": 1}) == []
    group["adults_present"] -= 1
    assert run("group_meeting_quorum", {"group_meetings": [group]}, village={"groups": 1})


@given(st.integers(1, 60))
def test_representatives_share_of_exactly_four_fifths_passes(k):
    committee = [{"name": f"委员{i}", "post": "委员", "votes": 1, "elected": True} for i in range(k)]
    facts = {"representatives": 4 * k, "vc_results": committee, "representative_method": "按村民小组"}
    assert run("representatives_ratio", facts) == []
    assert run("representatives_ratio", {**facts, "representatives": 4 * k - 1})


CLOSE = st.sampled_from(["配偶", "父亲", "母亲", "儿子", "女儿", "哥哥", "姐妹", "祖母", "外公", "孙子", "外孙女"])
FAR = st.sampled_from(["叔叔", "侄女", "堂弟", "表哥", "岳母", "舅舅", "同学"])


@given(st.integers(3, 9), st.data())
def test_close_relatives_may_not_sit_together_on_the_committee(size, data):
    names = [f"成员{i}" for i in range(size)]
    a, b = data.draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
    relation, distant = data.draw(CLOSE), data.draw(FAR)
    members = [person(n) for n in names]
    members[names.index(a)] = person(a, (b, distant))
    assert run("no_close_relatives_on_committee", {"election_committee": members}) == []
    members[names.index(a)] = person(a, (b, relation))
    [failure] = run("no_close_relatives_on_committee", {"election_committee": members})
    assert a in failure.message and b in failure.message and "近亲属" in failure.message


@given(CLOSE, FAR)
def test_supervisors_may_not_be_close_relatives_of_the_committee(relation, distant):
    committee = [{"name": "主任甲", "post": "主任", "votes": 9, "elected": True}]
    board = [person("监委乙", ("主任甲", relation), accounting=True), person("监委丙"), person("监委丁")]
    facts = {"supervisory_committee": board, "vc_results": committee}
    assert any("近亲属" in m for m in messages("supervisory_committee_valid", facts))
    board[0] = person("监委乙", ("主任甲", distant), accounting=True)
    assert messages("supervisory_committee_valid", facts) == []
