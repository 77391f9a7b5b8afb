"""Tables of the reminders: what was issued (notice), to whom (delivery), and every try (attempt).

Sending once is a property of these tables, not of the scheduler: a notice's ``key`` is
unique (one weekly digest per scope and week), every reminder item has a unique key (one
reminder per step, due date and stage), and every delivery has a unique ``dedupe_key``
(notice × channel × address). Running the sweep twice finds the keys taken and sends
nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, String, Text
from sqlmodel import Field, SQLModel

from huanjie.store.types import AwareDateTime

DELIVERY_STATES = ("pending", "sending", "sent", "retrying", "failed")


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), nullable=nullable, index=index))


class Notice(SQLModel, table=True):
    """One issued message (a weekly digest or a batch of reminders), archived as rendered."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(300), nullable=False, unique=True))
    kind: str = Field(max_length=20, index=True)            # digest | reminder
    campaign_code: str = Field(max_length=40, index=True)
    audience: str = Field(max_length=120)                   # county | township:<name> | approvers:<name>
    subject: str = Field(max_length=300)
    body_md: str = Field(sa_column=Column(Text, nullable=False))
    brief_md: str = Field(sa_column=Column(Text, nullable=False))   # the robots' markdown
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    sha256: str = Field(max_length=64)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime | None = _ts(nullable=False)


class ReminderItem(SQLModel, table=True):
    """One reminder of one step (village × step × due date × stage), sent once."""

    __tablename__ = "reminder_item"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(300), nullable=False, unique=True))
    notice_id: int = Field(foreign_key="notice.id", index=True)
    campaign_code: str = Field(max_length=40, index=True)
    village_code: str = Field(max_length=40)
    step_key: str = Field(max_length=10)
    stage: str = Field(max_length=20)
    due: dt.date


class Delivery(SQLModel, table=True):
    """One notice to one address over one channel, with its state and tries."""

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(sa_column=Column(String(400), nullable=False, unique=True))
    notice_id: int = Field(foreign_key="notice.id", index=True)
    campaign_code: str = Field(max_length=40, index=True)
    channel: str = Field(max_length=20)                     # smtp | wecom | dingtalk | outbox
    address: str = Field(sa_column=Column(Text, nullable=False))
    # pending | sending | sent | retrying | failed (given up)
    status: str = Field(default="pending", max_length=12, index=True)
    attempts: int = 0
    next_attempt_at: dt.datetime | None = _ts(index=True)
    lease_until: dt.datetime | None = _ts()
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: dt.datetime | None = _ts(nullable=False)
    sent_at: dt.datetime | None = _ts()


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempt"
    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    attempt: int
    at: dt.datetime | None = _ts(nullable=False)
    outcome: str = Field(max_length=10)                     # sent | error
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
