"""The weekly digest (每周重点工作提醒) of one township or of the whole county.

Each village's state, risk and stage states come from its summary (service.summaries, by
the one rule ``progress.conclude``); only the step rows the digest lists are read (open steps
due within the fortnight, at a gate, blocked, provisional, invalidated or rejected, and the
open steps they wait for), and what holds each comes from ``VillageProgress.holds``, so the
digest and ``huanjie status`` never disagree and a province-sized campaign stays fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import pendulum
from sqlalchemy import select
from sqlmodel import Session

from huanjie.clock import TZ
from huanjie.errors import InvalidInput, NotFound, Problem
from huanjie.reminders.config import DigestSchedule
from huanjie.service.campaigns import get_campaign
from huanjie.store.models import Township
from huanjie.store.reminder_models import Notice

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(slots=True)
class Item:
    village: str
    village_name: str
    township: str
    step: str
    step_name: str
    due: dt.date
    provisional: bool = False
    days: int = 0                 # overdue: days past due; gates: days waiting
    note: str = ""                # what holds it / why it must be done again


@dataclass
class StageCount:
    stage: str
    name: str
    election: str
    done: int = 0
    current: int = 0
    todo: int = 0


@dataclass
class Digest:
    campaign_code: str
    campaign_name: str
    county: str
    scope_kind: str               # township | county
    scope: str                    # the township's name, or the county's
    week: str                     # 2026-W39
    as_of: dt.datetime
    villages: int = 0
    due_7: list[Item] = field(default_factory=list)
    due_14: list[Item] = field(default_factory=list)
    overdue: list[Item] = field(default_factory=list)
    gates: list[Item] = field(default_factory=list)
    provisional: list[Item] = field(default_factory=list)
    invalidated: list[Item] = field(default_factory=list)
    redo: list[Item] = field(default_factory=list)        # invalidated or rejected: to be done again
    risk_changes: list[dict] = field(default_factory=list)
    risk_counts: dict[str, int] = field(default_factory=dict)
    stages: list[StageCount] = field(default_factory=list)
    risks: dict[str, str] = field(default_factory=dict)   # village → yellow | red (green left out)

    @property
    def audience(self) -> str:
        return "county" if self.scope_kind == "county" else f"township:{self.scope}"

    @property
    def title(self) -> str:
        return f"{self.scope}换届每周重点工作提醒（{week_label(self.week)}）"

    def as_dict(self) -> dict:
        return asdict(self)


def parse_week(week: str) -> tuple[int, int]:
    match = WEEK.match(week.strip())
    if not match:
        raise InvalidInput(f"周次 {week} 格式不对", [Problem("请写成 ISO 周次，如 2026-W39", field="week")])
    year, number = int(match[1]), int(match[2])
    try:
        dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise InvalidInput(f"{year} 年没有第 {number} 周", [Problem("ISO 周次为 1–52 或 53", field="week")]) from None
    return year, number


def week_label(week: str) -> str:
    year, number = parse_week(week)
    monday = dt.date.fromisocalendar(year, number, 1)
    sunday = monday + dt.timedelta(days=6)
    return f"{year}年第{number}周，{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日"


def week_of(day: dt.date) -> str:
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def slot_of_week(week: str, schedule: DigestSchedule) -> pendulum.DateTime:
    """When the digest of ``week`` is due (e.g. Monday 08:00 Asia/Shanghai)."""
    year, number = parse_week(week)
    day = dt.date.fromisocalendar(year, number, 1) + dt.timedelta(days=schedule.day_of_week)
    return pendulum.datetime(day.year, day.month, day.day, schedule.hour, schedule.minute, tz=TZ)


def latest_slot(now: dt.datetime, schedule: DigestSchedule) -> pendulum.DateTime:
    """The most recent digest time at or before ``now``: a digest missed while down is this one."""
    local = pendulum.instance(now).in_timezone(TZ)
    slot = slot_of_week(week_of(local.date()), schedule)
    return slot if slot <= local else slot.subtract(weeks=1)


def build_digest(session: Session, *, campaign_code: str, week: str, as_of: dt.datetime,
                 township: str | None = None) -> Digest:
    """The digest as of ``as_of``: windows of 7 and 14 days from that day; ``township`` None = county."""
    from huanjie.service.progress_rows import _gc_paused
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    campaign = get_campaign(session, campaign_code)
    if township is not None and session.scalar(
            select(Township.id).where(Township.campaign_id == campaign.id, Township.name == township)) is None:
        raise NotFound(f"换届 {campaign_code} 中没有乡镇 {township}", [Problem("请检查 --township", field="township")])
    local = pendulum.instance(as_of).in_timezone(TZ)
    digest = Digest(campaign.code, campaign.name, campaign.county, "township" if township else "county",
                    township or campaign.county, week, local)
    today = dt.date(local.year, local.month, local.day)
    week_end, fortnight_end = today + dt.timedelta(days=7), today + dt.timedelta(days=14)
    fortnight_text = fortnight_end.isoformat()  # ISO days compare as text
    names_of = {s.key: s.name for s in catalogue.steps()}
    with _gc_paused():  # tens of thousands of rows and items, no cycles among them
        villages = listed_villages(session, catalogue, today, campaign_id=campaign.id, township=township,
                                   until=fortnight_end)
        for v in villages:
            if v.risk != "green":
                digest.risks[v.code] = v.risk
            for row in v.steps.values():
                if row.finished:
                    continue
                key = row.key
                rejected = v.rejections.get(key)
                if not (row.due_text < fortnight_text or row.status in ("awaiting", "blocked") or row.provisional
                        or row.invalidated or rejected):
                    continue
                due = row.due
                item = functools.partial(Item, v.code, v.name, v.township, key, names_of[key], due,
                                         bool(row.provisional))
                if due < today:
                    digest.overdue.append(item(days=(today - due).days, note=_hold_text(v, key)))
                elif due < week_end:
                    digest.due_7.append(item())
                elif due < fortnight_end:
                    digest.due_14.append(item())
                if row.status == "awaiting":
                    at = v.waiting_since.get(key)
                    since = at.astimezone(TZ).date() if at else today
                    digest.gates.append(item(days=(today - since).days, note=_hold_text(v, key, "gate")))
                if row.provisional:
                    digest.provisional.append(item())
                if row.invalidated:
                    digest.invalidated.append(item())
                    digest.redo.append(item(note="选举日或节假日调整后已不满足期限，须重新办理"))
                elif rejected:
                    digest.redo.append(item(note=f"被驳回（{rejected.by}，{rejected.at.astimezone(TZ).date()}）："
                                                 f"{rejected.reason}"))
    digest.villages = len(villages)
    _count_stages(digest, catalogue, [v.stages for v in villages])
    digest.risk_counts = {level: 0 for level in ("green", "yellow", "red")}
    for v in villages:
        digest.risk_counts[v.risk] += 1
    previous = _previous_risks(session, campaign.code, digest.audience, local)
    if previous is not None:
        by_code = {v.code: (v.name, v.township) for v in villages}
        for code in sorted(set(previous) | set(digest.risks)):
            before, after = previous.get(code, "green"), digest.risks.get(code, "green")
            if before != after and code in by_code:
                digest.risk_changes.append({"village": code, "village_name": by_code[code][0],
                                            "township": by_code[code][1], "before": before, "after": after})
    order = {spec.key: i for i, spec in enumerate(catalogue.steps())}.__getitem__
    for items in (digest.due_7, digest.due_14, digest.provisional, digest.invalidated, digest.redo):
        items.sort(key=lambda i: (i.township, i.village, i.due, order(i.step)))
    digest.overdue.sort(key=lambda i: (-i.days, i.township, i.village, order(i.step)))
    digest.gates.sort(key=lambda i: (-i.days, i.township, i.village, order(i.step)))
    return digest


def listed_villages(session: Session, catalogue, today: dt.date, *, campaign_id: int, township: str | None,
                    until: dt.date) -> list:
    """Every launched village in scope (code order) as a ``VillageProgress`` whose ``steps`` are only the
    open steps a digest may list (due before ``until``, at a gate, blocked, provisional, invalidated or
    done before: maybe rejected) and the open steps those wait for; state, risk and stage states from
    the village's summary. What the digest shows of a village is the same as from its full rows
    (tests/reminders/test_digest_rows.py): the steps left out are finished or not listed, and finished
    steps hold nothing."""
    from sqlalchemy import String, case, cast, or_

    from huanjie.service.progress import StepRow, VillageProgress, _layout
    from huanjie.service.progress_rows import (S, V, _from_steps, _has_facts, _open_rejections, _People, _scoped,
                                               fetch, waiting_since)
    from huanjie.service.summaries import load_summaries
    from huanjie.steps.status import FINISHED, StepStatus

    summaries = load_summaries(session, catalogue, today, campaign_id=campaign_id, township=township)
    scope = (campaign_id, township, None)
    columns = (V.id, S.id, S.step_key, S.status, cast(S.due, String), S.statutory, S.provisional, S.invalidated,
               case((_has_facts(), 1), else_=0), case((S.status == StepStatus.BLOCKED.value, cast(S.failures, String))),
               S.note, S.recorded_by, S.attempt)  # the columns of StepRow, in order
    is_open = S.status.not_in([s.value for s in FINISHED])
    listed = or_(S.due < until, S.status.in_([StepStatus.AWAITING.value, StepStatus.BLOCKED.value]),
                 S.provisional == True, S.invalidated == True, S.attempt > 1)  # noqa: E712
    steps: dict[int, dict[str, StepRow]] = defaultdict(dict)
    for values in fetch(session, _scoped(_from_steps(*columns).where(is_open, listed), *scope)):
        steps[values[0]][values[2]] = StepRow._make(values)
    needed = sorted({r for rows in steps.values() for key in rows for r in catalogue.step(key).requires})
    if needed:  # the open steps a listed step waits for (what holds it names them), listed or not
        for values in fetch(session, _scoped(_from_steps(*columns).where(is_open, S.step_key.in_(needed)), *scope)):
            steps[values[0]][values[2]] = StepRow._make(values)
    order, _ = _layout(catalogue)
    today_text = today.isoformat()
    waiting = waiting_since(session, *scope)
    rejections = _open_rejections(session, *scope)
    people = _People(session)
    result = []
    for v in summaries:
        rows = steps.get(v.village_id, {})
        approvers, recorders = people.of(v.township, v.code, v.county)
        overdue = [key for key, _ in order if key in rows and rows[key].due_text < today_text]
        result.append(VillageProgress(v.village_id, v.code, v.name, v.township, v.county, v.campaign_code, today,
                                      v.state, v.risk, v.stage, v.stages, rows, overdue,
                                      rejections.get(v.village_id, {}), catalogue, approvers,
                                      waiting.get(v.village_id, {}), recorders))
    return result


def _hold_text(village, key: str, kind: str | None = None) -> str:
    """What holds the step, in one line (the holds of ``kind`` only, if given)."""
    return "；".join(h.text for h in village.holds(key) if kind is None or h.kind == kind)


def _count_stages(digest: Digest, catalogue, states: list[dict[str, str]]) -> None:
    """Villages per stage and state (the 作战图)."""
    counts = {s.key: StageCount(s.key, s.name, s.election) for s in catalogue.stages()}
    for by_stage in states:
        for key, state in by_stage.items():
            setattr(counts[key], state, getattr(counts[key], state) + 1)
    digest.stages = [c for c in counts.values() if c.done or c.current or c.todo]


def _previous_risks(session: Session, campaign_code: str, audience: str, before: dt.datetime) -> dict | None:
    """The risk levels of the last digest sent to this audience (None: this is the first)."""
    data = session.scalar(select(Notice.data).where(
        Notice.kind == "digest", Notice.campaign_code == campaign_code, Notice.audience == audience,
        Notice.created_at <= before).order_by(Notice.created_at.desc(), Notice.id.desc()).limit(1))
    return None if data is None else data.get("risks", {})
