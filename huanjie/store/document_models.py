"""Tables of the documents: every rendered document with its hashes, and the 文号 counters.

A rendered document is one (case, step, document code, step attempt): completing a step
again after a reopening issues a new document with a new number; retrying the same
completion finds its row and issues nothing twice. The counter row of an issuing body and
year is incremented in the transaction that stores the document, so numbers have no gaps
(a rollback undoes both) and no duplicates (the row is locked until commit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from huanjie.store.types import AwareDateTime


def _ts(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), nullable=nullable))


class DocumentNumberCounter(SQLModel, table=True):
    """The last 文号 issued by one body in one year."""

    __tablename__ = "document_number_counter"
    issuer: str = Field(primary_key=True, max_length=200)  # county/township[/village]/body
    year: int = Field(primary_key=True)
    last: int = 0


class RenderedDocument(SQLModel, table=True):
    __tablename__ = "rendered_document"
    __table_args__ = (UniqueConstraint("case_id", "step_key", "code", "attempt"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    step_key: str = Field(max_length=10)
    code: str = Field(max_length=4)
    attempt: int
    title: str = Field(max_length=200)
    number: str | None = Field(default=None, max_length=80)  # 文号, for numbered documents
    issued_on: dt.date
    docx_sha256: str = Field(max_length=64)
    html_sha256: str = Field(max_length=64)
    docx: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    html: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    rendered_at: dt.datetime | None = _ts(nullable=False)
