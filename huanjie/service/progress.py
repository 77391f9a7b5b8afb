"""Where a village stands and why it is not moving: the one derivation of derived state.

``derive`` turns one village's step rows into its state, stage states and risk level
(三色预警); ``VillageProgress.holds(step)`` says, for an unfinished step, what holds it:
the earlier step it waits for, the gate and who may decide it, a rejection with its reason
and who gave it, the failing checks, facts still to record, or a run still to happen.
The board (``huanjie status``), the weekly digest, ``huanjie todo`` and the web pages all
take these from here (huanjie.service.progress_rows loads the rows), so they never disagree.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from huanjie.service.facts import missing_facts_text
from huanjie.service.roles import GATE_ROLES, RECORDERS, role_label
from huanjie.steps.status import FINISHED, StepStatus, status_label


class VillageState(StrEnum):
    DONE = "done"
    RUNNING = "running"
    AWAITING = "awaiting"
    BLOCKED = "blocked"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return VILLAGE_STATE_LABELS[self]


VILLAGE_STATE_LABELS = {VillageState.DONE: "已完成", VillageState.RUNNING: "进行中", VillageState.AWAITING: "等待审批",
                        VillageState.BLOCKED: "未通过检查", VillageState.OVERDUE: "逾期"}
RISK_LABELS = {"green": "绿", "yellow": "黄", "red": "红"}
STAGE_LABELS = {"done": "已完成", "current": "进行中", "todo": "未开始"}
_FINISHED = frozenset(s.value for s in FINISHED)
RUN_HINT = "运行中的工作进程会自动推进；没有工作进程时请执行 huanjie run（或启动 huanjie worker）"


class StepRow(NamedTuple):
    """What the derivation reads of one step: a few columns of ``step_state``, as the database
    driver returns them (a province's digest reads hundreds of thousands; no conversion per row)."""

    village_id: int
    id: int
    key: str
    status: str
    due_text: str                   # YYYY-MM-DD
    statutory: bool
    provisional: bool
    invalidated: bool
    has_facts: bool
    failures_text: str | None       # JSON, read for blocked steps only
    note: str | None
    recorded_by: str | None
    attempt: int

    @property
    def due(self) -> dt.date:
        return _parse_date(self.due_text)

    @property
    def failures(self) -> list[dict]:
        return json.loads(self.failures_text) if self.failures_text else []

    @property
    def finished(self) -> bool:
        return self.status in _FINISHED


@functools.lru_cache(maxsize=4096)
def _parse_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


@dataclass(frozen=True)
class Rejection:
    by: str
    reason: str
    at: dt.datetime
    attempt: int


@dataclass(frozen=True)
class Hold:
    """One thing that holds a step. ``kind``: waits_for | gate | rejected | check | facts | run | condition."""

    kind: str
    text: str                                  # a Chinese sentence, as shown to users
    steps: tuple[str, ...] = ()                # waits_for: the unfinished earlier steps
    role: str | None = None                    # gate: the deciding role; facts: the recording role
    users: tuple[str, ...] = ()                # the users in scope who may act
    by: str | None = None                      # rejected: who rejected
    reason: str | None = None                  # rejected: why
    messages: tuple[str, ...] = ()             # check: the failing checks' messages
    brief: str = ""                            # a few words, for the board on a narrow terminal

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass
class VillageHead:
    """What a village's progress and its summary share: who it is and its concluded state."""

    village_id: int
    code: str
    name: str
    township: str
    county: str
    campaign_code: str
    today: dt.date
    state: VillageState
    risk: str                                  # green | yellow | red
    stage: str | None                          # the earliest stage not finished (either election)
    stages: dict[str, str]                     # stage -> done | current | todo


@dataclass
class VillageProgress(VillageHead):
    steps: dict[str, StepRow]
    overdue: list[str]                         # open steps past their due day, catalogue order
    rejections: dict[str, Rejection]           # open rejections (the step is not done again yet)
    catalogue: object = field(repr=False)
    approvers: tuple[str, ...] = ()            # users who decide this village's gates
    waiting_since: dict[str, dt.datetime] = field(default_factory=dict)  # gate waiting -> facts recorded at
    recorders: dict[str, tuple[str, ...]] = field(default_factory=dict)  # role -> users in scope
    _waiting: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)

    def open_steps(self) -> list[StepRow]:
        steps = self.steps
        return [row for key, _ in _layout(self.catalogue)[0] if (row := steps.get(key)) is not None
                and row.status not in _FINISHED]

    def is_overdue(self, key: str) -> bool:
        return key in self.overdue

    def waits_for(self, key: str) -> list[str]:
        """The earlier steps (catalogue ``requires``) this step waits for, unfinished."""
        found = self._waiting.get(key)
        if found is None:  # the rows never change: asked for again by ready, holds and the board
            steps = self.steps
            found = self._waiting[key] = [r for r in self.catalogue.step(key).requires
                                          if r in steps and steps[r].status not in _FINISHED]
        return list(found)

    def ready(self, key: str) -> bool:
        """Unfinished and every earlier step it needs is finished: someone can act on it now."""
        return not self.steps[key].finished and not self.waits_for(key)

    def holds(self, key: str) -> list[Hold]:
        """What holds an unfinished step (empty for a finished one)."""
        row, spec, cat = self.steps[key], self.catalogue.step(key), self.catalogue
        if row.finished:
            return []
        holds: list[Hold] = []
        waiting = self.waits_for(key)
        if waiting:
            names = "；".join(f"{w} {cat.step(w).name}（{_who_records(cat.step(w))}，{self._short_state(w)}）"
                             for w in waiting)
            holds.append(Hold("waits_for", f"等待前序步骤完成：{names}", steps=tuple(waiting),
                              brief="等 " + "、".join(waiting)))
        rejection = self.rejections.get(key)
        if rejection:
            holds.append(Hold("rejected", f"已被驳回（{rejection.by}，{_day(rejection.at)}）：{rejection.reason}；"
                                          "须按意见重新填报", by=rejection.by, reason=rejection.reason,
                              brief=f"被驳回：{_clip(rejection.reason)}"))
        status = StepStatus(row.status)
        if status is StepStatus.BLOCKED:
            messages = tuple(f["message"] for f in row.failures) or ("检查未通过",)
            holds.append(Hold("check", "未通过检查：" + "；".join(messages) + "。请更正事实后重新填报",
                              messages=messages, brief=f"未通过检查：{_clip(messages[0])}"))
        elif status is StepStatus.AWAITING:
            role = GATE_ROLES[spec.gate]
            users = tuple(u for u in self.approvers if u != row.recorded_by)
            who = "、".join(users) if users else f"尚未登记{self.township}的审批人"
            gate = spec.gate_label or "审批"
            holds.append(Hold("gate", f"等待{role_label(role)}{gate}（可审批：{who}）", role=role, users=users,
                              brief=f"待审批（{_names(users) or '无审批人'}）"))
        elif not waiting and row.has_facts:
            holds.append(Hold("run", f"事实已填报，等待流程运行：{RUN_HINT}", brief="已填报，待运行"))
        elif not waiting and spec.condition:
            holds.append(Hold("condition", "条件步骤：前序步骤的事实表明需要办理时才填报，否则到期后自动跳过",
                              brief="条件步骤"))
        elif not waiting:
            roles = RECORDERS[spec.actor]
            users = tuple(u for r in roles for u in self.recorders.get(r, ()))
            who = f"：{'、'.join(users)}" if users else ""
            holds.append(Hold("facts", f"待填报事实（由{_who_records(spec)}填报{who}）{missing_facts_text(cat, key)}",
                              role=roles[0], users=users,
                              brief=f"待填报（{_names(users) or _who_records(spec)}）"))
        return holds

    def _short_state(self, key: str) -> str:
        row = self.steps[key]
        if row.status == StepStatus.PENDING and row.has_facts:
            return "已填报，待流程运行"
        return status_label(row.status)

    def board_notes(self) -> list[dict]:
        """The steps worth a line on the board, most pressing first: at a gate, blocked, rejected
        or recorded without moving, and overdue steps someone can act on; then those ready to do."""
        pressing, ready = [], []
        for row in self.open_steps():
            if row.status != StepStatus.PENDING or row.key in self.rejections or row.has_facts:
                pressing.append(self.step_dict(row.key))
            elif self.ready(row.key):  # steps merely waiting for these are left out: these hold them
                (pressing if row.key in self.overdue else ready).append(self.step_dict(row.key))
        return pressing + ready

    def step_dict(self, key: str) -> dict:
        row, spec = self.steps[key], self.catalogue.step(key)
        return {"step": key, "name": spec.name, "status": row.status, "status_label": status_label(row.status),
                "due": row.due.isoformat(), "overdue": self.is_overdue(key),
                "holds": [h.as_dict() for h in self.holds(key)]}


