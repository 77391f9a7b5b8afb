"""Example tests of nomination, candidates, proxies and staff (V4.1–V5.3)."""

from __future__ import annotations

from tests.checks.support import messages, person, run

SEATS = {"主任": 1, "副主任": 1, "委员": 3}


def _slip(nominator, **nominees):
    return {"nominator": nominator, "nominees": nominees}


def test_nominations_valid():
    good = [_slip("甲", 主任=["乙"], 委员=["丙", "丁", "戊"])]
    assert run("nominations_valid", {"nomination_slips": good, "seats_by_post": SEATS}) == []
    bad = [_slip("甲", 主任=["乙", "丙"]), {**_slip("乙", 委员=["丁"]), "by_proxy": True},
           _slip("丙", 主任=["丁"], 委员=["丁"]), _slip("甲", 委员=["戊"])]
    found = messages("nominations_valid", {"nomination_slips": bad, "seats_by_post": SEATS})
    assert found[0] == "第 1 张提名票（提名人 甲）应作废：主任提名 2 人，多于应选 1 名（《村民委员会组织法》第十五条）"
    assert "委托他人提名" in found[1]
    assert "同一人 丁 被提名为主任、委员" in found[2]
    assert "同一提名人重复提名" in found[3]
    declared_void = [{**slip, "void": True} for slip in bad]
    assert run("nominations_valid", {"nomination_slips": declared_void, "seats_by_post": SEATS}) == []
    stranger = messages("nominations_valid", {"nomination_slips": good, "seats_by_post": SEATS, "voters": ["乙"]})
    assert "提名人不是登记选民" in stranger[0]


def _candidates(**per_post):
    return [{"name": f"{post}{i}", "post": post} for post, n in per_post.items() for i in range(n)]


def test_vc_margin():
    assert run("vc_margin", {"vc_candidates": _candidates(主任=2, 副主任=2, 委员=4), "seats_by_post": SEATS}) == []
    [message] = messages("vc_margin", {"vc_candidates": _candidates(主任=2, 副主任=2, 委员=3), "seats_by_post": SEATS})
    assert message == "委员应选 3 名，正式候选人 3 名，候选人数应当多于应选名额（《村民委员会组织法》第十五条）"


def test_committee_candidates_withdrawn():
    facts = {"vc_candidates": [{"name": "甲", "post": "主任"}], "election_committee": [person("甲"), person("乙")]}
    [message] = messages("committee_candidates_withdrawn", facts)
    assert message == "甲 是主任候选人，仍为村民选举委员会成员，应当退出选委会（《村民委员会组织法》第十二条）"
    assert run("committee_candidates_withdrawn", {**facts, "committee_withdrawn": ["甲"]}) == []


TALLY = [{"name": n, "post": "委员", "votes": v} for n, v in (("甲", 90), ("乙", 80), ("丙", 70), ("丁", 60), ("戊", 50))]


def test_replacement_order():
    facts = {"vc_candidates": [{"name": n, "post": "委员"} for n in "甲乙丙丁"], "nomination_tally": TALLY,
             "withdrawals": [{"name": "乙", "post": "委员"}], "replacements": [{"name": "戊", "post": "委员"}]}
    assert run("replacement_order", facts) == []
    later = {**facts, "withdrawals": [{"name": "乙", "post": "委员"}], "replacements": [{"name": "戊", "post": "委员"}],
             "vc_candidates": [{"name": n, "post": "委员"} for n in "甲乙丙"]}
    [message] = messages("replacement_order", later, profile="ZJ")
    assert message == "委员递补人选 戊（提名 50 票）不符合提名得票顺序：丁 提名 60 票，应当优先递补（《浙江省村民委员会选举办法》第十九条）"
    assert "不在委员的提名得票名单中" in messages("replacement_order", {**facts, "replacements": [{"name": "己", "post": "委员"}]})[0]
    too_many = {**later, "replacements": [{"name": "丁", "post": "委员"}, {"name": "戊", "post": "委员"}]}
    assert "递补人数不得多于退出人数" in messages("replacement_order", too_many)[0]


def _proxy(principal, proxy, relation="配偶", away=True):
    return {"principal": principal, "proxy": proxy, "relation": relation, "away": away}


def test_proxies_valid():
    voters = ["甲", "乙", "丙", "丁", "戊"]
    good = {"proxies": [_proxy("甲", "乙")], "voters": voters, "vc_candidates": [{"name": "戊", "post": "主任"}]}
    assert run("proxies_valid", good) == []
    bad = {**good, "proxies": [_proxy("甲", "乙", relation="邻居"), _proxy("丙", "戊"), _proxy("丁", "甲", away=False),
                               _proxy("己", "乙")]}
    found = messages("proxies_valid", bad)
    assert any("关系“邻居”不是近亲属" in m for m in found)
    assert any("受委托人 戊 是候选人" in m for m in found)
    assert any("委托人 丁 选举期间未外出" in m for m in found)
    assert any("委托人 己 不是登记选民" in m for m in found)
    assert any("甲 本人已委托他人投票，不得再接受委托" in m for m in found)


def test_staff_not_candidates_or_relatives():
    candidates = [person("甲", ("乙", "儿子"))]
    facts = {"vc_candidates": candidates, "vote_staff": [{"name": "丙", "role": "计票"}]}
    assert run("staff_not_candidates_or_relatives", facts) == []
    related = messages("staff_not_candidates_or_relatives", {**facts, "vote_staff": [{"name": "乙", "role": "唱票"}]})
    assert related[0].startswith("唱票人员 乙 是候选人 甲 的近亲属（子女），不得担任")
    own = messages("staff_not_candidates_or_relatives", {**facts, "vote_staff": [{"name": "甲", "role": "监票"}]})
    assert own[0].startswith("监票人员 甲 是候选人")


def test_mobile_box_scrutineers():
    assert run("mobile_box_scrutineers", {"mobile_boxes": []}) == []
    boxes = [{"name": "一号流动票箱", "scrutineers": ["甲", "乙", "丙"]}, {"name": "二号流动票箱", "scrutineers": ["丁", "戊"]}]
    assert messages("mobile_box_scrutineers", {"mobile_boxes": boxes}, profile="BJ") == [
        "流动票箱“二号流动票箱”监票人 2 人，少于 3 人（《北京市村民委员会选举办法》第二十三条）"]
