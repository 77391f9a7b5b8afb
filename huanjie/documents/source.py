"""What a document builder reads: the village's recorded facts, with every gap noted.

A builder asks for each fact it prints (``src.need("P2.2", "meeting_date", "召开时间",
"date")``). A fact that is missing or of the wrong kind is recorded as a Chinese problem
and a harmless stand-in is returned, so the builder runs to the end and the caller can
list *every* missing field at once instead of stopping at the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from huanjie.documents.county import Organs
from huanjie.documents.identity import id_problem
from huanjie.documents.numbering import Issuer
from huanjie.errors import Problem

KINDS: dict[str, tuple[str, Callable[[Any], bool], Any]] = {
    "text": ("文字", lambda v: isinstance(v, str) and v.strip() != "", ""),
    "int": ("整数", lambda v: isinstance(v, int) and not isinstance(v, bool), 0),
    "bool": ("是/否", lambda v: isinstance(v, bool), False),
    "date": ("日期（YYYY-MM-DD）", lambda v: _is_date(v), dt.date(2000, 1, 1)),
    "list": ("列表", lambda v: isinstance(v, list) and len(v) > 0, []),
    "list0": ("列表", lambda v: isinstance(v, list), []),
    "dict": ("映射", lambda v: isinstance(v, dict) and len(v) > 0, {}),
}


def _is_date(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(value)
        return True
    except (TypeError, ValueError):
        return False


def _value(kind: str, value: Any) -> Any:
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


@dataclass
class Village:
    name: str
    code: str
    township: str
    county: str
    households: int
    groups: int


@dataclass
class Source:
    facts: dict[str, dict]          # step key -> recorded facts (both elections of the village)
    village: Village
    step: str                       # the step producing the document
    day: dt.date                    # the document's date
    anchors: dict[str, dt.date]     # D_P, D_V
    profile: Any                    # huanjie.rules.RuleProfile
    step_names: dict[str, str]
    milestones: dict[str, dict] = field(default_factory=dict)  # step -> its planned milestones
    numbers: dict[str, str] = field(default_factory=dict)      # earlier documents' 文号 by code
    dates: dict[str, dt.date] = field(default_factory=dict)    # earlier documents' 成文日期 by code
    organs: Organs = field(default_factory=Organs)             # the county's names (county.py)
    problems: list[Problem] = field(default_factory=list)

    # --- facts -----------------------------------------------------------------------------
    def need(self, step: str, key: str, label: str, kind: str = "text") -> Any:
        kind_label, ok, stand_in = KINDS[kind]
        facts = self.facts.get(step)
        where = f"步骤 {step}（{self.step_names.get(step, '')}）"
        if facts is None:
            self._missing(f"{where}尚无记录，缺少“{label}”（{key}）", f"{step}.{key}")
            return stand_in
        value = facts.get(key)
        if value is None or (kind in ("text", "list", "dict") and not ok(value)):
            self._missing(f"{where}未记录“{label}”（{key}）", f"{step}.{key}")
            return stand_in
        if not ok(value):
            self._missing(f"{where}的“{label}”（{key}）应为{kind_label}", f"{step}.{key}")
            return stand_in
        return _value(kind, value)

    def optional(self, step: str, key: str, default: Any = None) -> Any:
        return (self.facts.get(step) or {}).get(key, default)

    def has(self, step: str) -> bool:
        return step in self.facts

    def item(self, entry: Any, key: str, label: str, where: str, kind: str = "text") -> Any:
        """A field of one entry of a listed fact (``where`` names the entry, e.g. "V3.1.voters[3]")."""
        kind_label, ok, stand_in = KINDS[kind]
        value = entry.get(key) if isinstance(entry, dict) else None
        if value is None or not ok(value):
            what = "未填写" if value is None else f"应为{kind_label}："
            self._missing(f"{where} {what}“{label}”（{key}）", f"{where}.{key}")
            return stand_in
        return _value(kind, value)

    def person_id(self, number: Any, who: str, where: str) -> str:
        problem = id_problem(number, self.day, field=where, who=who)
        if problem:
            self.problems.append(problem)
            return ""
        return number

    def _missing(self, message: str, where: str) -> None:
        self.problems.append(Problem(message, field=where))

    # --- the bodies that issue documents ----------------------------------------------------
    def issuer(self, body: str) -> Issuer:
        v = self.village
        base = f"{v.county}/{v.township}"
        if body == "township":
            key, name, prefix = f"{base}/党委", f"中共{v.township}委员会", f"{v.township}选字"
            printer = f"中共{v.township}委员会办公室"
        elif body == "township_government":
            key, name, prefix = f"{base}/政府", f"{v.township}人民政府", f"{v.township}政字"
            printer = f"{v.township}人民政府办公室"
        elif body == "village_party":
            key, name, prefix = f"{base}/{v.code}/党组织", self.need("P2.1", "party_org", "村党组织名称"), f"{v.name}支字"
            printer = ""
        elif body == "election_committee":
            key, name, prefix = f"{base}/{v.code}/选委会", f"{v.name}村民选举委员会", f"{v.name}选委字"
            printer = ""
        elif body == "village_committee":
            key, name, prefix = f"{base}/{v.code}/村委会", f"{v.name}村民委员会", f"{v.name}村委字"
            printer = ""
        else:
            raise KeyError(body)
        names = {"county": v.county, "township": v.township, "village": v.name}
        o = self.organs
        return Issuer(key, o.get("name", body, names) or name, o.get("number_prefix", body, names) or prefix,
                      o.get("masthead", body, names) or "", o.get("printer", body, names) or printer)
