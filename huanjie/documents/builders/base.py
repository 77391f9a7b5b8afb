"""The builder registry and the helpers builders share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from huanjie.documents.source import Source
from huanjie.documents.strokes import by_strokes
from huanjie.errors import InvalidInput


@dataclass(frozen=True)
class Builder:
    code: str
    issuer: str | None  # the body whose 文号 the document carries; None = a form without one
    fn: Callable[[Source], dict]


BUILDERS: dict[str, Builder] = {}


def builder(code: str, issuer: str | None = None):
    def register(fn: Callable[[Source], dict]) -> Callable[[Source], dict]:
        BUILDERS[code] = Builder(code, issuer, fn)
        return fn

    return register


def stroke_sorted(src: Source, names: Sequence[str], *, manual_order: Sequence[str] | None, field: str) -> list[str]:
    """Names in 姓氏笔画 order; a name that cannot be placed is a problem of the document."""
    try:
        return by_strokes(list(names), manual_order=manual_order, field=field)
    except InvalidInput as exc:
        src.problems.extend(exc.problems)
        return list(names)


def entries(src: Source, step: str, key: str, label: str, fields: dict[str, tuple[str, str]],
            *, allow_empty: bool = False) -> list[dict]:
    """Each entry of a listed fact with the ``fields`` it must have ({key: (label, kind)})."""
    out = []
    for i, entry in enumerate(src.need(step, key, label, "list0" if allow_empty else "list")):
        where = f"{step}.{key}[{i + 1}]"
        out.append({k: src.item(entry, k, lab, where, kind) for k, (lab, kind) in fields.items()})
    return out


def ratio_text(ratio) -> str:
    """A profile ratio as the law words it: 超过五分之四 / 不少于三分之一."""
    return ratio.requirement()


def by_name(rows: list[dict]) -> dict[str, dict]:
    return {r.get("name"): r for r in rows}
