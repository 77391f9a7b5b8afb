"""The schema's limits, enforced before a statement reaches the database, on SQLite as well.

PostgreSQL refuses an over-long ``varchar(n)``, an integer outside ``int4``/``int8`` and a NUL
in text, with an error that names no field; SQLite silently stores all three. Every INSERT and
UPDATE is checked here against the column types of its table, so both stores refuse the same
values with a Chinese error naming the field, before anything is written.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Table, event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import Insert, Update
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import TypeDecorator

from huanjie.errors import InvalidInput, Problem

INT4 = 2**31
INT8 = 2**63

# (table, column) -> the label users know the value by
LABELS = {
    ("campaign", "name"): "换届名称", ("campaign", "county"): "县（区）", ("campaign", "code"): "换届代码",
    ("township", "name"): "乡镇", ("village", "code"): "村代码", ("village", "name"): "村名",
    ("village", "households"): "户数", ("village", "groups"): "村民小组数",
    ("app_user", "name"): "用户名", ("app_user", "scope"): "范围", ("app_user", "county"): "县（区）",
    ("event", "actor"): "操作人", ("gate_decision", "decided_by"): "审批人",
}


@lru_cache(maxsize=None)
def _rules(table: Table) -> dict[str, tuple[str, str, int | None]]:
    rules = {}
    for column in table.columns:
        label = LABELS.get((table.name, column.name), column.name)
        kind, kind_of = None, column.type
        if isinstance(kind_of, TypeDecorator):  # sqlmodel's AutoString, our AwareDateTime
            kind_of = kind_of.impl_instance
        if isinstance(kind_of, BigInteger):
            kind, limit = "int", INT8
        elif isinstance(kind_of, Integer):
            kind, limit = "int", INT4
        elif isinstance(kind_of, String):
            kind, limit = "str", kind_of.length
        if kind:
            rules[column.key] = (label, kind, limit)
            rules[column.name] = (label, kind, limit)
    return rules


def check_value(label: str, kind: str, limit: int | None, value: Any) -> str | None:
    if kind == "str" and isinstance(value, str):
        if "\x00" in value:
            return f"“{label}”含有空字符（NUL），不能保存"
        if limit is not None and len(value) > limit:
            return f"“{label}”为 {len(value)} 个字，超过允许的 {limit} 个字"
    elif kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        if not -limit <= value < limit:
            return f"“{label}”的数值 {value if len(str(value)) <= 30 else str(value)[:20] + '…'} 超出允许的范围"
    return None


def _rows(clause, multiparams, params) -> list[dict]:
    rows = []
    values = getattr(clause, "_values", None) or {}
    embedded = {getattr(k, "key", k): (v.value if isinstance(v, BindParameter) else None) for k, v in values.items()}
    if embedded:
        rows.append(embedded)
    for value in getattr(clause, "_multi_values", ()) or ():
        for row in value:
            if isinstance(row, dict):
                rows.append({getattr(k, "key", k): (v.value if isinstance(v, BindParameter) else v)
                             for k, v in row.items()})
    for group in (multiparams, params):
        if isinstance(group, dict):
            rows.append(group)
        elif isinstance(group, (list, tuple)):
            rows.extend(r for r in group if isinstance(r, dict))
    return rows


def install(engine: Engine) -> None:
    @event.listens_for(engine, "before_execute")
    def _check(conn, clause, multiparams, params, execution_options):
        if not isinstance(clause, (Insert, Update)) or not isinstance(clause.table, Table):
            return
        rules = _rules(clause.table)
        problems = []
        for row in _rows(clause, multiparams, params):
            for key, value in row.items():
                rule = rules.get(key)
                if rule is None:
                    continue
                message = check_value(*rule, value)
                if message:
                    problems.append(Problem(message, field=key))
        if problems:
            raise InvalidInput(f"有 {len(problems)} 项数据不符合存储要求，本次操作未写入任何内容", problems[:20])
