"""A village's 47 steps with their due dates (planned, or as the running case has them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from huanjie.service.context import Context
from huanjie.service.villages import find_village
from huanjie.steps.env import campaign_env
from huanjie.steps.state import case_id_for, load_case
from huanjie.steps.status import status_label
from huanjie.store.db import reading


@dataclass
class PlanRow:
    step: str
    name: str
    election: str
    stage: str
    due: str
    statutory: bool
    provisional: bool
    warnings: list[str]
    source: str
    gate: str | None
    status: str = "planned"
    proposed: str | None = None
    milestones: dict = field(default_factory=dict)
    status_label: str = "未启动"
    holds: list[dict] = field(default_factory=list)  # unfinished steps: what holds them (service.progress)

    def as_dict(self) -> dict:
        return asdict(self)


def village_plan(ctx: Context, *, village_code: str, campaign_code: str | None = None) -> list[PlanRow]:
    with reading(ctx.engine) as session:
        campaign, village = find_village(session, village_code, campaign_code)
        env = campaign_env(campaign)
        plan = env.plan()
        states = {}
        for election in ("party", "vc"):
            case_id = case_id_for(session, village, election)
            if case_id is not None:
                states.update(load_case(session, case_id).steps)
        progress = None
        if states:
            from huanjie.service.progress_rows import load_progress

            [progress] = load_progress(session, env.catalogue, ctx.clock.today(), campaign_id=campaign.id,
                                       village=village.code)
    rows = []
    for spec in env.catalogue.steps():
        planned = plan[spec.key]
        state = states.get(spec.key)
        rows.append(PlanRow(
            step=spec.key, name=spec.name, election=spec.election, stage=spec.stage,
            due=(state.due if state else planned.due).isoformat(),
            statutory=planned.statutory,
            provisional=state.provisional if state else planned.provisional,
            warnings=list(state.warnings if state else planned.warnings),
            source=spec.source, gate=spec.gate,
            status=state.status if state else "planned",
            proposed=planned.proposed.isoformat() if planned.proposed else None,
            milestones=state.milestones if state else planned.milestones_json(),
            status_label=status_label(state.status) if state else status_label("planned"),
            holds=[h.as_dict() for h in progress.holds(spec.key)] if progress and state else [],
        ))
    return rows
