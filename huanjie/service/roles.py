"""Roles (domain.md §4) and who may do what."""

from __future__ import annotations

from huanjie.errors import InvalidInput, PermissionDenied, Problem
from huanjie.service.context import Actor

COUNTY_OFFICE = "county_office"
TOWNSHIP_APPROVER = "township_approver"
VILLAGE_CLERK = "village_clerk"
JOINT_REVIEWER = "joint_reviewer"
AUDITOR = "auditor"

ROLE_LABELS = {
    COUNTY_OFFICE: "县换届办",
    TOWNSHIP_APPROVER: "乡镇党委（审批）",
    VILLAGE_CLERK: "村工作人员",
    JOINT_REVIEWER: "联审单位",
    AUDITOR: "审计/纪检",
    "system": "系统",
}

# The scope a role's user is bound to: county-wide, one township, or one village.
ROLE_SCOPES = {
    COUNTY_OFFICE: ("county",),
    TOWNSHIP_APPROVER: ("township",),
    VILLAGE_CLERK: ("village", "township"),
    JOINT_REVIEWER: ("township", "county"),
    AUDITOR: ("county",),
}

# Catalogue actor kind -> roles whose users may record that step's facts.
RECORDERS = {
    "village": (VILLAGE_CLERK,),
    "committee": (VILLAGE_CLERK,),
    "voters": (VILLAGE_CLERK,),
    "groups": (VILLAGE_CLERK,),
    "township": (TOWNSHIP_APPROVER,),
    "joint_review": (JOINT_REVIEWER, TOWNSHIP_APPROVER),
}

# Catalogue gate role -> user role that decides it.
GATE_ROLES = {"township": TOWNSHIP_APPROVER}


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def check_role(role: str, scope_kind: str) -> None:
    if role not in ROLE_SCOPES:
        known = "、".join(f"{k}（{v}）" for k, v in ROLE_LABELS.items() if k != "system")
        raise InvalidInput(f"未知角色 {role}", [Problem(f"角色须为：{known}", field="role")])
    if scope_kind not in ROLE_SCOPES[role]:
        allowed = "、".join(ROLE_SCOPES[role])
        raise InvalidInput(
            f"角色 {role_label(role)} 的范围不能是 {scope_kind}",
            [Problem(f"该角色的范围须为：{allowed}", field="scope")],
        )


def serves_county(actor: Actor, county: str) -> bool:
    """Does the actor work in ``county``? Only the system and an auditor above the counties
    (a city or provincial 审计/纪检, registered without a county) serve every county; any
    other user without a county (a county office registered before counties were recorded)
    serves none."""
    if actor.role == "system":
        return True
    if actor.county is None:
        return actor.role == AUDITOR
    return actor.county == county


def covers(actor: Actor, township: str, village_code: str, county: str) -> bool:
    """Is the village inside the actor's scope? Township names repeat across counties (城关镇),
    so the county is always compared too."""
    if actor.role == "system":
        return True
    if not serves_county(actor, county):
        return False
    if actor.scope_kind == "county":
        return True
    if actor.scope_kind == "township":
        return actor.scope == township
    return actor.scope == village_code


def require_county(actor: Actor, county: str) -> None:
    """A county office (or auditor) acts for its own county only."""
    if actor.county is None and not serves_county(actor, county):
        require(False, f"{actor.name} 登记时未指明所在县（区），不能办理任何县的换届",
                "请县换届办用 huanjie user add --county 重新登记该用户")
    require(serves_county(actor, county), f"{actor.name} 只能办理 {actor.county} 的换届", f"该换届属于 {county}")


def require(condition: bool, message: str, rule: str) -> None:
    if not condition:
        raise PermissionDenied(message, [Problem(rule)])
