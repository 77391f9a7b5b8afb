"""The sweep: issue the digests and reminders whose time has come, then deliver what is due.

``fire_due(ctx, now)`` is the only thing the scheduler calls every few minutes. It is
idempotent (the store's unique keys decide what was already issued) and handles each
campaign, each notice and each delivery on its own: one failure is logged and the sweep
goes on. A digest missed while the scheduler was down is the latest slot's digest: it is
issued once when the sweep next runs, older missed weeks are not (coalesced).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

import pendulum
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from huanjie.clock import TZ
from huanjie.reminders.config import NotifySettings
from huanjie.reminders.deliver import Notify, deliver_due, folder_name, issue_notice, targets
from huanjie.reminders.digest import Digest, build_digest, latest_slot, slot_of_week, week_of
from huanjie.reminders.render import render_brief, render_html, render_markdown, render_pdf, render_reminder, sha256
from huanjie.reminders.rules import Reminder, due_reminders
from huanjie.service.context import Context
from huanjie.service.roles import TOWNSHIP_APPROVER
from huanjie.steps.state import OPEN
from huanjie.store.db import reading, transaction
from huanjie.store.models import Campaign, Case, StepState, Township, User, Village
from huanjie.store.reminder_models import Notice, ReminderItem

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    digests: list[str] = field(default_factory=list)      # notice keys issued
    reminders: list[str] = field(default_factory=list)
    deliveries: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def fire_due(ctx: Context, now: dt.datetime | None = None, *, notify: Notify | None = None) -> SweepReport:
    notify = notify or Notify(NotifySettings().load())  # never a silent sweep that consumes notices unsent
    now = pendulum.instance(now or ctx.clock.now()).in_timezone(TZ)
    report = SweepReport()
    for code in active_campaigns(ctx):
        for what, issue, found in (("digest", issue_due_digests, report.digests),
                                   ("reminders", issue_due_reminders, report.reminders)):
            try:
                found.extend(issue(ctx, notify, code, now))
            except Exception as exc:  # one broken campaign must not block the others
                log.exception("%s of campaign %s failed", what, code)
                report.errors.append(f"{code} {what}: {exc}")
    report.deliveries = deliver_due(ctx, notify, now)
    return report


def active_campaigns(ctx: Context) -> list[str]:
    """Campaigns with a launched case that still has an open step."""
    with reading(ctx.engine) as session:
        has_open = exists().where(Case.campaign_id == Campaign.id, StepState.case_id == Case.id,
                                  StepState.status.in_(OPEN))
        return list(session.scalars(select(Campaign.code).where(has_open).order_by(Campaign.code)))


# --- digests -----------------------------------------------------------------------------------

def digest_key(campaign_code: str, audience: str, week: str) -> str:
    return f"digest:{campaign_code}:{audience}:{week}"


def issue_due_digests(ctx: Context, notify: Notify, campaign_code: str, now: dt.datetime) -> list[str]:
    """The latest slot's digests (each township and the county) that were not issued yet."""
    slot = latest_slot(now, notify.config.digest_for(campaign_code))
    with reading(ctx.engine) as session:
        campaign = session.scalars(select(Campaign).where(Campaign.code == campaign_code)).one()
        if campaign.created_at > slot:
            return []  # no digest for a week that began before the campaign existed
        townships = _townships(session, campaign)
    issued = []
    for township in [*townships, None]:
        try:
            notice = issue_digest(ctx, notify, campaign_code=campaign_code, week=week_of(slot.date()),
                                  township=township, now=now)
        except Exception:
            log.exception("digest of %s %s failed", campaign_code, township or "county")
            continue
        if notice:
            issued.append(notice.key)
    return issued


def _townships(session: Session, campaign: Campaign) -> list[str]:
    return list(session.scalars(select(Township.name).distinct().join(Village, Village.township_id == Township.id)
                                .join(Case, Case.village_id == Village.id)
                                .where(Case.campaign_id == campaign.id).order_by(Township.name)))


