"""On PostgreSQL too: an over-long name, a NUL, an out-of-range integer are Chinese errors naming
the field, with nothing written (never DataError / StringDataRightTruncation tracebacks)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from huanjie.errors import InvalidInput
from huanjie.service.users import add_user
from huanjie.store.db import reading, transaction
from huanjie.store.faults import user_error
from huanjie.store.models import Event, Township, Village
from tests.factories import make_campaign


def _events(ctx) -> int:
    with reading(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(Event)).one()


def test_values_the_columns_cannot_hold_are_refused_before_postgresql(pg_ctx):
    campaign = make_campaign(pg_ctx)
    before = _events(pg_ctx)
    for row, field in ((Township(campaign_id=campaign.id, name="镇" * 101), "name"),
                       (Township(campaign_id=campaign.id, name="城关\x00镇"), "name"),
                       (Village(campaign_id=campaign.id, township_id=1, code="V1", name="村", households=2**31,
                                groups=1), "households")):
        with pytest.raises(InvalidInput) as raised:
            with transaction(pg_ctx.engine) as s:
                s.add(row)
        assert raised.value.problems[0].field == field
    with pytest.raises(InvalidInput, match="用户名"):
        add_user(pg_ctx, name="张" * 61, role="county_office", scope_kind="county", scope=None)
    assert _events(pg_ctx) == before


@pytest.mark.parametrize("sql, words", [
    ("INSERT INTO township (campaign_id, name) VALUES (1, repeat('镇', 101))", "超过该项允许的长度"),
    ("SELECT 2147483648::int4", "超出该项允许的范围"),
])
def test_postgresql_data_errors_said_in_chinese(pg_ctx, sql, words):
    make_campaign(pg_ctx)
    with pytest.raises(DBAPIError) as raised:
        with transaction(pg_ctx.engine) as s:
            s.execute(text(sql))
    error = user_error(raised.value)
    assert isinstance(error, InvalidInput) and words in error.message and "未写入" in error.message


def test_a_nul_reaching_psycopg_is_said_in_chinese(pg_ctx):
    make_campaign(pg_ctx)
    with pytest.raises(Exception) as raised:
        with transaction(pg_ctx.engine) as s:
            s.execute(text("SELECT :v"), {"v": "a\x00b"})
    error = user_error(raised.value)
    assert isinstance(error, InvalidInput) and "空字符" in error.message, repr(raised.value)
