"""The human timeline of a village (时间, 操作人, 角色, 步骤, 内容), with 身份证号 masked.

Each event kind has a Chinese description built from its payload; a kind without one (added
later by another part of the engine) is still shown, with its payload. Every string that looks
like a 身份证号 is masked as public notices show it (domain.md §7: ``110105********002X``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from huanjie.audit.access import audit_session, require_campaign
from huanjie.audit.history import SHANGHAI, AuditEvent, village_events
from huanjie.calendar.legal import version_label
from huanjie.privacy import mask
from huanjie.service.context import Context
from huanjie.service.roles import role_label
from huanjie.service.villages import find_village

ELECTIONS = {"party": "党组织", "vc": "村委会"}
ACTORS = {"engine": "系统（流程引擎）", "system": "系统"}
DECISIONS = {"approve": "批准", "reject": "驳回"}
# Campaign-wide events (no village) shown in a village's log: those that move its dates.
CAMPAIGN_WIDE = ("campaign.", "calendar.")


@dataclass(frozen=True)
class LogEntry:
    seq: int
    time: str          # Asia/Shanghai, to the minute
    actor: str
    role: str
    step: str          # "党组织 P2.3 乡镇党委批复", or "" for campaign / village events
    content: str
    kind: str
    at: str            # ISO 8601, Asia/Shanghai
    payload: dict

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def village_log(ctx: Context, *, village_code: str, actor_name: str | None = None, campaign_code: str | None = None,
                person: str | None = None, step: str | None = None, since: dt.date | None = None,
                until: dt.date | None = None) -> list[LogEntry]:
    with audit_session(ctx, actor_name) as (session, actor):
        campaign, _village = find_village(session, village_code, campaign_code)
        require_campaign(actor, campaign)
        events = village_events(session, campaign.code, village_code)
    return timeline(events, person=person, step=step, since=since, until=until)


def timeline(events: Iterable[AuditEvent], *, person: str | None = None, step: str | None = None,
             since: dt.date | None = None, until: dt.date | None = None) -> list[LogEntry]:
    entries = []
    for e in events:
        local = e.at.astimezone(SHANGHAI)
        if e.village_code is None and not e.kind.startswith(CAMPAIGN_WIDE):
            continue
        if (person and e.actor != person) or (step and e.step_key != step) or \
                (since and local.date() < since) or (until and local.date() > until):
            continue
        entries.append(LogEntry(
            seq=e.seq, time=local.strftime("%Y-%m-%d %H:%M"), actor=ACTORS.get(e.actor, e.actor),
            role=role_label(e.role), step=_step(e), content=mask(describe(e)), kind=e.kind,
            at=dt.datetime.isoformat(local), payload=mask(e.payload)))
    return entries


def _step(e: AuditEvent) -> str:
    if not e.step_key:
        return ELECTIONS.get(e.election, "") if e.election else ""
    return f"{ELECTIONS.get(e.election, '')} {e.step_key} {step_name(e.step_key)}".strip()


def step_name(key: str) -> str:
    from huanjie.steps.catalogue import load_catalogue

    try:
        return load_catalogue().step(key).name
    except KeyError:
        return ""


def describe(e: AuditEvent) -> str:
    if e.kind == "step.recorded":
        return _recorded(e.payload, e.step_key)
    fn = DESCRIPTIONS.get(e.kind)
    if fn is None:
        return f"{e.kind}：{_json(e.payload)}"
    return fn(e.payload)


@functools.lru_cache(maxsize=64)
def _fact_labels(step_key: str | None) -> dict[str, tuple[str, dict[str, str]]]:
    """The step's facts by key: (Chinese label, labels of its choices), from the step's fact schema."""
    if not step_key:
        return {}
    from huanjie.service.facts import step_schema

    try:
        props = step_schema(step_key).get("properties", {})
    except Exception:  # a step no longer in the catalogue: the registry's labels then
        return {}
    return {k: (p.get("title", k), p.get("x-huanjie-labels") or p.get("items", {}).get("x-huanjie-labels") or {})
            for k, p in props.items()}


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _facts(facts: dict | None, step_key: str | None = None) -> str:
    from huanjie.steps.checks import registry  # the package registers every check's fact labels

    labels = _fact_labels(step_key)
    parts = []
    for key, value in (facts or {}).items():
        title, choices = labels.get(key, (None, {}))
        name = title or ("日期" if key == "date" else registry.label(key).split("（")[0])
        if isinstance(value, list):
            parts.append(f"{name}：{len(value)} 项")
        elif isinstance(value, dict):
            parts.append(f"{name}：" + "、".join(f"{k} {_value(v, {})}" for k, v in value.items()))
        else:
            parts.append(f"{name}：{_value(value, choices)}")
    return "；".join(parts)


def _value(value: Any, choices: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return choices.get(str(value), str(value))


def _failures(failures: list) -> str:
    return "；".join(f.get("message", _json(f)) if isinstance(f, dict) else str(f) for f in failures)


def _reason(p: dict) -> str:
    return f"；理由：{p['reason']}" if p.get("reason") else ""


def _recorded(p: dict, step_key: str | None = None) -> str:
    text = f"{'更正事实' if p.get('changes') else '填报事实'}（第 {p.get('attempt', 1)} 次办理）：{_facts(p.get('facts'), step_key)}"
    if p.get("failures"):
        text += f"。检查未通过 {len(p['failures'])} 项：{_failures(p['failures'])}"
    return text


def _done(p: dict) -> str:
    return f"办结，完成日 {p.get('done_on')}（期限 {p.get('due')}）" + ("，逾期完成" if p.get("late") else "")


def _moved(p: dict) -> str:
    to = f"{p.get('to')}（暂定）" if p.get("provisional") else str(p.get("to"))
    return f"期限由 {p.get('from')} 调整为 {to}" + _reason(p)


def _campaign_moved(p: dict) -> str:
    old, new = p.get("from", {}), p.get("to", {})
    return (f"调整选举日：党组织选举日 {old.get('party_day')} → {new.get('party_day')}，村委会选举日 "
            f"{old.get('vc_day')} → {new.get('vc_day')}" + _reason(p))


def _launched(p: dict) -> str:
    return (f"启动换届流程，共 {len(p.get('steps', {}))} 个步骤（步骤目录 {p.get('catalogue_version')}，规则 "
            f"{_profile(p.get('profile'))} {p.get('profile_version')}，日历数据 {version_label(str(p.get('calendar_version')))}）")


def _profile(code: Any) -> str:
    """A rule profile by its Chinese name (the code kept for the record)."""
    from huanjie.rules.loader import load_profile

    try:
        return load_profile(str(code)).name
    except Exception:  # a profile no longer shipped: its code
        return str(code)


DESCRIPTIONS: dict[str, Callable[[dict], str]] = {
    "campaign.created": lambda p: (f"创建换届“{p.get('name')}”（{p.get('county')}，规则 {_profile(p.get('profile_code'))}，"
                                   f"党组织选举日 {p.get('party_day')}，村委会选举日 {p.get('vc_day')}）"),
    "campaign.moved": _campaign_moved,
    "village.created": lambda p: (f"登记村 {p.get('name')}（{p.get('township')}，{p.get('households')} 户，"
                                  f"{p.get('groups')} 个村民小组）"),
    "village.updated": lambda p: "更新村信息：" + _facts({k: v for k, v in p.items() if k != "source"}),
    "user.added": lambda p: f"登记用户 {p.get('name')}，角色 {role_label(str(p.get('role')))}，范围 {p.get('scope') or '全县'}",
    "calendar.local_rest_day": lambda p: (f"取消本地休息日 {p.get('date')}" if p.get("removed") else
                                          f"增加本地休息日 {p.get('date')}（{p.get('label')}）"),
    "calendar.updated": lambda p: (f"法定节假日数据更新：{version_label(str(p.get('from')))} → "
                                   f"{version_label(str(p.get('to')))}"),
    "case.launched": _launched,
    "step.recorded": _recorded,  # with the step's labels: see describe()
    "check.failed": lambda p: f"检查未通过：{_failures(p.get('failures', []))}",
    "check.passed": lambda p: "检查全部通过",
    "gate.awaiting": lambda p: f"提交审批，等待乡镇审批（第 {p.get('attempt', 1)} 次办理）",
    "gate.decided": lambda p: f"审批{DECISIONS.get(p.get('decision'), p.get('decision'))}（第 {p.get('attempt')} 次办理）"
                              + _reason(p),
    "step.done": _done,
    "step.returned": lambda p: f"驳回后退回重新办理（转入第 {p.get('attempt')} 次办理）" + _reason(p),
    "step.skipped": lambda p: "条件不成立，跳过本步骤" + _reason(p),
    "step.overdue": lambda p: f"逾期未完成（期限 {p.get('due')}）",
    "step.reopened": lambda p: "重新打开，须重新办理" + _reason(p),
    "step.invalidated": lambda p: "期限变化后已不满足期限，原办理结果失效，须重新办理" + _reason(p),
    "deadline.moved": _moved,
    "document.rendered": lambda p: f"生成文书 {p.get('code')}《{p.get('title')}》" + (
        f"，文号 {p['number']}" if p.get("number") else ""),
    "document.incomplete": lambda p: f"文书 {p.get('code')} 未生成：缺少 " + "、".join(
        str(m.get("field")) for m in p.get("missing", [])),
    "document.failed": lambda p: f"文书 {p.get('code')} 生成失败",
    "digest.sent": lambda p: f"发出每周重点工作提醒：{p.get('subject', '')}",
    "reminder.sent": lambda p: f"发出期限提醒：{p.get('subject', '')}",
}
