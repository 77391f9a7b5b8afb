"""Loading one case's rows and writing its step changes with their events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from huanjie.steps.env import CaseEnv, campaign_env
from huanjie.steps.status import FINISHED, OPEN, StepStatus
from huanjie.store.events import EventDraft, append_many
from huanjie.store.models import Campaign, Case, StepState, Township, Village

ENGINE_ACTOR = ("engine", "system")
__all__ = ["FINISHED", "OPEN", "CaseView", "case_id_for", "load_case"]


@dataclass
class CaseView:
    """A case with everything its steps need, loaded in one go inside a transaction."""

    case: Case
    campaign: Campaign
    village: Village
    township: Township
    env: CaseEnv
    steps: dict[str, StepState]          # this case's steps by key
    village_steps: dict[str, StepState]  # both elections' steps of the village
    cache: dict = field(default_factory=dict)  # what is derived once per transaction (e.g. county templates)

    def facts_by_step(self) -> dict[str, dict]:
        return {k: s.facts for k, s in self.village_steps.items() if s.facts is not None}

    def village_info(self) -> dict:
        return {"name": self.village.name, "code": self.village.code,
                "households": self.village.households, "groups": self.village.groups}

    def done_dates(self) -> dict[str, dt.date]:
        return {k: s.done_on for k, s in self.village_steps.items() if s.status == StepStatus.DONE and s.done_on}

    def event(self, kind: str, step_key: str | None, payload: dict, at: dt.datetime,
              actor: tuple[str, str] = ENGINE_ACTOR) -> EventDraft:
        return EventDraft(kind=kind, actor=actor[0], role=actor[1], at=at, village_code=self.village.code,
                          election=self.case.election, step_key=step_key, payload=payload)

    def write(self, session: Session, drafts: list[EventDraft]) -> None:
        append_many(session, self.campaign.code, drafts)


def load_case(session: Session, case_id: int, *, lock: bool = False) -> CaseView:
    """With ``lock`` on PostgreSQL: the campaign FOR SHARE, then the case FOR UPDATE.

    Lock order everywhere: campaign, then case, then the chain head (taken when events are
    appended). Moves and other campaign-wide re-plans hold the campaign FOR UPDATE, so they
    wait for running step writes and step writes wait for them; nothing reads a stale plan.
    (SQLite needs none of this: every write transaction began IMMEDIATE.)
    """
    case = session.exec(select(Case).where(Case.id == case_id)).one()
    if lock and session.get_bind().dialect.name == "postgresql":
        campaign = session.exec(
            select(Campaign).where(Campaign.id == case.campaign_id).with_for_update(read=True)).one()
        case = session.exec(select(Case).where(Case.id == case_id).with_for_update()).one()
    else:
        campaign = session.get(Campaign, case.campaign_id)
    village = session.get(Village, case.village_id)
    township = session.get(Township, village.township_id)
    rows = session.exec(
        select(StepState, Case.election).join(Case, Case.id == StepState.case_id).where(Case.village_id == village.id)
    ).all()
    village_steps = {row.step_key: row for row, _ in rows}
    steps = {row.step_key: row for row, _ in rows if row.case_id == case.id}
    return CaseView(case, campaign, village, township, campaign_env(campaign), steps, village_steps)


def case_id_for(session: Session, village: Village, election: str) -> int | None:
    return session.exec(select(Case.id).where(Case.village_id == village.id, Case.election == election)).first()
