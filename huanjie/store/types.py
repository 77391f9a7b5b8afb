"""Column types shared by the tables."""

from __future__ import annotations

import datetime as dt

import pendulum
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class AwareDateTime(TypeDecorator):
    """Timezone-aware timestamps on every backend.

    SQLite has no time zone type, so values are stored as naive UTC and handed back as
    aware UTC ``pendulum.DateTime``; PostgreSQL stores ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an aware column")
        utc = value.astimezone(dt.timezone.utc)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is not None and value.utcoffset():
            value = value.astimezone(dt.timezone.utc)
        # built directly: pendulum.instance(...).in_timezone("UTC") cost a step's load ≈ 10 %
        return pendulum.DateTime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                                 value.microsecond, tzinfo=pendulum.UTC, fold=value.fold)
