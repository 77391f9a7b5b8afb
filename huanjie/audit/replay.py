"""Rebuilding a village's state from its events alone (``replay``), and comparing it with the store.

``replay`` is a pure function of the events: it reads no table, so what it shows is what the
record proves. Each case starts from its ``case.launched`` plan (with the catalogue, rule
profile and calendar versions it ran under); each later event changes its step exactly as
the engine changed the step_state row in the same transaction (huanjie.steps.runner,
huanjie.service.{records,gates,replan}).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from huanjie.audit.history import AuditEvent, instant

STEP_FIELDS = ("status", "due", "provisional", "statutory", "warnings", "milestones", "facts", "recorded_by", "recorded_at", "failures",
               "attempt", "done_at", "done_on", "late", "overdue_noted", "invalidated", "note", "decisions")
CAMPAIGN_FIELDS = ("code", "name", "county", "profile_code", "party_day", "vc_day")
VILLAGE_FIELDS = ("name", "township", "households", "groups")
VERSION_FIELDS = ("catalogue_version", "profile_version", "calendar_version")


def replay(events: Iterable[AuditEvent], at: dt.datetime | None = None) -> dict:
    """The state after every event up to ``at`` (all events when None), as JSON-ready data."""
    state: dict = {"village": None, "at": instant(at), "last_seq": 0, "campaign": {}, "info": {}, "cases": {},
                   "anomalies": []}
    for event in events:
        if at is not None and event.at > at:
            continue
        state["last_seq"] = event.seq
        if event.village_code and state["village"] is None:
            state["village"] = event.village_code
        handler = CHAIN_HANDLERS.get(event.kind)
        if handler:
            handler(state, event)
        elif event.step_key:
            _apply_step(state, event)
    return state


def _apply_step(state: dict, event: AuditEvent) -> None:
    handler = STEP_HANDLERS.get(event.kind)
    case = state["cases"].get(event.election)
    step = case["steps"].get(event.step_key) if case else None
    if handler is None:
        return  # an event that does not change the step (a reminder, a rendered document)
    if step is None:
        state["anomalies"].append(f"第 {event.seq} 号事件（{event.kind}）指向未启动的案件或不存在的步骤 "
                                  f"{event.election}/{event.step_key}")
        return
    handler(step, event)


# --- chain-level and case-level events -------------------------------------------------------

def _campaign(state: dict, event: AuditEvent) -> None:
    state["campaign"] = {k: event.payload.get(k) for k in CAMPAIGN_FIELDS}


def _campaign_moved(state: dict, event: AuditEvent) -> None:
    state["campaign"].update(event.payload["to"])


def _village(state: dict, event: AuditEvent) -> None:
    state["info"].update({k: event.payload[k] for k in VILLAGE_FIELDS if k in event.payload})


def _launched(state: dict, event: AuditEvent) -> None:
    p = event.payload
    state["cases"][event.election] = {
        "launched_at": instant(event.at),
        "launched_by": event.actor,
        "versions": {"profile": p.get("profile"), **{k: p.get(k) for k in VERSION_FIELDS}},
        "steps": {key: _blank(plan) for key, plan in p["steps"].items()},
    }


def _blank(plan: dict) -> dict:
    return {"status": "pending", "due": plan["due"], "provisional": plan["provisional"],
            "statutory": plan["statutory"], "warnings": plan.get("warnings", []),
            "milestones": plan.get("milestones", {}), "facts": None, "recorded_by": None, "recorded_at": None,
            "failures": [], "attempt": 1, "done_at": None, "done_on": None, "late": False,
            "overdue_noted": False, "invalidated": False, "note": None, "decisions": []}


# --- step events: each mirrors the engine's change of the step_state row ----------------------

def _recorded(step: dict, e: AuditEvent) -> None:
    failures = e.payload.get("failures") or []
    step.update(facts=e.payload["facts"], recorded_by=e.actor, recorded_at=instant(e.at), failures=failures,
                status="blocked" if failures else "pending", note=None, attempt=e.payload.get("attempt", step["attempt"]))


def _check_failed(step: dict, e: AuditEvent) -> None:
    step.update(status="blocked", failures=e.payload["failures"])


def _check_passed(step: dict, e: AuditEvent) -> None:
    step["failures"] = []


def _awaiting(step: dict, e: AuditEvent) -> None:
    step["status"] = "awaiting"


def _decided(step: dict, e: AuditEvent) -> None:
    step["decisions"].append({"attempt": e.payload["attempt"], "decision": e.payload["decision"],
                              "decided_by": e.actor, "role": e.role, "reason": e.payload.get("reason"),
                              "decided_at": instant(e.at)})


def _done(step: dict, e: AuditEvent) -> None:
    step.update(status="done", done_at=instant(e.at), done_on=e.payload["done_on"], late=e.payload["late"])


def _returned(step: dict, e: AuditEvent) -> None:
    step.update(status="pending", note=e.payload.get("reason"), facts=None, recorded_by=None, recorded_at=None,
                attempt=e.payload["attempt"])


def _skipped(step: dict, e: AuditEvent) -> None:
    step.update(status="skipped", note=e.payload.get("reason"))


def _overdue(step: dict, e: AuditEvent) -> None:
    step["overdue_noted"] = True


def _reopened(step: dict, e: AuditEvent) -> None:
    if "was" not in e.payload:
        # A skipped conditional step reopened by recording facts for it (huanjie.service.records):
        # only its status changes; the step.recorded event that follows carries the rest.
        step.update(status="pending", note=e.payload.get("reason"))
        return
    step.update(status="pending", facts=None, failures=[], recorded_by=None, recorded_at=None, done_at=None,
                done_on=None, late=False, overdue_noted=False, note=e.payload.get("reason"),
                invalidated=e.kind == "step.invalidated", attempt=e.payload["attempt"])


def _deadline(step: dict, e: AuditEvent) -> None:
    step.update(due=e.payload["to"], provisional=e.payload["provisional"],
                warnings=e.payload.get("warnings", step["warnings"]),
                milestones=e.payload.get("milestones", step["milestones"]))
    if step["status"] == "done" and step["done_on"]:
        step["late"] = step["done_on"] > step["due"]  # ISO dates compare as dates


CHAIN_HANDLERS: dict[str, Callable[[dict, AuditEvent], None]] = {
    "campaign.created": _campaign,
    "campaign.moved": _campaign_moved,
    "village.created": _village,
    "village.updated": _village,
    "case.launched": _launched,
}
STEP_HANDLERS: dict[str, Callable[[dict, AuditEvent], None]] = {
    "step.recorded": _recorded,
    "check.failed": _check_failed,
    "check.passed": _check_passed,
    "gate.awaiting": _awaiting,
    "gate.decided": _decided,
    "step.done": _done,
    "step.returned": _returned,
    "step.skipped": _skipped,
    "step.overdue": _overdue,
    "step.reopened": _reopened,
    "step.invalidated": _reopened,
    "deadline.moved": _deadline,
}
