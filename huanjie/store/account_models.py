"""Accounts of the web UI: password hashes, login failures, server-side sessions, API tokens.

Kept apart from ``app_user`` (who someone is and what they may do): a user registered from
the CLI before passwords existed simply has no credential yet and cannot log in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from huanjie.store.types import AwareDateTime


def _ts(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(AwareDateTime(), nullable=nullable))


class Credential(SQLModel, table=True):
    __tablename__ = "user_credential"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    password_hash: str = Field(max_length=255)
    changed_at: dt.datetime | None = _ts(nullable=False)
    failed_logins: int = 0            # consecutive failures since the last success
    locked_until: dt.datetime | None = _ts()


class WebSession(SQLModel, table=True):
    """A browser session; the cookie carries the token, the table only its SHA-256."""

    __tablename__ = "web_session"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    csrf: str = Field(max_length=64)
    created_at: dt.datetime | None = _ts(nullable=False)
    seen_at: dt.datetime | None = _ts(nullable=False)
    ended_at: dt.datetime | None = _ts()


class ApiToken(SQLModel, table=True):
    """A bearer token for scripts calling /api/ (stored as its SHA-256)."""

    __tablename__ = "api_token"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    label: str = Field(default="", max_length=100)
    created_at: dt.datetime | None = _ts(nullable=False)
    revoked: bool = False
