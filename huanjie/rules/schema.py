"""Every rule-profile parameter: its kind and what it means (Chinese, for error messages)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParamSpec:
    kind: str                      # int | range | ratio | enum
    label: str
    choices: tuple[str, ...] = ()  # enum only


def _int(label: str) -> ParamSpec:
    return ParamSpec("int", label)


def _range(label: str) -> ParamSpec:
    return ParamSpec("range", label)


def _ratio(label: str) -> ParamSpec:
    return ParamSpec("ratio", label)


SCHEMA: dict[str, ParamSpec] = {
    # days before / after an anchor
    "voter_list_publish_days_before": _int("选民名单在选举日前公布的天数"),
    "voter_objection_window_days": _int("对选民名单提出申诉的期限（公布之日起天数）"),
    "objection_decision_days": _int("申诉处理决定期限（收到申诉之日起天数）"),
    "candidate_list_publish_days_before": _int("正式候选人名单在选举日前公布的天数"),
    "candidate_withdrawal_days_before": _int("候选人书面退出在选举日前的天数"),
    "vote_notice_days_before": _int("投票时间、地点、工作人员在选举日前公告的天数"),
    "proxy_filing_days_before": _int("委托投票手续在选举日前办理的天数"),
    "proxy_list_publish_days_before": _int("委托投票名单在选举日前公布的天数"),
    "revote_latest_days_after": _int("另行选举在选举日后最迟天数"),
    "handover_days_after": _int("新一届村委会产生后完成工作移交的天数"),
    "handover_seal_days_after": _int("新一届村委会产生后移交印章的天数"),
    "candidate_publicity_workdays": _int("党组织候选人预备人选公示工作日数"),
    "audit_publicity_times": _int("离任经济责任审计结果公示次数"),
    "audit_publicity_days": _int("离任经济责任审计结果每次公示天数"),
    "election_committee_objection_days": _int("村民选举委员会名单公告异议期天数"),
    # counts
    "proxy_max_principals": _int("每名受委托人最多接受的委托人数"),
    "mobile_box_scrutineers_min": _int("每个流动票箱最少监票人数"),
    "voter_min_age": _int("选民最低年龄（周岁）"),
    "women_seats_min": _int("村委会妇女成员最少名额"),
    "minority_seats_min": _int("多民族村村委会人数较少民族成员最少名额"),
    "vacancy_min_members": _int("另行选举后可以缺额的最少当选人数"),
    "party_committee_min_members": _int("设立党支部委员会的最少正式党员人数"),
    "supervisory_accounting_min": _int("村务监督委员会具备财会、管理知识成员最少人数"),
    # ranges
    "election_committee_size": _range("村民选举委员会人数"),
    "vc_seats": _range("村民委员会成员名额"),
    "party_committee_seats": _range("党支部委员会委员名额"),
    "supervisory_committee_size": _range("村务监督委员会人数"),
    "representative_households": _range("每名村民代表对应户数"),
    # ratios
    "party_quorum": _ratio("党员大会有选举权到会人数占应到会人数的比例"),
    "party_elected": _ratio("党组织当选所需赞成票比例"),
    "party_recommend_attendance": _ratio("推荐会到会人数占应到会人数的比例"),
    "party_recommend_support": _ratio("初步人选所需推荐票比例"),
    "party_margin": _ratio("党组织委员差额比例"),
    "party_inspection_disagree": _ratio("考察中不同意人数达到即不得列为人选的比例"),
    "vc_valid": _ratio("村委会选举有效所需投票人数比例"),
    "vc_elected": _ratio("村委会当选所需得票比例"),
    "vc_revote_min": _ratio("另行选举当选最低得票比例"),
    "village_meeting_quorum_persons": _ratio("村民会议到会十八周岁以上村民比例"),
    "village_meeting_quorum_households": _ratio("村民会议到会户代表比例"),
    "representatives_meeting_quorum": _ratio("村民代表会议到会组成人员比例"),
    "group_meeting_quorum": _ratio("村民小组会议到会比例（村民或户代表）"),
    "representatives_share_of_meeting": _ratio("村民代表占村民代表会议组成人员比例"),
    "women_representatives_min": _ratio("妇女村民代表占村民代表会议组成人员比例"),
    # enums
    "party_threshold_denominator": ParamSpec("enum", "党组织当选票数的计算基数", ("expected", "present")),
    "relatives_avoidance": ParamSpec("enum", "村委会成员近亲属任职回避", ("lower_post_gives_way", "none")),
}
