"""Loading one case's rows and writing its step changes with their events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from huanjie.steps.env import CaseEnv, campaign_env
from huanjie.steps.status import FINISHED, OPEN, StepStatus
from huanjie.store.events import EventDraft, append_many, appended, chain_seq
from huanjie.store.models import Campaign, Case, StepState, Township, Village

ENGINE_ACTOR = ("engine", "system")
__all__ = ["FINISHED", "OPEN", "CaseRows", "CaseView", "case_id_for", "load_case"]


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


class CaseRows:
    """The rows of the cases one run walks, loaded once and handed from step to step.

    Each step is still its own transaction; what it reads is the same as ``load_case`` would
    read, as long as no one else wrote to the campaign in between. Every change to a case's
    steps appends an event to its campaign's chain, so the chain's head tells: when it is
    where this run's own last transaction left it, the rows kept (with this run's changes
    applied to them) are the store's; else the village's rows are read again. A failed step
    (its transaction rolled back) drops everything kept (``forget``).
    """

    def __init__(self) -> None:
        self._views: dict[int, CaseView] = {}    # case id -> its view as the last transaction left it
        self._seq: dict[str, int] = {}           # chain -> its head after this run's last write
        self._start: tuple[str, int] | None = None

    def load(self, session: Session, case_id: int) -> CaseView:
        kept = self._views.get(case_id)
        case = kept.case if kept is not None else session.exec(select(Case).where(Case.id == case_id)).one()
        # the village's other case kept: this one's steps are among its village_steps
        sibling = kept or next((v for v in self._views.values() if v.village.id == case.village_id), None)
        if sibling is not None:
            chain = sibling.campaign.code
            _lock(session, case)  # the locks load_case takes, before the chain is read
            seq = chain_seq(session, chain)
            if seq == self._seq.get(chain):
                if kept is None:
                    kept = self._views[case_id] = CaseView(
                        case, sibling.campaign, sibling.village, sibling.township, sibling.env,
                        {k: s for k, s in sibling.village_steps.items() if s.case_id == case_id}, sibling.village_steps)
                self._start = (chain, seq)
                return self._attach(session, kept)
        else:
            chain = session.get(Campaign, case.campaign_id).code
            seq = chain_seq(session, chain)  # read before the rows: a write after it shows next time
        view = load_case(session, case_id, lock=True)
        self._keep(view)
        self._start = (chain, seq)
        return view

    def wrote(self, session: Session, view: CaseView) -> None:
        """Before the step's transaction commits: note where its events left the chain. The
        rows stay valid only if the chain moved by exactly this transaction's events."""
        chain, before = self._start
        after = chain_seq(session, chain)
        if after == before + appended(session, chain):
            self._seq[chain] = after
        else:
            self.forget()

    def forget(self) -> None:
        self._views.clear()
        self._seq.clear()

    def _keep(self, view: CaseView) -> None:
        # read afresh: the village's other case, if kept, holds rows of its own (its steps are in
        # village_steps too); drop it, to share this view's rows when it comes
        for case_id, other in list(self._views.items()):
            if other.village.id == view.village.id and case_id != view.case.id:
                del self._views[case_id]
        self._views[view.case.id] = view

    def _attach(self, session: Session, kept: CaseView) -> CaseView:
        session.add_all([kept.case, kept.campaign, kept.village, kept.township, *kept.village_steps.values()])
        return CaseView(kept.case, kept.campaign, kept.village, kept.township, campaign_env(kept.campaign),
                        kept.steps, kept.village_steps)


def _lock(session: Session, case: Case) -> None:
    """PostgreSQL: what ``load_case(lock=True)`` locks (the campaign FOR SHARE, then the case FOR UPDATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Campaign.id).where(Campaign.id == case.campaign_id).with_for_update(read=True))
        session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
