"""The board: villages × stages, what waits for whom, overdue steps, derived risk level."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from sqlmodel import select

from huanjie.service.context import Context
from huanjie.service.roles import GATE_ROLES, role_label
from huanjie.store.db import reading
from huanjie.store.models import (
    Campaign,
    Case,
    GateDecision,
    StepState,
    Township,
    Village,
)

STATE_ORDER = ("overdue", "blocked", "awaiting", "running", "done")


@dataclass
class VillageStatus:
    code: str
    name: str
    township: str
    state: str                      # done | running | awaiting | blocked | overdue
    stage: str | None               # the earliest stage not finished (either election)
    risk: str                       # green | yellow | red (domain.md §9)
    waiting_for: list[str] = field(default_factory=list)
    overdue: list[dict] = field(default_factory=list)
    stages: dict[str, str] = field(default_factory=dict)  # stage -> done | current | todo
    blocked: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def board(ctx: Context, *, campaign_code: str | None = None, township: str | None = None,
          village: str | None = None) -> list[VillageStatus]:
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    today = ctx.clock.now()
    with reading(ctx.engine) as session:
        query = (
            select(Village, Township.name, Case.election, StepState)
            .join(Township, Township.id == Village.township_id)
            .join(Campaign, Campaign.id == Village.campaign_id)
            .join(Case, Case.village_id == Village.id)
            .join(StepState, StepState.case_id == Case.id)
        )
        if campaign_code:
            query = query.where(Campaign.code == campaign_code)
        if township:
            query = query.where(Township.name == township)
        if village:
            query = query.where(Village.code == village)
        rows = session.exec(query).all()
        rejected = _rejections(session, {s.id for *_, s in rows})
    by_village: dict[int, tuple] = {}
    steps: dict[int, list[StepState]] = defaultdict(list)
    for v, tname, _election, state in rows:
        by_village[v.id] = (v, tname)
        steps[v.id].append(state)
    result = []
    for vid, (v, tname) in sorted(by_village.items(), key=lambda kv: kv[1][0].code):
        result.append(_village_status(catalogue, v, tname, steps[vid], today.date(), rejected))
    return result


def _rejections(session, state_ids: set[int]) -> set[int]:
    """Steps with a rejected gate that are not done again yet (a settled rejection is history)."""
    if not state_ids:
        return set()
    found = session.exec(select(GateDecision.step_state_id).join(StepState, StepState.id == GateDecision.step_state_id)
                         .where(GateDecision.decision == "reject", StepState.status != "done"))
    return set(found) & state_ids


def _village_status(catalogue, village, township, states, today, rejected) -> VillageStatus:
    by_key = {s.step_key: s for s in states}
    overdue = [{"step": s.step_key, "name": catalogue.step(s.step_key).name, "due": s.due.isoformat()}
               for s in states if s.status not in ("done", "skipped") and s.due < today]
    awaiting = [s for s in states if s.status == "awaiting"]
    blocked = [{"step": s.step_key, "failures": [f["message"] for f in s.failures]}
               for s in states if s.status == "blocked"]
    waiting_for = [f"{s.step_key} {catalogue.step(s.step_key).name}：待{role_label(GATE_ROLES[catalogue.step(s.step_key).gate])}审批"
                   for s in awaiting]
    stages: dict[str, str] = {}
    for stage in catalogue.stages():
        rows = [by_key[sp.key] for sp in catalogue.stage_steps(stage.key) if sp.key in by_key]
        if not rows:
            continue
        if all(r.status in ("done", "skipped") for r in rows):
            stages[stage.key] = "done"
        elif any(r.status != "pending" or r.facts is not None for r in rows):
            stages[stage.key] = "current"
        else:
            stages[stage.key] = "todo"
    current = next((k for k, v in stages.items() if v != "done"), None)
    if all(s.status in ("done", "skipped") for s in states):
        state = "done"
    elif overdue:
        state = "overdue"
    elif blocked:
        state = "blocked"
    elif awaiting:
        state = "awaiting"
    else:
        state = "running"
    risk = risk_level(by_key, overdue, blocked, any(s.id in rejected for s in states))
    return VillageStatus(village.code, village.name, township, state, current, risk, waiting_for, overdue,
                         stages, blocked)


def risk_level(by_key, overdue, blocked, was_rejected) -> str:
    """三色预警 (domain.md §9): derived from overdue steps, failed checks, rejections and P1.1."""
    assessed = ((by_key.get("P1.1") and by_key["P1.1"].facts) or {}).get("risk_level")
    statutory_overdue = any(by_key[o["step"]].statutory for o in overdue)
    if statutory_overdue or len(overdue) >= 3 or assessed == "red":
        return "red"
    if overdue or blocked or was_rejected or assessed == "yellow":
        return "yellow"
    return "green"


def status_report(ctx: Context, *, campaign_code: str | None = None, township: str | None = None,
                  village: str | None = None) -> dict:
    """What ``huanjie status --json`` (and later the web board) shows: villages and failing deliveries."""
    from huanjie.reminders import delivery_problems

    villages = board(ctx, campaign_code=campaign_code, township=township, village=village)
    return {"villages": [v.as_dict() for v in villages],
            "deliveries": delivery_problems(ctx, campaign_code=campaign_code)}