def preview_digest(ctx: Context, notify: Notify, *, campaign_code: str, week: str, township: str | None,
                   now: dt.datetime) -> Digest:
    """The digest of ``week`` as it stands at ``now`` (or at the week's slot, if that is later)."""
    as_of = max(pendulum.instance(now), slot_of_week(week, notify.config.digest_for(campaign_code)))
    with reading(ctx.engine) as session:
        return build_digest(session, campaign_code=campaign_code, week=week, as_of=as_of, township=township)


def issue_digest(ctx: Context, notify: Notify, *, campaign_code: str, week: str, township: str | None,
                 now: dt.datetime) -> Notice | None:
    """Build, render, archive and queue one digest; None if it was issued before."""
    audience = "county" if township is None else f"township:{township}"
    key = digest_key(campaign_code, audience, week)
    if _issued(ctx, key):
        return None
    digest = preview_digest(ctx, notify, campaign_code=campaign_code, week=week, township=township, now=now)
    schedule = notify.config.digest_for(campaign_code)
    html, markdown = render_html(digest), render_markdown(digest)
    pdf = render_pdf(html) if schedule.attach_pdf else None
    data = {"week": week, "risks": digest.risks, "file": f"每周重点工作提醒-{digest.scope}-{week}",
            "pdf_sha256": sha256(pdf) if pdf else None, "md_sha256": sha256(markdown)}
    created = pendulum.instance(now).in_timezone(TZ)
    notice = Notice(key=key, kind="digest", campaign_code=campaign_code, audience=audience, subject=digest.title,
                    body_md=markdown, brief_md=render_brief(digest, schedule.brief_max_items), body_html=html, pdf=pdf,
                    sha256=sha256(html), data=data, created_at=created)
    recipients = notify.config.recipients_for(campaign_code, audience)
    addresses = targets(notify, recipients, folder_name(campaign_code, key, created, f"digest-{digest.scope}-{week}"))
    try:
        with transaction(ctx.engine) as session:
            return issue_notice(session, notice=notice, addresses=addresses, event_kind="digest.sent",
                                event_payload={"week": week, "scope": digest.scope, "villages": digest.villages,
                                               "overdue": len(digest.overdue), "gates": len(digest.gates)})
    except IntegrityError:
        return None  # another sweep issued it first


def _issued(ctx: Context, key: str) -> bool:
    with reading(ctx.engine) as session:
        return session.scalar(select(Notice.id).where(Notice.key == key)) is not None


# --- reminders ---------------------------------------------------------------------------------

def pending_reminders(ctx: Context, notify: Notify, campaign_code: str, now: dt.datetime) -> list[Reminder]:
    with reading(ctx.engine) as session:
        campaign = session.scalars(select(Campaign).where(Campaign.code == campaign_code)).one()
        return due_reminders(session, campaign, notify.config.reminders_for(campaign_code), now)


def issue_due_reminders(ctx: Context, notify: Notify, campaign_code: str, now: dt.datetime) -> list[str]:
    """One reminder notice per audience with every item that is due and unsent."""
    by_audience: dict[str, list[Reminder]] = defaultdict(list)
    for reminder in pending_reminders(ctx, notify, campaign_code, now):
        by_audience[reminder.audience].append(reminder)
    issued = []
    for audience, reminders in sorted(by_audience.items()):
        try:
            notice = _issue_reminders(ctx, notify, campaign_code, audience, reminders, now)
        except IntegrityError:
            continue  # another sweep sent some of these items first; the next sweep sends the rest
        except Exception:
            log.exception("reminders of %s to %s failed", campaign_code, audience)
            continue
        issued.append(notice.key)
    return issued


