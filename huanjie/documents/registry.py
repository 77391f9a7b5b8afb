"""The 27 standard documents of a 两委 re-election (domain.md §7), as data.

``public`` marks 公告/公示 (posted for everyone: 身份证号 masked); ``must_contain`` lists the
short phrases a rendered document has to show, for template tests and reviewers; ``kind`` is
the page style (markup.KINDS): official 公文 (红头, 版记), notice 公告/公示/办法, form 表格,
ballot 选票, card 证件, certificate 证书; ``upward`` marks 请示/报告 to a higher body (签发人).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentSpec:
    code: str
    title: str
    steps: tuple[str, ...]
    public: bool
    must_contain: tuple[str, ...]
    kind: str = "notice"
    upward: bool = False


KIND = {"D01": "official", "D02": "official", "D05": "official", "D06": "official", "D10": "official",
        "D11": "official", "D04": "form", "D12": "form", "D13": "form", "D27": "form", "D09": "ballot",
        "D24": "ballot", "D20": "card", "D26": "certificate"}
UPWARD = {"D01", "D05", "D10"}  # 请示 and 报告 to the 乡镇党委


def _doc(code: str, title: str, steps: str, public: bool, must_contain: str) -> DocumentSpec:
    return DocumentSpec(code, title, tuple(steps.split()), public, tuple(must_contain.split("、")),
                        KIND.get(code, "notice"), code in UPWARD)


DOCUMENTS: dict[str, DocumentSpec] = {d.code: d for d in (
    # Party organisation election (domain.md §5)
    _doc("D01", "关于召开党员大会进行换届选举的请示", "P2.2", False,
         "是否按期换届、召开时间、会议议程、委员职数、书记副书记职数、候选人推荐方式、选举方式"),
    _doc("D02", "关于同意召开党员大会进行换届选举的批复", "P2.3", False,
         "同意召开、召开时间、会议议程、委员职数、书记副书记职数、选举方式"),
    _doc("D03", "党员大会及推荐工作公告", "P3.1", True,
         "召开时间、地点、推荐方式、差额、正式党员名单"),
    _doc("D04", "不计入应到会党员人数情形报告表", "P3.2", False,
         "姓名、情形、上级党组织意见、党员大会通过"),
    _doc("D05", "关于候选人预备人选的请示", "P4.3", False,
         "姓名、拟任职务、推荐情况、考察情况"),
    _doc("D06", "关于候选人预备人选的批复", "P4.3", False,
         "同意、委员候选人预备人选、书记副书记候选人预备人选、排列顺序"),
    _doc("D07", "候选人预备人选公示", "P4.3", True,
         "姓名、拟任职务、基本情况、公示期、受理方式"),
    _doc("D08", "党员大会选举办法", "P5.1", False,
         "委员职数、差额、应到会、选举有效、当选、赞成、不赞成、弃权、另选、监票人、计票人、不得委托"),
    _doc("D09", "党组织选票（委员；书记、副书记）", "P5.1 P5.2 P5.3", False,
         "填写说明、赞成、不赞成、（章）"),
    _doc("D10", "关于换届选举结果的报告", "P6.1", False,
         "应到会、实到会、得票、当选委员、书记、副书记、分工"),
    _doc("D11", "关于换届选举结果的批复", "P6.2", False,
         "同意、书记、副书记、县委组织部备案"),
    _doc("D12", "候选人资格联审表", "P4.2 V4.2", False,
         "姓名、联审单位、审查意见、结论"),
    _doc("D13", "计票单／选举结果报告单", "P4.1 P5.2 P5.3 V6.2 V7.2", False,
         "发出票数、收回票数、有效票、无效票、得票数、监票人、计票人"),
    _doc("D14", "离任经济责任审计结果公示", "P1.2", True,
         "审计事项、审计期间、审计结果、公示期、异议"),
    # Villager-committee election (domain.md §6)
    _doc("D15", "村民选举委员会成员名单公告", "V1.3", True,
         "村民委员会组织法、推选产生、主任、委员、异议"),
    _doc("D16", "村民委员会选举办法", "V2.2", False,
         "职数、妇女成员、差额、提名、选举有效、委托投票、流动票箱、另行选举"),
    _doc("D17", "选举日及选民登记公告", "V2.3", True,
         "届、选举日、登记时间、登记地点、登记对象"),
    _doc("D18", "选民名单公告", "V3.2", True,
         "村民小组、选民名单、异议、截止"),
    _doc("D19", "选民资格申诉处理结果公告", "V3.3", True,
         "申诉人、申诉事项、处理决定、处理日期"),
    _doc("D20", "选民证", "V3.4", False,
         "姓名、编号、选举日"),
    _doc("D21", "正式候选人名单公告", "V4.3", True,
         "正式候选人、主任、副主任、委员、排列"),
    _doc("D22", "委托投票证及委托投票名单公告", "V5.2", True,
         "委托人、受委托人、关系、委托日期、委托投票名单"),
    _doc("D23", "投票选举公告", "V5.3", True,
         "中心会场、投票站、投票时间、流动票箱、计票、工作人员"),
    _doc("D24", "村民委员会选票", "V6.1 V7.2", False,
         "主任、副主任、委员、候选人、填写说明、无效"),
    _doc("D25", "选举结果公告", "V6.2 V7.1 V7.3 V8.1 V8.2 V8.3", True,
         "当选、职务、得票数、特此公告"),
    _doc("D26", "当选证书", "V6.3", False,
         "当选证书、同志、当选为、任期、特发此证"),
    _doc("D27", "工作移交清单", "V9.1", False,
         "印章、办公场所、账目、资产、档案、债权债务、移交人、接收人、主持人、监交人"),
)}
