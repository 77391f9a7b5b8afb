"""Where one village's step stands: the step status, one enum, and its one set of transitions.

Every change of ``StepState.status`` goes through the functions below (SpiffWorkflow's
``Task._set_state``): the runner, recording, gate decisions and reopening call them, so the
rule "from which status may a step go where" lives in one table. The store keeps the value
as its string (the enum is a ``StrEnum``, so ``state.status == StepStatus.DONE`` holds for
rows read back as plain text).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class StepStatus(StrEnum):
    PENDING = "pending"      # facts not recorded yet, or recorded and not yet run
    BLOCKED = "blocked"      # recorded facts fail a check
    AWAITING = "awaiting"    # checks passed, the gate waits for a decision
    DONE = "done"
    SKIPPED = "skipped"      # a conditional step whose condition is false

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def finished(self) -> bool:
        return self in FINISHED


STATUS_LABELS = {
    StepStatus.PENDING: "待办",
    StepStatus.BLOCKED: "未通过检查",
    StepStatus.AWAITING: "等待审批",
    StepStatus.DONE: "已完成",
    StepStatus.SKIPPED: "已跳过",
}
OPEN = (StepStatus.PENDING, StepStatus.BLOCKED, StepStatus.AWAITING)
FINISHED = (StepStatus.DONE, StepStatus.SKIPPED)

# target status -> the statuses a step may come from
_ALLOWED = {
    StepStatus.PENDING: set(OPEN) | {StepStatus.SKIPPED},         # (re)recorded, returned by a rejection
    StepStatus.BLOCKED: {StepStatus.PENDING, StepStatus.BLOCKED, StepStatus.SKIPPED},
    StepStatus.AWAITING: {StepStatus.PENDING, StepStatus.BLOCKED},
    StepStatus.DONE: {StepStatus.PENDING, StepStatus.BLOCKED, StepStatus.AWAITING},
    StepStatus.SKIPPED: {StepStatus.PENDING},
}


def status_label(value: str) -> str:
    """The Chinese label of a stored status (or of "planned": a step of a village not launched)."""
    if value == "planned":
        return "未启动"
    return StepStatus(value).label


def _move(state, to: StepStatus) -> None:
    current = StepStatus(state.status)
    if current not in _ALLOWED[to]:
        raise RuntimeError(f"step {state.step_key}: no transition {current} -> {to}")
    state.status = to.value  # the plain string, as the store and the audit payloads keep it


def recorded(state, *, facts: dict, by: str, at: dt.datetime, failures: list[dict]) -> None:
    """Facts recorded (or replaced): pending until the flow runs, blocked if a check fails now."""
    _move(state, StepStatus.BLOCKED if failures else StepStatus.PENDING)
    state.facts, state.recorded_by, state.recorded_at = facts, by, at
    state.failures, state.note = failures, None


def blocked(state, failures: list[dict]) -> None:
    _move(state, StepStatus.BLOCKED)
    state.failures = failures


def awaiting(state) -> None:
    """Checks passed; the step's gate waits for a decision."""
    _move(state, StepStatus.AWAITING)
    state.failures = []


def done(state, *, at: dt.datetime, done_on: dt.date) -> None:
    """Done, late if the act's day is after the deadline in force."""
    _move(state, StepStatus.DONE)
    state.failures = []
    state.done_at, state.done_on = at, done_on
    state.late = done_on > state.due


def skipped(state, reason: str) -> None:
    _move(state, StepStatus.SKIPPED)
    state.note = reason


def returned(state, reason: str) -> None:
    """A rejected gate: the step goes back to the clerk for a new attempt, with the reason."""
    _move(state, StepStatus.PENDING)
    state.note, state.facts = reason, None
    state.recorded_by, state.recorded_at = None, None
    state.attempt += 1


def reopened(state, reason: str, *, invalidated: bool) -> None:
    """Done (or recorded) work undone: a new attempt from nothing; the history stays in the events."""
    state.status = StepStatus.PENDING.value  # from any status: a done step is reopened on purpose
    state.facts, state.failures = None, []
    state.recorded_by = state.recorded_at = state.done_at = state.done_on = None
    state.late, state.overdue_noted, state.note = False, False, reason
    state.invalidated = invalidated
    state.attempt += 1