@dataclass
class VillageSummary(VillageHead):
    """A village's state, risk and stage states without its step rows (the board's counts and
    filters): from huanjie.service.progress_rows.load_summaries, by the same ``conclude``."""

    overdue_count: int


def _clip(text: str, size: int = 16) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


def _names(users: tuple[str, ...]) -> str:
    return "、".join(users[:2]) + ("等" if len(users) > 2 else "")


def _who_records(spec) -> str:
    return "、".join(role_label(r) for r in RECORDERS[spec.actor])


def _day(at: dt.datetime) -> str:
    from huanjie.clock import TZ

    return at.astimezone(TZ).date().isoformat() if at.tzinfo else at.date().isoformat()


@functools.lru_cache(maxsize=8)
def _layout(catalogue) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """(step key, stage) in catalogue order, and the stage keys in order: read once per catalogue."""
    return tuple((s.key, s.stage) for s in catalogue.steps()), tuple(s.key for s in catalogue.stages())


def derive(catalogue, steps: dict[str, StepRow], today: dt.date, *, assessed: str | None,
           rejections: dict[str, Rejection]) -> tuple[VillageState, str, str | None, dict[str, str], list[str]]:
    """(state, risk, current stage, stage states, overdue steps) of one village.

    One pass over the rows gathers a ``Tally`` (what the rules read); ``conclude`` applies the
    rules. A province's digest calls this for every village; the board's summaries
    (huanjie.service.progress_rows.load_summaries) gather the same tally in SQL and call the
    same ``conclude``.
    """
    order, _ = _layout(catalogue)
    today_text = today.isoformat()  # ISO days compare as text
    tally = Tally()
    overdue = tally.overdue
    present, open_stages, started = tally.present, tally.open_stages, tally.started
    for key, stage in order:
        row = steps.get(key)
        if row is None:
            continue
        present.add(stage)
        status = row.status
        if status != "pending" or row.has_facts:
            started.add(stage)
        if status in _FINISHED:
            continue
        open_stages.add(stage)
        if row.due_text < today_text:
            overdue.append(key)
            tally.statutory_overdue = tally.statutory_overdue or bool(row.statutory)
        if status == "blocked":
            tally.blocked = True
        elif status == "awaiting":
            tally.awaiting = True
    state, risk, current, stages = conclude(catalogue, tally, assessed=assessed, rejected=bool(rejections))
    return state, risk, current, stages, overdue


