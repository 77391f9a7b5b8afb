"""The board (作战图): villages × stages, what holds each village, its risk level.

Everything derived here comes from huanjie.service.progress, the one derivation that the
digest, ``huanjie todo`` and the web pages use too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlmodel import select

from huanjie.service.context import Context
from huanjie.service.progress import RISK_LABELS, VillageProgress
from huanjie.store.db import reading
from huanjie.store.models import Campaign


@dataclass
class VillageStatus:
    code: str
    name: str
    township: str
    state: str                      # done | running | awaiting | blocked | overdue
    state_label: str
    stage: str | None               # the earliest stage not finished (either election)
    risk: str                       # green | yellow | red (三色预警)
    risk_label: str
    waiting_for: list[str] = field(default_factory=list)   # gates waiting, who decides
    overdue: list[dict] = field(default_factory=list)
    stages: dict[str, str] = field(default_factory=dict)  # stage -> done | current | todo
    blocked: list[dict] = field(default_factory=list)
    holds: list[dict] = field(default_factory=list)        # per step worth a line: what holds it

    def as_dict(self) -> dict:
        return asdict(self)


def load_villages(ctx: Context, *, campaign_code: str | None = None, township: str | None = None,
                  village: str | None = None) -> list[VillageProgress]:
    """The derived progress of every launched village in scope (the web board calls this too)."""
    from huanjie.service.progress_rows import load_progress
    from huanjie.steps.catalogue import load_catalogue

    with reading(ctx.engine) as session:
        campaign_id = None
        if campaign_code:
            campaign_id = session.exec(select(Campaign.id).where(Campaign.code == campaign_code)).first()
            if campaign_id is None:
                return []
        return load_progress(session, load_catalogue(), ctx.clock.today(), campaign_id=campaign_id,
                             township=township, village=village)


def board(ctx: Context, *, campaign_code: str | None = None, township: str | None = None,
          village: str | None = None) -> list[VillageStatus]:
    return [village_status(p) for p in load_villages(ctx, campaign_code=campaign_code, township=township,
                                                     village=village)]


def village_status(p: VillageProgress) -> VillageStatus:
    cat = p.catalogue
    overdue = [{"step": k, "name": cat.step(k).name, "due": p.steps[k].due.isoformat()} for k in p.overdue]
    blocked = [{"step": r.key, "failures": [f["message"] for f in r.failures]}
               for r in p.open_steps() if r.status == "blocked"]
    holds = p.board_notes()
    waiting_for = [f"{h['step']} {h['name']}：{hold['text']}" for h in holds for hold in h["holds"]
                   if hold["kind"] == "gate"]
    return VillageStatus(p.code, p.name, p.township, p.state.value, p.state.label, p.stage, p.risk,
                         RISK_LABELS[p.risk], waiting_for, overdue, dict(p.stages), blocked, holds)


def status_report(ctx: Context, *, campaign_code: str | None = None, township: str | None = None,
                  village: str | None = None) -> dict:
    """What ``huanjie status --json`` (and later the web board) shows: villages and failing deliveries."""
    from huanjie.reminders import delivery_problems

    villages = board(ctx, campaign_code=campaign_code, township=township, village=village)
    return {"villages": [v.as_dict() for v in villages],
            "deliveries": delivery_problems(ctx, campaign_code=campaign_code)}
