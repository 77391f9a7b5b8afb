"""People in facts, and who is whose close relative (近亲属, domain.md §6.3).

A person is a name, or a record ``{"name": "张三", "id": "330…", "relatives": [{"name": "张四",
"relation": "兄弟"}]}`` with any other fields the step needs. Two records are the same person
when their ``id``s are equal, or (if either lacks an id) when their names are equal. Two people
are close relatives when either lists the other with a relation word of
``data/close_relatives.yaml``; other relations (叔伯、侄子…) do not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from huanjie.steps.checks.lists import close_relatives
from huanjie.steps.checks.facts import FactProblem, as_text, nth
from huanjie.steps.checks.registry import CheckContext, label


def _norm_id(value: Any) -> str | None:
    text = "" if value is None else str(value).strip().upper()
    return text or None


@dataclass(frozen=True)
class Relative:
    name: str
    id: str | None
    relation: str


@dataclass(frozen=True)
class Person:
    name: str
    id: str | None = None
    relatives: tuple[Relative, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def same(self, other: Person | Relative) -> bool:
        if self.id and other.id:
            return self.id == other.id
        return self.name == other.name

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def as_person(value: Any, field_name: str, what: str = "") -> Person:
    if not isinstance(value, dict):
        return Person(as_text(value, field_name, what))
    name = as_text(value.get("name"), field_name, f"{what}的 name")
    relatives = value.get("relatives") or []
    if not isinstance(relatives, list):
        raise FactProblem(field_name, f"“{label(field_name)}”（{field_name}）{what}的 relatives 须为列表")
    parsed = []
    for index, rel in enumerate(relatives):
        where = f"{what}的 relatives {nth(index)}"
        if not isinstance(rel, dict):
            raise FactProblem(field_name, f"“{label(field_name)}”（{field_name}）{where}须为键值表（name、relation）")
        parsed.append(Relative(as_text(rel.get("name"), field_name, f"{where}的 name"), _norm_id(rel.get("id")),
                               as_text(rel.get("relation"), field_name, f"{where}的 relation")))
    return Person(name, _norm_id(value.get("id")), tuple(parsed), value)


def people(ctx: CheckContext, name: str) -> list[Person]:
    value = ctx.lookup(name)
    if not isinstance(value, list):
        raise FactProblem(name, f"“{label(name)}”（{name}）须为名单（列表），实为“{value}”")
    return [as_person(v, name, nth(i)) for i, v in enumerate(value)]


def find(person: Person | Relative, group: Iterable[Person]) -> Person | None:
    return next((p for p in group if p.same(person)), None)


def close_relation(a: Person, b: Person) -> str | None:
    """The 近亲属 category linking a and b (as either of them records it), or None."""
    _, words = close_relatives()
    for one, other in ((a, b), (b, a)):
        for rel in one.relatives:
            if other.same(rel) and rel.relation in words:
                return words[rel.relation]
    return None


def close_pairs(group: list[Person]) -> list[tuple[Person, Person, str]]:
    pairs = []
    for a, b in combinations(group, 2):
        relation = close_relation(a, b)
        if relation:
            pairs.append((a, b, relation))
    return pairs


def close_relatives_source() -> str:
    return close_relatives()[0]
