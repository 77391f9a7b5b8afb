"""Tables of the store: what one campaign, village and case look like right now.

The catalogue (huanjie.steps) says what a step *is*; these rows say where one village's
step *stands* (spec apart from instance). Every change to them is written in the same
transaction as its audit event (huanjie.store.events).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from huanjie.store.types import AwareDateTime

ELECTIONS = ("party", "vc")


def _ts(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), nullable=nullable))


def _json(default: Any) -> Any:
    return Field(default_factory=lambda: type(default)(), sa_column=Column(JSON, nullable=False))


class CampaignBase(SQLModel):
    code: str = Field(index=True, unique=True, max_length=40)
    name: str = Field(max_length=200)
    county: str = Field(max_length=100)
    profile_code: str = Field(max_length=20)
    party_day: dt.date
    vc_day: dt.date


class Campaign(CampaignBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    profile_version: str = Field(max_length=60)
    catalogue_version: str = Field(max_length=60)
    calendar_version: str = Field(max_length=120)
    # {"2026-10-12": "选举日"}: a county's extra rest days (domain.md §2.2)
    local_rest_days: dict = _json({})
    created_at: dt.datetime | None = _ts(nullable=False)


class Township(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    name: str = Field(max_length=100)


class VillageBase(SQLModel):
    code: str = Field(max_length=40)
    name: str = Field(max_length=100)
    households: int
    groups: int


class Village(VillageBase, table=True):
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    township_id: int = Field(foreign_key="township.id", index=True)


class Case(SQLModel, table=True):
    """One village × one election type, with the versions it runs under."""

    __table_args__ = (UniqueConstraint("village_id", "election"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    election: str = Field(max_length=10)
    catalogue_version: str = Field(max_length=60)
    profile_version: str = Field(max_length=60)
    calendar_version: str = Field(max_length=120)
    launched_at: dt.datetime | None = _ts(nullable=False)
    # wake counts requests to run the case's flow (facts, decisions, moves); ran is the
    # wake value the last finished run started from: the case needs a run while wake > ran.
    wake: int = Field(default=1, index=True)
    ran: int = 0
    # A worker running the case holds a lease (huanjie.service.claims): no other worker runs it
    # until the lease is released or has expired (its worker crashed).
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: dt.datetime | None = _ts()


class StepState(SQLModel, table=True):
    __tablename__ = "step_state"
    __table_args__ = (UniqueConstraint("case_id", "step_key"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    step_key: str = Field(max_length=10)
    # pending | blocked | awaiting | done | skipped
    status: str = Field(default="pending", max_length=12, index=True)
    due: dt.date
    statutory: bool
    provisional: bool = False
    warnings: list = _json([])
    milestones: dict = _json({})
    facts: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    recorded_by: str | None = Field(default=None, max_length=60)
    recorded_at: dt.datetime | None = _ts()
    failures: list = _json([])
    attempt: int = 1
    done_at: dt.datetime | None = _ts()
    done_on: dt.date | None = None  # the day the act took place (facts' date, else done_at's)
    late: bool = False
    overdue_noted: bool = False
    invalidated: bool = False
    note: str | None = None  # skip reason, rejection reason, reopen reason


class GateDecision(SQLModel, table=True):
    """One decision per gate attempt: the unique key makes a second decision fail."""

    __tablename__ = "gate_decision"
    __table_args__ = (UniqueConstraint("step_state_id", "attempt"),)
    id: int | None = Field(default=None, primary_key=True)
    step_state_id: int = Field(foreign_key="step_state.id", index=True)
    attempt: int
    decision: str = Field(max_length=10)  # approve | reject
    decided_by: str = Field(max_length=60)
    role: str = Field(max_length=30)
    reason: str | None = None
    decided_at: dt.datetime | None = _ts(nullable=False)


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=60)
    role: str = Field(max_length=30)
    # county | township | village ; scope is the township name or village code
    scope_kind: str = Field(max_length=10)
    scope: str | None = Field(default=None, max_length=100)
    # the county (县/区) the user works in; None only for county-wide roles serving every county
    county: str | None = Field(default=None, max_length=100)
    active: bool = True


class Event(SQLModel, table=True):
    """Append-only, hash-chained audit event (one chain per campaign, see events.py)."""

    __table_args__ = (UniqueConstraint("chain", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    chain: str = Field(max_length=40, index=True)
    seq: int
    kind: str = Field(max_length=40, index=True)
    actor: str = Field(max_length=60)
    role: str = Field(max_length=30)
    at: dt.datetime | None = _ts(nullable=False)
    village_code: str | None = Field(default=None, max_length=40, index=True)
    election: str | None = Field(default=None, max_length=10)
    step_key: str | None = Field(default=None, max_length=10)
    payload: dict = _json({})
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class ChainHead(SQLModel, table=True):
    """The latest (seq, hash) of each chain: the row appenders lock to serialise."""

    __tablename__ = "chain_head"
    chain: str = Field(primary_key=True, max_length=40)
    seq: int
    hash: str = Field(max_length=64)
