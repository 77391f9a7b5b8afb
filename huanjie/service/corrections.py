"""Corrections of recorded facts: ``--merge`` by each list's key, and the difference a correction
makes (kept in the correction's audit event)."""

from __future__ import annotations

from typing import Any


def _entry_key(spec, entry: Any) -> Any:
    if spec is None or not spec.key_column or not isinstance(entry, dict):
        return None
    value = entry.get(spec.key_column)
    return None if value is None else str(value).strip().upper()


def merged(old: dict[str, Any], new: dict[str, Any], schema=None) -> dict[str, Any]:
    """``new`` over ``old``: a list entry whose key (the list's ``key`` column: 身份证号, 姓名…)
    matches an earlier entry replaces it in place; other entries are added at the end."""
    result = dict(old)
    for key, value in new.items():
        spec = schema.get(key) if schema is not None else None
        if isinstance(value, list) and isinstance(result.get(key), list):
            rows = list(result[key])
            index = {k: i for i, e in enumerate(rows) if (k := _entry_key(spec, e)) is not None}
            for entry in value:
                k = _entry_key(spec, entry)
                if k is not None and k in index:
                    rows[index[k]] = entry
                else:
                    if k is not None:
                        index[k] = len(rows)
                    rows.append(entry)
            result[key] = rows
        else:
            result[key] = value
    return result


def fact_changes(old: dict[str, Any], new: dict[str, Any], schema) -> dict:
    """The difference a correction makes: facts added, removed and changed (before → after);
    a list with a key column is compared entry by entry."""
    out: dict[str, Any] = {"added": {}, "removed": {}, "changed": {}}
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if a is None:
            out["added"][key] = b
        elif b is None:
            out["removed"][key] = a
        else:
            spec = schema.get(key)
            if spec is not None and spec.key_column and isinstance(a, list) and isinstance(b, list):
                before = {_entry_key(spec, e): e for e in a}
                after = {_entry_key(spec, e): e for e in b}
                out["changed"][key] = {
                    "added": [e for k, e in after.items() if k not in before],
                    "removed": [e for k, e in before.items() if k not in after],
                    "changed": [{"before": before[k], "after": e} for k, e in after.items()
                                if k in before and before[k] != e]}
            else:
                out["changed"][key] = {"before": a, "after": b}
    return {k: v for k, v in out.items() if v}
