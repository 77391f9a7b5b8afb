"""Replaying a village for an auditor, and ``--check``: the replay at now against the stored rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlmodel import Session, select

from huanjie.audit.access import audit_session, require_campaign
from huanjie.audit.history import day, instant, village_events
from huanjie.audit.replay import CAMPAIGN_FIELDS, STEP_FIELDS, VERSION_FIELDS, VILLAGE_FIELDS, replay
from huanjie.service.context import Context
from huanjie.service.villages import find_village
from huanjie.store.models import Campaign, Case, GateDecision, StepState, Township, Village

ELECTION_LABELS = {"party": "党组织换届", "vc": "村委会换届"}
FIELD_LABELS = {
    "status": "状态", "due": "期限", "provisional": "暂定期限", "statutory": "法定期限", "facts": "事实",
    "warnings": "期限提示", "milestones": "节点日期",
    "recorded_by": "填报人", "recorded_at": "填报时间", "failures": "检查未通过项", "attempt": "办理次数",
    "done_at": "完成时间", "done_on": "完成日", "late": "逾期完成", "overdue_noted": "已记逾期",
    "invalidated": "已失效", "note": "说明", "decisions": "审批记录", "launched_at": "启动时间",
    "catalogue_version": "步骤目录版本", "profile_version": "规则版本", "calendar_version": "日历数据版本",
    "name": "名称", "county": "县（区）", "profile_code": "规则", "party_day": "党组织选举日",
    "vc_day": "村委会选举日", "code": "代码", "anomaly": "无法解释的事件", "township": "乡镇", "households": "户数", "groups": "村民小组数",
}


@dataclass(frozen=True)
class Difference:
    where: str      # e.g. "党组织换届 P2.3", "村", "换届"
    field: str
    replayed: object
    stored: object

    def message(self) -> str:
        label = FIELD_LABELS.get(self.field, self.field)
        return f"{self.where} {label}：回放为 {_show(self.replayed)}，存储为 {_show(self.stored)}"

    def as_dict(self) -> dict:
        return {**asdict(self), "message": self.message()}


def _show(value: object) -> str:
    return "（无）" if value is None else str(value)


def replay_village(ctx: Context, *, village_code: str, at: dt.datetime | None = None, actor_name: str | None = None,
                   campaign_code: str | None = None) -> dict:
    with audit_session(ctx, actor_name) as (session, actor):
        campaign, _village = find_village(session, village_code, campaign_code)
        require_campaign(actor, campaign)
        return replay(village_events(session, campaign.code, village_code), at)


def check_village(ctx: Context, *, village_code: str, actor_name: str | None = None,
                  campaign_code: str | None = None) -> list[Difference]:
    """Every difference between a replay of every event so far and the stored rows (none: they agree).

    The rows are the state after every committed event, so the replay takes them all, even one
    stamped after the clock's now (a clock moved back, as in a rehearsal).
    """
    with audit_session(ctx, actor_name) as (session, actor):
        campaign, village = find_village(session, village_code, campaign_code)
        require_campaign(actor, campaign)
        replayed = replay(village_events(session, campaign.code, village_code))
        return compare(replayed, stored_state(session, campaign, village))


def stored_state(session: Session, campaign: Campaign, village: Village) -> dict:
    """The current rows, shaped like a replay (for comparison only: a replay never reads them)."""
    township = session.get(Township, village.township_id)
    cases = {}
    for case in session.exec(select(Case).where(Case.village_id == village.id).order_by(Case.id)):
        steps = {}
        for s in session.exec(select(StepState).where(StepState.case_id == case.id).order_by(StepState.id)):
            row = {f: getattr(s, f) for f in STEP_FIELDS if f != "decisions"}
            row.update(due=day(s.due), done_on=day(s.done_on), recorded_at=instant(s.recorded_at),
                       done_at=instant(s.done_at), failures=s.failures or [], warnings=s.warnings or [],
                       milestones=s.milestones or {})
            row["decisions"] = [
                {"attempt": d.attempt, "decision": d.decision, "decided_by": d.decided_by, "role": d.role,
                 "reason": d.reason, "decided_at": instant(d.decided_at)}
                for d in session.exec(select(GateDecision).where(GateDecision.step_state_id == s.id)
                                      .order_by(GateDecision.attempt))]
            steps[s.step_key] = row
        cases[case.election] = {"launched_at": instant(case.launched_at),
                                "versions": {k: getattr(case, k) for k in VERSION_FIELDS}, "steps": steps}
    info = {"name": village.name, "township": township.name, "households": village.households,
            "groups": village.groups}
    camp = {k: day(getattr(campaign, k)) if k.endswith("_day") else getattr(campaign, k) for k in CAMPAIGN_FIELDS}
    return {"village": village.code, "campaign": camp, "info": info, "cases": cases}


def compare(replayed: dict, stored: dict) -> list[Difference]:
    diffs = [Difference("回放", "anomaly", a, None) for a in replayed.get("anomalies", [])]
    diffs += _fields("换届", CAMPAIGN_FIELDS, replayed["campaign"], stored["campaign"])
    diffs += _fields("村", VILLAGE_FIELDS, replayed["info"], stored["info"])
    for election in sorted(set(replayed["cases"]) | set(stored["cases"])):
        label = ELECTION_LABELS.get(election, election)
        mine, theirs = replayed["cases"].get(election), stored["cases"].get(election)
        if mine is None or theirs is None:
            diffs.append(Difference(label, "launched_at", mine and mine["launched_at"], theirs and theirs["launched_at"]))
            continue
        diffs += _fields(label, ("launched_at",), mine, theirs)
        diffs += _fields(label, VERSION_FIELDS, mine["versions"], theirs["versions"])
        for key in sorted(set(mine["steps"]) | set(theirs["steps"])):
            a, b = mine["steps"].get(key), theirs["steps"].get(key)
            if a is None or b is None:
                diffs.append(Difference(f"{label} {key}", "status", a and a["status"], b and b["status"]))
                continue
            diffs += _fields(f"{label} {key}", STEP_FIELDS, a, b)
    return diffs


def _fields(where: str, names, mine: dict, theirs: dict) -> list[Difference]:
    return [Difference(where, f, mine.get(f), theirs.get(f)) for f in names if mine.get(f) != theirs.get(f)]
