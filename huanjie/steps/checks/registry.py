"""The check registry: pure functions over one step's facts, the case's other facts and the profile.

A check is registered with ``@check(key, title=..., fields={fact: 中文名})``. ``fields`` are the
facts it needs (a missing one is itself a failure naming it); ``optional`` documents facts it
reads only when present or only in some branches. The function yields ``(field, message)``
pairs, each message in Chinese naming the numbers and the clause.
"""

from __future__ import annotations

import re

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from huanjie.privacy import mask_text
from huanjie.rules import RuleProfile


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
LABELS: dict[str, str] = {}  # fact name -> Chinese label, from every registered check


def label(name: str) -> str:
    return LABELS.get(name, name)


def step_order(key: str) -> tuple:
    """'P2.10' sorts after 'P2.9'; the Party election (P) comes before the villager committee's (V)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key))


class FactProblem(Exception):
    """A fact is missing or malformed; ``run_checks`` reports it as a failure of the check."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class CheckContext:
    facts: Mapping[str, Any]                         # this step's recorded facts
    case_facts: Mapping[str, Mapping[str, Any]]      # step key -> facts of the case's other steps
    profile: RuleProfile
    village: Mapping[str, Any] = field(default_factory=dict)  # households, groups, name
    step: str | None = None                          # the step being checked, e.g. "V9.2"
    calendar: Any = None                             # huanjie.calendar.LegalCalendar of the campaign
    anchors: Mapping[str, Any] = field(default_factory=dict)  # D_P, D_V of the current plan
    done: Mapping[str, Any] = field(default_factory=dict)     # step key -> day it was done (its act day)

    def legal_calendar(self):
        if self.calendar is not None:
            return self.calendar
        from huanjie.calendar import load_calendar

        return load_calendar()

    def lookup(self, name: str, default: Any = MISSING) -> Any:
        """This step's fact, else the latest other step's: the one furthest along the process
        (P1.1 … P6.3, then V1.1 … V9.3), whatever order ``case_facts`` comes in.

        A fact recorded as null counts as absent. Without a default, absence raises
        ``FactProblem`` naming the fact.
        """
        if self.facts.get(name) is not None:
            return self.facts[name]
        for key in sorted(self.case_facts, key=step_order, reverse=True):
            facts = self.case_facts[key]
            if facts and facts.get(name) is not None:
                return facts[name]
        if default is MISSING:
            raise FactProblem(name, f"缺少“{label(name)}”（{name}）")
        return default


@dataclass(frozen=True)
class CheckFailure:
    check: str
    field: str | None
    message: str


Issue = tuple[str | None, str]
CheckFn = Callable[[CheckContext], Iterable[Issue]]


@dataclass(frozen=True)
class CheckSpec:
    key: str
    title: str
    fields: dict[str, str]
    fn: CheckFn
    optional: dict[str, str] = field(default_factory=dict)


CHECKS: dict[str, CheckSpec] = {}


def check(key: str, *, title: str, fields: Mapping[str, str],
          optional: Mapping[str, str] | None = None) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        if key in CHECKS:
            raise ValueError(f"duplicate check key {key}")
        CHECKS[key] = CheckSpec(key, title, dict(fields), fn, dict(optional or {}))
        for name, text in {**fields, **(optional or {})}.items():
            LABELS.setdefault(name, text)
        return fn

    return register


def run_checks(keys: Iterable[str], ctx: CheckContext) -> list[CheckFailure]:
    failures: list[CheckFailure] = []
    for key in keys:
        spec = CHECKS.get(key)
        if spec is None:
            raise KeyError(f"未登记的检查项：{key}")
        failures.extend(_run_one(spec, ctx))
    return failures


def _run_one(spec: CheckSpec, ctx: CheckContext) -> list[CheckFailure]:
    missing = [name for name in spec.fields if ctx.lookup(name, None) is None]
    if missing:
        return [CheckFailure(spec.key, name, f"缺少“{spec.fields[name]}”（{name}），无法核对：{spec.title}")
                for name in missing]
    found: list[CheckFailure] = []
    try:
        for field_name, message in spec.fn(ctx):
            found.append(CheckFailure(spec.key, field_name, mask_text(message)))
    except FactProblem as problem:
        found.append(CheckFailure(spec.key, problem.field, mask_text(f"{problem.message}，无法核对：{spec.title}")))
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        # facts shaped in a way no reader foresaw: the step stays blocked, the clerk is told
        fields = "、".join(spec.fields) or "相关事实"
        found.append(CheckFailure(spec.key, None, f"事实格式不正确（请检查 {fields}），无法核对：{spec.title}"))
    return found