def _issue_reminders(ctx: Context, notify: Notify, campaign_code: str, audience: str, reminders: list[Reminder],
                     now: dt.datetime) -> Notice:
    created = pendulum.instance(now).in_timezone(TZ)
    keys = sorted(r.key for r in reminders)
    items_hash = sha256("\n".join(keys))
    key = f"reminder:{campaign_code}:{audience}:{created.isoformat()}:{items_hash[:12]}"
    groups = defaultdict(list)
    for r in sorted(reminders, key=lambda r: (r.fire_at, r.township, r.village, r.step)):
        groups[r.heading].append(_line(r, created.date()))
    kind, _, scope = audience.partition(":")
    who = {"county": "县换届办", "township": f"{scope}", "approvers": f"{scope}审批人"}[kind]
    title = f"换届工作提醒（{who}，{len(reminders)} 项）"
    with transaction(ctx.engine) as session:
        campaign = session.scalars(select(Campaign).where(Campaign.code == campaign_code)).one()
        markdown = render_reminder(title=title, groups=[{"heading": h, "items": i} for h, i in groups.items()],
                                   campaign_name=campaign.name, at=created)
        users = tuple(session.scalars(select(User.name).where(
            User.role == TOWNSHIP_APPROVER, User.scope_kind == "township", User.scope == scope, User.active)
            .order_by(User.name))) if kind == "approvers" else ()
        recipients = notify.config.recipients_for(campaign_code, audience, users)
        notice = Notice(key=key, kind="reminder", campaign_code=campaign_code, audience=audience, subject=title,
                        body_md=markdown, brief_md=markdown, sha256=sha256(markdown),
                        data={"file": "换届工作提醒", "approvers": list(users)}, created_at=created)
        items = [ReminderItem(key=r.key, notice_id=0, campaign_code=campaign_code, village_code=r.village,
                              step_key=r.step, stage=r.stage, due=r.due) for r in reminders]
        addresses = targets(notify, recipients, folder_name(campaign_code, key, created, f"reminder-{audience}"))
        return issue_notice(session, notice=notice, addresses=addresses, event_kind="reminder.sent",
                            event_payload={"items": len(keys), "items_sha256": items_hash},
                            items=items)


def _line(r: Reminder, today: dt.date) -> dict:
    days = (r.due - today).days
    note = f"还有 {days} 天" if days > 0 else ("今日到期" if days == 0 else f"已逾期 {-days} 天")
    return {"township": r.township, "village": r.village, "village_name": r.village_name, "step": r.step,
            "step_name": r.step_name, "due": r.due, "provisional": r.provisional, "note": note}


# --- what the next sweep would do ---------------------------------------------------------------

def what_is_due(ctx: Context, notify: Notify, now: dt.datetime) -> dict[str, list[dict]]:
    """What ``fire_due`` would issue and deliver at ``now`` (nothing is written)."""
    from huanjie.reminders.deliver import due_deliveries

    now = pendulum.instance(now).in_timezone(TZ)
    digests, reminders = [], []
    for code in active_campaigns(ctx):
        slot = latest_slot(now, notify.config.digest_for(code))
        with reading(ctx.engine) as session:
            campaign = session.scalars(select(Campaign).where(Campaign.code == code)).one()
            townships = _townships(session, campaign) if campaign.created_at <= slot else []
        scopes = [f"township:{t}" for t in townships] + (["county"] if townships else [])
        week = week_of(slot.date())
        digests += [{"campaign": code, "audience": a, "week": week} for a in scopes
                    if not _issued(ctx, digest_key(code, a, week))]
        reminders += [{"campaign": code, "audience": r.audience, "stage": r.stage, "heading": r.heading,
                       "village": r.village, "village_name": r.village_name, "township": r.township,
                       "step": r.step, "step_name": r.step_name, "due": r.due, "provisional": r.provisional}
                      for r in pending_reminders(ctx, notify, code, now)]
    return {"digests": digests, "reminders": reminders, "deliveries": due_deliveries(ctx, now)}
