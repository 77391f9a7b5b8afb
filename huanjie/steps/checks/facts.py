"""Typed readers for facts: a wrong type becomes a ``FactProblem`` naming the field, never a crash.

Facts are plain JSON (dates as ISO strings; CSV imports turn digits into ints and true/false into
booleans), so the readers accept those forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from huanjie.steps.checks.registry import CheckContext, FactProblem, label

_TRUE = {"true", "是", "yes", "y", "1"}
_FALSE = {"false", "否", "no", "n", "0"}


def _bad(field: str, what: str, expected: str, value: Any) -> FactProblem:
    where = f"{what} " if what and what[-1].isascii() else what
    return FactProblem(field, f"“{label(field)}”（{field}）{where}须为{expected}，实为“{value}”")


def as_int(value: Any, field: str, what: str = "") -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise _bad(field, what, "非负整数", value)


def as_bool(value: Any, field: str, what: str = "") -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _bad(field, what, "是或否（true/false）", value)


def as_date(value: Any, field: str, what: str = "") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _bad(field, what, "日期（YYYY-MM-DD）", value) from None


def as_text(value: Any, field: str, what: str = "") -> str:
    if value is None or isinstance(value, (dict, list)) or str(value).strip() == "":
        raise _bad(field, what, "非空文字", value)
    return str(value).strip()


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (or earlier); 29 February becomes 1 March forward
    (an 18th birthday is reached no earlier than that) and 28 February backward."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        if years >= 0:
            return dt.date(day.year + years, 3, 1)
        return dt.date(day.year + years, 2, 28)


def count(ctx: CheckContext, name: str) -> int:
    return as_int(ctx.lookup(name), name)


def day(ctx: CheckContext, name: str) -> dt.date:
    return as_date(ctx.lookup(name), name)


def optional_day(ctx: CheckContext, name: str) -> dt.date | None:
    value = ctx.lookup(name, None)
    return None if value is None else as_date(value, name)


def entries(ctx: CheckContext, name: str) -> list[dict]:
    """A list of records (each a mapping); an empty list is allowed."""
    value = ctx.lookup(name)
    if not isinstance(value, list):
        raise _bad(name, "", "列表", value)
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise _bad(name, nth(index), "键值表", item)
    return value


def mapping(ctx: CheckContext, name: str) -> dict:
    value = ctx.lookup(name)
    if not isinstance(value, dict):
        raise _bad(name, "", "键值表", value)
    return value


def names(value: Any, field: str, what: str = "") -> list[str]:
    """A list of names (strings, or records with a ``name``)."""
    if not isinstance(value, list):
        raise _bad(field, what, "名单（列表）", value)
    return [as_text(v.get("name") if isinstance(v, dict) else v, field, f"{what}{nth(i)}")
            for i, v in enumerate(value)]


def nth(index: int, key: str = "") -> str:
    """'第 3 项' or '第 3 项的 votes' for messages about one record of a list."""
    return f"第 {index + 1} 项" + (f"的 {key}" if key else "")
