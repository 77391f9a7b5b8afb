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


# 抄送 of the 公文 when the county's organs.toml names none ({county}, {township}, {village})
DEFAULT_COPY_TO = {
    "D01": "{township}村级换届工作指导组", "D05": "{township}村级换届工作指导组",
    "D10": "{township}村级换届工作指导组",
    "D02": "中共{county}委组织部，{township}村级换届工作指导组",
    "D06": "中共{county}委组织部，{township}纪委",
    "D11": "中共{county}委组织部",
}


def official(src: Source, code: str, body: str, *, signer: str | None = None, contact: bool = False) -> dict:
    """What a 公文 prints besides its body: 红头, 签发人, 附注 (联系人), 版记 (GB/T 9704-2012 7.2, 7.3.7, 7.4)."""
    issuer = src.issuer(body)
    v = src.village
    names = {"county": v.county, "township": v.township, "village": v.name}
    copy_to = src.organs.get("copy_to", code, names) or DEFAULT_COPY_TO.get(code, "").format(**names)
    out = {"masthead": issuer.masthead_text, "signer": signer, "copy_to": copy_to, "printer": issuer.printer_text,
           "contact": None, "phone": None}
    if contact:  # 请示: 联系人和电话 in the 附注 (GB/T 9704-2012 7.3.7); the county's organs.toml may name them
        out["contact"] = src.organs.get("contact", "name", names) or src.need("P2.2", "contact", "联系人")
        out["phone"] = src.organs.get("contact", "phone", names) or src.need("P2.2", "contact_phone", "联系电话")
    return {"official": out}


def body_short(org: str) -> str:
    """How a 批复 addresses the village body: 你支部 / 你总支 / 你村党委."""
    if "总支" in org:
        return "你总支"
    if "支部" in org:
        return "你支部"
    return "你村党委"
