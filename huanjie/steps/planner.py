"""Due dates from the catalogue's deadline expressions, the rule profile and legal time.

Every deadline is derived from the anchors (D_P, D_V) and other steps' done dates, never
typed in: re-planning after a move or a completed step is just planning again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from huanjie.steps import deadline_expr as ex


@dataclass(frozen=True)
class Dated:
    date: dt.date
    provisional: bool = False
    warnings: tuple[str, ...] = ()
    proposed: dt.date | None = None


@dataclass(frozen=True)
class PlannedStep:
    key: str
    due: dt.date
    statutory: bool
    provisional: bool
    warnings: tuple[str, ...]
    proposed: dt.date | None
    milestones: dict[str, tuple[str, Dated]] = field(default_factory=dict)

    def milestones_json(self) -> dict:
        return {k: {"name": name, "due": d.date.isoformat(), "provisional": d.provisional}
                for k, (name, d) in self.milestones.items()}


def plan_steps(env, done: dict[str, dt.date]) -> dict[str, PlannedStep]:
    return _Planner(env, done).plan()


class _Planner:
    def __init__(self, env, done: dict[str, dt.date]) -> None:
        self.env, self.done = env, done
        self.cal = env.calendar
        self.memo: dict[str, Dated] = {}

    def plan(self) -> dict[str, PlannedStep]:
        result = {}
        for spec in self.env.catalogue.steps():
            due = self.step_due(spec.key)
            milestones = {m.key: (m.name, self.eval(m.expr)) for m in spec.milestones}
            result[spec.key] = PlannedStep(spec.key, due.date, spec.statutory, due.provisional, due.warnings,
                                           due.proposed, milestones)
        return result

    def step_due(self, key: str) -> Dated:
        if key not in self.memo:
            self.memo[key] = self.eval(self.env.catalogue.step(key).deadline)
        return self.memo[key]

    def ref(self, node) -> Dated:
        if isinstance(node, ex.Anchor):
            return Dated(self.env.anchors[node.name])
        if isinstance(node, ex.StepRef):
            if node.key in self.done:
                return Dated(self.done[node.key])
            due = self.step_due(node.key)
            return Dated(due.date, due.provisional)
        return self.eval(node)

    def days(self, node) -> int:
        return node.value if isinstance(node, ex.Literal) else int(self.env.profile[node.name])

    def eval(self, node) -> Dated:
        base = self.ref(node.ref)
        if isinstance(node, ex.On):
            return base
        n = self.days(node.days)
        compute = {
            ex.Before: self.cal.latest_before,
            ex.After: self.cal.after,
            ex.Period: self.cal.period_end,
            ex.Workdays: self.cal.add_workdays,
        }[type(node)]
        got = compute(base.date, n)
        warnings = tuple(dict.fromkeys(base.warnings + tuple(got.warnings)))
        return Dated(got.date, base.provisional or got.provisional, warnings, got.proposed)
