"""A person's to-do list (我的待办): what they must record or decide, across the villages in their scope.

``todo_list`` is the inbox of ``huanjie todo`` and of the web UI. It reads each village's
derived progress (huanjie.service.progress), so an item is exactly what the board shows as
holding that village: a step ready for its facts, facts to correct after a failed check or a
rejection, a gate this person may decide. Oldest due date first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlmodel import select

from huanjie.errors import InvalidInput, Problem
from huanjie.service.context import Context
from huanjie.service.roles import GATE_ROLES, RECORDERS, covers
from huanjie.service.users import resolve_actor
from huanjie.steps.status import StepStatus, status_label
from huanjie.store.db import reading
from huanjie.store.models import Campaign

ACTION_LABELS = {"record": "填报", "correct": "更正事实", "redo": "重新填报", "decide": "审批"}


@dataclass
class TodoItem:
    action: str                 # record | correct | redo | decide
    action_label: str           # 填报 | 更正事实 | 重新填报 | 审批
    campaign: str
    village: str
    village_name: str
    township: str
    step: str
    step_name: str
    stage: str
    due: dt.date
    overdue: bool
    status: str
    status_label: str
    why: str                    # one line: what holds the step now (service.progress holds)
    holds: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def todo_list(ctx: Context, *, actor_name: str | None, campaign_code: str | None = None, township: str | None = None,
              village: str | None = None, stage: str | None = None,
              due_before: dt.date | None = None) -> list[TodoItem]:
    """What ``actor_name`` must do now, oldest due date first; ``due_before`` keeps items due on or before it."""
    from huanjie.service.gates import recorders_of
    from huanjie.service.progress_rows import load_progress
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    if stage is not None and stage not in {s.key for s in catalogue.stages()}:
        known = "、".join(s.key for s in catalogue.stages())
        raise InvalidInput(f"没有阶段 {stage}", [Problem(f"阶段为：{known}", field="stage")])
    items: list[TodoItem] = []
    with reading(ctx.engine) as session:
        actor = resolve_actor(session, actor_name)
        campaign_id = None
        if campaign_code:
            campaign_id = session.exec(select(Campaign.id).where(Campaign.code == campaign_code)).first()
            if campaign_id is None:
                return []
        # narrow the query to the actor's own township or village; covers() decides the rest
        if actor.scope_kind == "township":
            if township not in (None, actor.scope):
                return []
            township = actor.scope
        elif actor.scope_kind == "village":
            if village not in (None, actor.scope):
                return []
            village = actor.scope
        villages = load_progress(session, catalogue, ctx.clock.today(), campaign_id=campaign_id, township=township,
                                 village=village)
        gates: dict[tuple[str, str, int], set[str]] = {}
        by_chain: dict[str, list] = {}
        for v in villages:  # who recorded each waiting gate's attempt: one query per campaign, not per gate
            for row in v.open_steps():
                if row.status == StepStatus.AWAITING:
                    by_chain.setdefault(v.campaign_code, []).append((v.code, row.key, row.attempt))
        for chain, attempts in by_chain.items():
            gates.update({(chain, *k): found for k, found in recorders_of(session, chain, attempts).items()})
        for v in villages:
            if not covers(actor, v.township, v.code, v.county):
                continue
            for row in v.open_steps():
                spec = catalogue.step(row.key)
                if stage is not None and spec.stage != stage:
                    continue
                if due_before is not None and row.due > due_before:
                    continue
                action = _action(actor, v, row, spec,
                                 lambda: gates.get((v.campaign_code, v.code, row.key, row.attempt), set()))
                if action is None:
                    continue
                holds = v.holds(row.key)
                items.append(TodoItem(action, ACTION_LABELS[action], v.campaign_code, v.code, v.name, v.township,
                                      row.key, spec.name, spec.stage, row.due, v.is_overdue(row.key), row.status,
                                      status_label(row.status), "；".join(h.text for h in holds),
                                      [h.as_dict() for h in holds]))
    order = catalogue.order
    items.sort(key=lambda i: (i.due, i.village, order(i.step)))
    return items


def _action(actor, village, row, spec, recorded_by) -> str | None:
    """What this person is to do with this open step now, if anything."""
    system = actor.role == "system"
    if row.status == StepStatus.AWAITING:
        may_decide = system or actor.role == GATE_ROLES[spec.gate]
        return "decide" if may_decide and actor.name not in recorded_by() else None
    if not (system or actor.role in RECORDERS[spec.actor]) or not village.ready(row.key):
        return None
    if row.status == StepStatus.BLOCKED:
        return "correct"
    if row.has_facts or spec.condition:
        return None  # recorded and waiting for the flow; conditional steps are decided by the flow
    return "redo" if row.key in village.rejections else "record"
