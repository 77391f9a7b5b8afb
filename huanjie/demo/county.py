"""The sample county: 2 townships, 12 villages, staff, and what each village's story is."""

from __future__ import annotations

from dataclasses import dataclass, field

TOWNSHIPS = {
    "城关镇": [("330102001001", "东湖村", 320, 6), ("330102001002", "西塘村", 260, 5),
              ("330102001003", "南山村", 410, 8), ("330102001004", "北岙村", 180, 4),
              ("330102001005", "前溪村", 230, 5), ("330102001006", "后畈村", 150, 3)],
    "清溪镇": [("330102002001", "上林村", 290, 6), ("330102002002", "下宅村", 340, 7),
              ("330102002003", "桃源村", 200, 4), ("330102002004", "杏花村", 170, 4),
              ("330102002005", "石门村", 380, 8), ("330102002006", "金竹村", 140, 3)],
}

STAFF = {  # township -> (clerk, township recorder, township approver, joint reviewer)
    "城关镇": ("赵丽", "周敏", "王强", "城关联审组"),
    "清溪镇": ("孙伟", "陈刚", "李华", "清溪联审组"),
}
COUNTY_OFFICE = "县换届办刘明"
AUDITOR = "县纪委审计员吴洁"
# Every demo account logs in to the web UI with this password (a demo, never a real county).
DEMO_PASSWORD = "huanjie-demo"


@dataclass
class Story:
    """What happens in one village; by default it finishes both elections on time."""

    summary: str = "两项选举全部完成"
    never_approve: set[str] = field(default_factory=set)   # gates its approver leaves waiting
    never_record: set[str] = field(default_factory=set)    # steps its staff never get to
    variants: dict[str, str] = field(default_factory=dict)  # step -> facts variant (a failure)
    reject_once: set[str] = field(default_factory=set)      # gates rejected once, then approved


STORIES = {
    "330102001004": Story("党组织选举：候选人预备人选批复待乡镇审批", never_approve={"P4.3"}),
    "330102002004": Story("村委会选举：选举办法备案待乡镇审批", never_approve={"V2.2"}),
    "330102001005": Story("党员大会到会人数未超过应到会五分之四，选举受阻", variants={"P5.2": "quorum_fails"}),
    "330102002005": Story("选民名单未按期公布，逾期", never_record={"V3.2"}),
    "330102001006": Story("换届请示批复曾被驳回，补正后完成", reject_once={"P2.3"}),
}
