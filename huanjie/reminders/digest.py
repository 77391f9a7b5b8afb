"""The weekly digest (每周重点工作提醒, domain.md §8) of one township or of the whole county.

Built from a few lean queries (huanjie.reminders.digest_rows), so a province-sized
campaign stays fast; the risk level is the board's own rule
(huanjie.service.status), so the digest and ``huanjie status`` never disagree.
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
from huanjie.reminders import digest_rows as rows
from huanjie.reminders.config import DigestSchedule
from huanjie.service.campaigns import get_campaign
from huanjie.service.status import risk_level  # the board's 三色预警 rule (domain.md §9)
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
    names = rows.villages(session, campaign, township)
    facts = rows.assessments(session, campaign, township)
    rejected = rows.rejected_villages(session, campaign, township)
    waiting = rows.waiting_since(session, campaign, township)
    names_of = {s.key: s.name for s in catalogue.steps()}
    overdue_by: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    blocked: set[int] = set()
    for vid, state_id, key, status, due, statutory, provisional, invalidated in rows.listed_steps(
            session, campaign, township, fortnight_end):
        step_name, due, (code, vname, tname) = names_of[key], _date(due), names[vid]
        if status == "blocked":
            blocked.add(vid)
        if due < today:
            days = (today - due).days
            digest.overdue.append(Item(code, vname, tname, key, step_name, due, bool(provisional), days))
            overdue_by[vid].append((key, bool(statutory)))
        elif due < week_end:
            digest.due_7.append(Item(code, vname, tname, key, step_name, due, bool(provisional)))
        elif due < fortnight_end:
            digest.due_14.append(Item(code, vname, tname, key, step_name, due, bool(provisional)))
        if status == "awaiting":
            since = waiting.get(state_id)
            days = (today - since).days if since else 0
            digest.gates.append(Item(code, vname, tname, key, step_name, due, bool(provisional), days))
        if provisional:
            digest.provisional.append(Item(code, vname, tname, key, step_name, due, True))
        if invalidated:
            digest.invalidated.append(Item(code, vname, tname, key, step_name, due, bool(provisional)))
    digest.villages = len(names)
    _count_stages(digest, catalogue, rows.stage_states(session, catalogue, campaign, township))
    for vid, (code, _, _) in names.items():
        by_key = {k: _Step(st, None) for k, st in overdue_by[vid]}
        by_key["P1.1"] = _Step(by_key.get("P1.1", _Step(False, None)).statutory, facts.get(vid))
        level = risk_level(by_key, [{"step": k} for k, _ in overdue_by[vid]], vid in blocked, vid in rejected)
        if level != "green":
            digest.risks[code] = level
    digest.risk_counts = {level: 0 for level in ("green", "yellow", "red")}
    for code, _, _ in names.values():
        digest.risk_counts[digest.risks.get(code, "green")] += 1
    previous = _previous_risks(session, campaign.code, digest.audience, local)
    if previous is not None:
        by_code = {code: (vname, tname) for code, vname, tname in names.values()}
        for code in sorted(set(previous) | set(digest.risks)):
            before, after = previous.get(code, "green"), digest.risks.get(code, "green")
            if before != after and code in by_code:
                digest.risk_changes.append({"village": code, "village_name": by_code[code][0],
                                            "township": by_code[code][1], "before": before, "after": after})
    order = {spec.key: i for i, spec in enumerate(catalogue.steps())}.__getitem__
    for items in (digest.due_7, digest.due_14, digest.provisional, digest.invalidated):
        items.sort(key=lambda i: (i.township, i.village, i.due, order(i.step)))
    digest.overdue.sort(key=lambda i: (-i.days, i.township, i.village, order(i.step)))
    digest.gates.sort(key=lambda i: (-i.days, i.township, i.village, order(i.step)))
    return digest


@dataclass(frozen=True)
class _Step:
    statutory: bool
    facts: dict | None


@functools.lru_cache(maxsize=4096)
def _parse_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _date(value: dt.date | str) -> dt.date:
    """Due days are read as text (cheap on every backend) and parsed once per distinct day."""
    return _parse_date(value) if isinstance(value, str) else value


def _count_stages(digest: Digest, catalogue, states: dict[int, dict[str, str]]) -> None:
    """Villages per stage and state (the 作战图)."""
    counts = {s.key: StageCount(s.key, s.name, s.election) for s in catalogue.stages()}
    for by_stage in states.values():
        for key, state in by_stage.items():
            setattr(counts[key], state, getattr(counts[key], state) + 1)
    digest.stages = [c for c in counts.values() if c.done or c.current or c.todo]


def _previous_risks(session: Session, campaign_code: str, audience: str, before: dt.datetime) -> dict | None:
    """The risk levels of the last digest sent to this audience (None: this is the first)."""
    data = session.scalar(select(Notice.data).where(
        Notice.kind == "digest", Notice.campaign_code == campaign_code, Notice.audience == audience,
        Notice.created_at <= before).order_by(Notice.created_at.desc(), Notice.id.desc()).limit(1))
    return None if data is None else data.get("risks", {})
