"""Which deadline reminders are due now (domain.md §8): before, on the day, overdue, escalated.

Each open step has two tracks. The township track goes (before-3, before-1, on-day,
overdue): the latest stage whose time has come is the one due, so a scheduler that was
down sends one reminder, not the ones it missed. The county track has one stage,
``county``, a configurable number of days after the due day. A gate waiting for approval
also reminds its approvers once per attempt (stage ``gate``), and its before/on-day
reminders go to them rather than to the township's staff.

A reminder's key is (campaign, village, step, due day, stage): a moved deadline gets its
reminders again, an unchanged one never does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pendulum
from sqlalchemy import or_, select
from sqlmodel import Session

from huanjie.clock import TZ
from huanjie.reminders.config import ReminderRules
from huanjie.steps.state import OPEN
from huanjie.store.models import Campaign, Case, StepState, Township, Village
from huanjie.store.reminder_models import ReminderItem

HEADINGS = {"gate": "待您审批", "before": "即将到期", "on-day": "今日到期", "overdue": "已逾期，请乡镇督办",
            "county": "逾期未办，报县换届办"}


@dataclass(frozen=True)
class Reminder:
    key: str
    campaign_code: str
    audience: str            # township:<name> | approvers:<name> | county
    stage: str               # gate | before-<n> | on-day | overdue | county
    village: str
    village_name: str
    township: str
    step: str
    step_name: str
    due: dt.date
    provisional: bool
    fire_at: dt.datetime

    @property
    def heading(self) -> str:
        return HEADINGS["on-day" if self.stage == "on-day" else self.stage.split("-")[0]]


def _at(day: dt.date, hour: int) -> pendulum.DateTime:
    return pendulum.datetime(day.year, day.month, day.day, hour, tz=TZ)


def township_track(due: dt.date, rules: ReminderRules) -> list[tuple[str, pendulum.DateTime]]:
    """The township track's stages in time order."""
    stages = [(f"before-{n}", _at(due - dt.timedelta(days=n), rules.hour)) for n in sorted(set(rules.before_days),
                                                                                        reverse=True) if n > 0]
    if rules.on_day:
        stages.append(("on-day", _at(due, rules.hour)))
    # 24:00 of the due day has passed (《民法典》第二百零三条): overdue from the next morning.
    stages.append(("overdue", _at(due + dt.timedelta(days=1), rules.hour)))
    return stages


def county_time(due: dt.date, rules: ReminderRules) -> pendulum.DateTime:
    return _at(due + dt.timedelta(days=1 + rules.county_after_days), rules.hour)


def due_reminders(session: Session, campaign: Campaign, rules: ReminderRules, now: dt.datetime) -> list[Reminder]:
    """Reminders of this campaign whose time has come and that were never sent."""
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    now = pendulum.instance(now).in_timezone(TZ)
    horizon = now.date() + dt.timedelta(days=max([0, *rules.before_days]))
    s, v, t = StepState.__table__.c, Village.__table__.c, Township.__table__.c
    rows = session.connection().execute(
        select(v.code, v.name, t.name, s.step_key, s.status, s.due, s.provisional, s.attempt)
        .select_from(StepState.__table__)
        .join(Case.__table__, Case.__table__.c.id == s.case_id)
        .join(Village.__table__, v.id == Case.__table__.c.village_id)
        .join(Township.__table__, t.id == v.township_id)
        .where(Case.__table__.c.campaign_id == campaign.id, s.status.in_(OPEN),
               or_(s.due <= horizon, s.status == "awaiting")))
    found: list[Reminder] = []
    for code, vname, tname, key, status, due, provisional, attempt in rows:
        def make(stage: str, audience: str, fire_at: dt.datetime) -> Reminder:
            return Reminder(f"{campaign.code}:{code}:{key}:{due.isoformat()}:{stage}", campaign.code, audience,
                            stage, code, vname, tname, key, catalogue.step(key).name, due, provisional, fire_at)

        if status == "awaiting":
            found.append(make(f"gate-{attempt}", f"approvers:{tname}", now))
        if due > horizon:
            continue
        passed = [(stage, at) for stage, at in township_track(due, rules) if at <= now]
        if passed:
            stage, at = passed[-1]
            audience = f"approvers:{tname}" if status == "awaiting" and stage != "overdue" else f"township:{tname}"
            found.append(make(stage, audience, at))
        if county_time(due, rules) <= now:
            found.append(make("county", "county", county_time(due, rules)))
    return _unsent(session, found)


def _unsent(session: Session, reminders: list[Reminder]) -> list[Reminder]:
    sent: set[str] = set()
    keys = [r.key for r in reminders]
    for start in range(0, len(keys), 500):
        sent.update(session.scalars(select(ReminderItem.key).where(ReminderItem.key.in_(keys[start:start + 500]))))
    return [r for r in reminders if r.key not in sent]
