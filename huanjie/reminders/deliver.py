"""Issuing a notice to its recipients and delivering it: once, with bounded retries, every try logged.

Issuing writes the notice (the archived rendering), its reminder items and one delivery
row per channel and address, plus the audit event, in the caller's transaction; the
unique keys make a second issue of the same thing fail instead of sending twice.
Delivering takes each due delivery on its own: it leases the row (so two sweeps never
send the same row at once), tries the channel a few times with a growing pause, logs
every try, and leaves the row ``sent``, ``retrying`` (the next sweep tries again) or
``failed`` (given up after ``max_attempts``). One channel failing never stops the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlmodel import Session

from huanjie.plain_text import clean
from huanjie.reminders.channels import Channel, Message, build_channels
from huanjie.reminders.config import NotifyConfig, Recipients
from huanjie.service.context import Context
from huanjie.store.db import reading, transaction
from huanjie.store.events import EventDraft, append
from huanjie.store.reminder_models import Delivery, DeliveryAttempt, Notice, ReminderItem

log = logging.getLogger(__name__)
ACTOR = ("reminders", "system")
LEASE = dt.timedelta(minutes=10)
STATUS_LABELS = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "retrying": "发送失败，等待重试",
                 "failed": "发送失败，已放弃"}
CHANNEL_LABELS = {"smtp": "电子邮件", "wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人", "outbox": "文件发件箱"}


@dataclass
class Notify:
    """What sending needs besides the store: the configuration, the channels and a sleep to wait with."""

    config: NotifyConfig = field(default_factory=NotifyConfig)
    sleep: Callable[[float], None] = time.sleep
    channels: dict[str, Channel] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.channels = {**build_channels(self.config), **self.channels}


def targets(notify: Notify, recipients: Recipients, folder: str) -> list[tuple[str, str]]:
    """(channel, address) pairs; e-mail without a configured server still gets a row (it will fail, visibly)."""
    found = [("smtp", a) for a in recipients.email]
    found += [("wecom", url) for url in recipients.wecom]
    found += [("dingtalk", robot.url) for robot in recipients.dingtalk]
    if recipients.outbox and notify.config.outbox:
        found.append(("outbox", str(Path(notify.config.outbox) / folder)))
    return list(dict.fromkeys(found))


def folder_name(campaign_code: str, key: str, at: dt.datetime, label: str) -> str:
    slug = re.sub(r"[^\w-]+", "_", label).strip("_")
    return f"{campaign_code}/{at.strftime('%Y%m%d-%H%M')}-{slug}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def issue_notice(session: Session, *, notice: Notice, addresses: list[tuple[str, str]], event_kind: str,
                 event_payload: dict, items: list[ReminderItem] = ()) -> Notice:
    """Write the notice, its items, its deliveries and its event (IntegrityError if already issued)."""
    session.add(notice)
    session.flush()
    for item in items:
        item.notice_id = notice.id
    session.add_all(items)
    session.add_all(Delivery(dedupe_key=f"{notice.key}|{channel}|{hashlib.sha256(address.encode()).hexdigest()[:16]}",
                             notice_id=notice.id, campaign_code=notice.campaign_code, channel=channel,
                             address=address, status="pending", attempts=0, next_attempt_at=notice.created_at,
                             created_at=notice.created_at) for channel, address in addresses)
    session.flush()
    append(session, notice.campaign_code, EventDraft(
        kind=event_kind, actor=ACTOR[0], role=ACTOR[1], at=notice.created_at,
        payload={"notice": notice.key, "audience": notice.audience, "subject": notice.subject,
                 "sha256": notice.sha256, "pdf_sha256": notice.data.get("pdf_sha256"),
                 "deliveries": [f"{channel}:{mask(address)}" for channel, address in addresses], **event_payload}))
    return notice


def deliver_due(ctx: Context, notify: Notify, now: dt.datetime | None = None,
                notice_ids: list[int] | None = None) -> dict[str, int]:
    """Send every delivery whose time has come; returns counts by outcome."""
    now = now or ctx.clock.now()
    with reading(ctx.engine) as session:
        query = select(Delivery.id).where(_due(now)).order_by(Delivery.id)
        if notice_ids is not None:
            query = query.where(Delivery.notice_id.in_(notice_ids))
        ids = list(session.scalars(query))
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    for delivery_id in ids:
        try:
            outcome = deliver_one(ctx, notify, delivery_id, now)
        except Exception:  # one broken row must not block the sweep
            log.exception("delivery %s could not be processed", delivery_id)
            continue
        if outcome:
            counts[outcome] += 1
    return counts


def _due(now: dt.datetime):
    return or_(Delivery.status.in_(("pending", "retrying")) & (Delivery.next_attempt_at <= now),
               (Delivery.status == "sending") & (Delivery.lease_until < now))


def due_deliveries(ctx: Context, now: dt.datetime) -> list[dict]:
    """Deliveries the next sweep would send (new ones and retries)."""
    with reading(ctx.engine) as session:
        rows = session.execute(select(Delivery, Notice.subject).join(Notice, Notice.id == Delivery.notice_id)
                               .where(_due(now)).order_by(Delivery.id)).all()
    return [{"campaign": d.campaign_code, "subject": subject, "channel": d.channel, "address": mask(d.address),
             "status": d.status, "attempts": d.attempts} for d, subject in rows]


def deliver_one(ctx: Context, notify: Notify, delivery_id: int, now: dt.datetime) -> str | None:
    with transaction(ctx.engine) as session:
        leased = session.execute(update(Delivery).where(Delivery.id == delivery_id, or_(
            Delivery.status.in_(("pending", "retrying")), (Delivery.status == "sending") & (Delivery.lease_until < now)
        )).values(status="sending", lease_until=now + LEASE))
        if leased.rowcount != 1:
            return None  # another sweep has it, or it is done
        delivery = session.get(Delivery, delivery_id)
        notice = session.get(Notice, delivery.notice_id)
        message = Message(clean(notice.subject), notice.body_md, notice.brief_md, notice.body_html, notice.pdf,
                          notice.data.get("file", "message"))
    policy = notify.config.retry
    channel = notify.channels.get(delivery.channel)
    attempts = delivery.attempts
    for tried in range(policy.tries_per_run):
        if tried:
            notify.sleep(policy.backoff_seconds * 2 ** (tried - 1))
        attempts += 1
        error = None
        try:
            if channel is None:
                raise LookupError(f"未配置{CHANNEL_LABELS.get(delivery.channel, delivery.channel)}（提醒配置文件）")
            channel.send(delivery.address, message, ctx.clock.now())
        except Exception as exc:  # any failure of the channel is this row's failure, logged below
            error = f"{type(exc).__name__}: {exc}"[:2000]
        outcome = "sent" if error is None else ("failed" if attempts >= policy.max_attempts else "retrying")
        _log_attempt(ctx, delivery_id, attempts, error, outcome, policy.retry_after_minutes)
        if outcome != "retrying":
            return outcome
    return "retrying"


def _log_attempt(ctx: Context, delivery_id: int, attempt: int, error: str | None, outcome: str,
                 retry_after_minutes: int) -> None:
    at = ctx.clock.now()
    with transaction(ctx.engine) as session:
        session.add(DeliveryAttempt(delivery_id=delivery_id, attempt=attempt, at=at,
                                    outcome="sent" if error is None else "error", error=error))
        values = {"attempts": attempt, "last_error": error, "status": outcome, "lease_until": None,
                  "next_attempt_at": None}
        if outcome == "sent":
            values["sent_at"] = at
        elif outcome == "retrying":  # a later sweep tries again (this run may try again first)
            values["next_attempt_at"] = at + dt.timedelta(minutes=retry_after_minutes)
        session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


def mask(address: str) -> str:
    """Webhook keys and tokens are secrets: show the host and path only."""
    if not address.startswith(("http://", "https://")):
        return address
    parts = urllib.parse.urlsplit(address)
    query = "&".join(f"{k}=***" for k, _ in urllib.parse.parse_qsl(parts.query))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def delivery_problems(ctx: Context, campaign_code: str | None = None) -> list[dict]:
    """Deliveries that failed: still retrying, or given up. For ``huanjie status``."""
    with reading(ctx.engine) as session:
        query = (select(Delivery, Notice.subject, Notice.kind).join(Notice, Notice.id == Delivery.notice_id)
                 .where(or_(Delivery.status.in_(("retrying", "failed")),
                            Delivery.status.in_(("pending", "sending")) & (Delivery.attempts > 0)))
                 .order_by(Delivery.created_at, Delivery.id))
        if campaign_code:
            query = query.where(Delivery.campaign_code == campaign_code)
        rows = session.execute(query).all()
    return [{"campaign": d.campaign_code, "kind": kind, "subject": subject, "channel": d.channel,
             "channel_label": CHANNEL_LABELS.get(d.channel, d.channel), "address": mask(d.address),
             "status": d.status, "status_label": STATUS_LABELS[d.status], "attempts": d.attempts,
             "last_error": d.last_error, "next_attempt_at": d.next_attempt_at, "created_at": d.created_at}
            for d, subject, kind in rows]