@dataclass(slots=True)
class Tally:
    """What the rules read of one village's steps (an open step: one not finished).

    ``present``: stages with a step of the village; ``open_stages``: with an open step;
    ``started``: with a step not pending or with facts recorded; ``overdue``: open steps past
    their due day (keys in catalogue order; the SQL tally leaves the keys out and counts them
    in ``overdue_count``); ``statutory_overdue``: one of them has a statutory deadline.
    """

    present: set = field(default_factory=set)
    open_stages: set = field(default_factory=set)
    started: set = field(default_factory=set)
    overdue: list = field(default_factory=list)
    overdue_count: int | None = None
    statutory_overdue: bool = False
    blocked: bool = False
    awaiting: bool = False

    @property
    def overdue_steps(self) -> int:
        return len(self.overdue) if self.overdue_count is None else self.overdue_count


def conclude(catalogue, tally: Tally, *, assessed: str | None,
             rejected: bool) -> tuple[VillageState, str, str | None, dict[str, str]]:
    """The rules: (state, risk, current stage, stage states) from a village's tally.

    A stage is done when all its steps are finished, current when one has started (is not
    pending, or has facts recorded), todo otherwise. The village is done when no step is open;
    else overdue, blocked, awaiting a gate or running, the first that holds.
    """
    _, stage_keys = _layout(catalogue)
    open_stages, started = tally.open_stages, tally.started
    stages = {k: ("current" if k in started else "todo") if k in open_stages else "done"
              for k in stage_keys if k in tally.present}
    current = next((k for k, v in stages.items() if v != "done"), None)
    overdue = tally.overdue_steps
    if not open_stages:
        state = VillageState.DONE
    elif overdue:
        state = VillageState.OVERDUE
    elif tally.blocked:
        state = VillageState.BLOCKED
    elif tally.awaiting:
        state = VillageState.AWAITING
    else:
        state = VillageState.RUNNING
    risk = risk_level(statutory_overdue=tally.statutory_overdue, overdue=overdue, blocked=tally.blocked,
                      rejected=rejected, assessed=assessed)
    return state, risk, current, stages


def risk_level(*, statutory_overdue: bool, overdue: int, blocked: bool, rejected: bool, assessed: str | None) -> str:
    """三色预警: derived from overdue steps, failed checks, open rejections and the P1.1 assessment.

    Red: a statutory deadline missed, three or more steps overdue, or assessed red.
    Yellow: any step overdue, a failed check, a rejection not yet redone, or assessed yellow.
    A rejection whose step is done again is history: it colours nothing.
    """
    if statutory_overdue or overdue >= 3 or assessed == "red":
        return "red"
    if overdue or blocked or rejected or assessed == "yellow":
        return "yellow"
    return "green"
