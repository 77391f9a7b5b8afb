"""Conditions of the conditional steps (V4.4, V7.x): pure functions over a ``CheckContext``.

A condition returns ``(holds, reason)``; when it does not hold the runner skips the step and
records the reason. If the facts needed to decide are missing or malformed the step is not
skipped: the clerk is asked to record it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from huanjie.steps.checks import CheckContext, FactProblem
from huanjie.steps.checks.facts import as_text, entries, nth
from huanjie.steps.checks.tally import results, seats_by_post

ConditionFn = Callable[[CheckContext], tuple[bool, str]]


@dataclass(frozen=True)
class ConditionSpec:
    key: str
    title: str
    fn: ConditionFn
    # The condition can still become true until the step's own deadline (a candidate may
    # withdraw in writing up to D_V - 3): a false answer skips the step only after that day.
    open_until_due: bool = False


CONDITIONS: dict[str, ConditionSpec] = {}


def condition(key: str, *, title: str, open_until_due: bool = False) -> Callable[[ConditionFn], ConditionFn]:
    def register(fn: ConditionFn) -> ConditionFn:
        CONDITIONS[key] = ConditionSpec(key, title, fn, open_until_due)
        return fn

    return register


@condition("candidate_withdrew", title="有正式候选人书面退出", open_until_due=True)
def candidate_withdrew(ctx: CheckContext) -> tuple[bool, str]:
    if not ctx.lookup("withdrawals", None):
        return False, "无候选人退出，本步骤跳过"
    try:
        who = [as_text(row.get("name"), "withdrawals", nth(i, "name")) for i, row in enumerate(entries(ctx, "withdrawals"))]
    except FactProblem as problem:
        return True, f"{problem.message}，请补录候选人退出和递补情况"
    return True, f"候选人 {'、'.join(who)} 书面退出，须按提名得票顺序递补"


@condition("seats_unfilled", title="第一轮当选人数不足应选名额")
def seats_unfilled(ctx: CheckContext) -> tuple[bool, str]:
    try:
        total = sum(seats_by_post(ctx).values())
        elected = sum(1 for r in results(ctx, "vc_results") if r.elected and not r.gave_way)
    except FactProblem as problem:
        return True, f"{problem.message}，无法判断是否缺额，请录入另行选举情况"
    if elected < total:
        return True, f"第一轮当选 {elected} 名，少于应选 {total} 名，不足的名额另行选举（《村民委员会组织法》第十五条）"
    return False, f"第一轮当选 {elected} 名，已满应选名额 {total} 名，无需另行选举，本步骤跳过"
