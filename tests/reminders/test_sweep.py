"""fire_due: digests and reminders issued once, delivered over every channel, failures retried and visible."""

from __future__ import annotations

import hashlib

from sqlmodel import func, select

from huanjie.reminders import delivery_problems, fire_due
from huanjie.store.db import reading
from huanjie.store.events import chain_events
from huanjie.store.reminder_models import Delivery, DeliveryAttempt, Notice, ReminderItem


def _notices(ctx, kind: str) -> list[Notice]:
    with reading(ctx.engine) as s:
        return list(s.exec(select(Notice).where(Notice.kind == kind).order_by(Notice.id)))


def _count(ctx, model) -> int:
    with reading(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def _stages(ctx, village: str, step: str) -> list[str]:
    with reading(ctx.engine) as s:
        return list(s.exec(select(ReminderItem.stage).where(ReminderItem.village_code == village,
                                                            ReminderItem.step_key == step,
                                                            ReminderItem.stage != "county")
                           .order_by(ReminderItem.id)))


def test_digest_mail_and_both_robot_messages_arrive(ctx, clock, campaign, smtp, robots, make_notify):
    notify = make_notify(smtp, robots, digest={"attach_pdf": True})
    clock.set("2026-08-03T08:00:00")  # Monday 08:00: the week's digest is due
    report = fire_due(ctx, clock.now(), notify=notify)

    assert f"digest:{campaign}:township:城关镇:2026-W32" in report.digests
    mails = {to[0]: mail for to, mail in smtp.handler.messages if "每周重点工作提醒" in mail["Subject"]}
    assert set(mails) == {"城关镇@example.cn", "清溪镇@example.cn", "county@example.cn"}
    mail = mails["城关镇@example.cn"]
    assert mail["Subject"] == "城关镇换届每周重点工作提醒（2026年第32周，8月3日—8月9日）"
    html = mail.get_body(("html",)).get_content()
    assert "东湖村" in html and "上林村" not in html  # a township's digest holds its own villages only
    [pdf] = list(mail.iter_attachments())
    assert pdf.get_content()[:5] == b"%PDF-"

    digests = [(robot, body) for robot, body in robots.received if "每周重点工作提醒" in str(body)]
    by_robot = {(robot, "城关镇" in str(body)) for robot, body in digests}
    assert {("wecom", True), ("dingtalk", True)} <= by_robot
    assert robots.rejected == []  # the DingTalk signature verified on the server

    [notice] = [n for n in _notices(ctx, "digest") if n.audience == "township:城关镇"]
    assert notice.sha256 == hashlib.sha256(notice.body_html.encode()).hexdigest()
    with reading(ctx.engine) as s:
        [event] = [e for e in chain_events(s, campaign) if e.kind == "digest.sent"
                   and e.payload["notice"] == notice.key]
    assert event.payload["sha256"] == notice.sha256
    assert event.payload["pdf_sha256"] == hashlib.sha256(pdf.get_content()).hexdigest()
    assert delivery_problems(ctx) == []


def test_three_weeks_give_exactly_three_digests_per_township(ctx, clock, campaign, make_notify):
    notify = make_notify()
    end = clock.now().add(weeks=3)
    while clock.now() < end:
        fire_due(ctx, clock.now(), notify=notify)
        clock.advance(hours=8)
    weeks: dict[str, list[str]] = {}
    for notice in _notices(ctx, "digest"):
        weeks.setdefault(notice.audience, []).append(notice.data["week"])
    assert weeks == {a: ["2026-W32", "2026-W33", "2026-W34"]
                     for a in ("township:城关镇", "township:清溪镇", "county")}
    with reading(ctx.engine) as s:
        outbox = s.exec(select(Delivery).join(Notice).where(Notice.kind == "digest")).all()
    assert len(outbox) == 9 and all(d.status == "sent" and d.channel == "outbox" for d in outbox)


def test_running_the_sweep_twice_sends_nothing_twice(ctx, clock, campaign, make_notify):
    notify = make_notify()
    clock.set("2026-08-03T09:00:00")
    first = fire_due(ctx, clock.now(), notify=notify)
    assert first.digests and first.reminders
    counts = (_count(ctx, Notice), _count(ctx, Delivery), _count(ctx, DeliveryAttempt))
    again = fire_due(ctx, clock.now(), notify=notify)
    later = fire_due(ctx, clock.now().add(minutes=5), notify=notify)
    assert again.digests == again.reminders == later.digests == later.reminders == []
    assert (_count(ctx, Notice), _count(ctx, Delivery), _count(ctx, DeliveryAttempt)) == counts


def test_reminders_before_on_the_day_and_after_each_sent_once(ctx, clock, campaign, make_notify):
    notify = make_notify()  # P2.1 is due 2026-08-06 in every village
    for moment in ("2026-08-03T09:00", "2026-08-03T15:00", "2026-08-05T08:30", "2026-08-06T08:00",
                   "2026-08-06T18:00", "2026-08-07T08:00", "2026-08-09T08:00", "2026-08-09T09:00"):
        clock.set(moment)
        fire_due(ctx, clock.now(), notify=notify)
    assert _stages(ctx, "V001", "P2.1") == ["before-3", "before-1", "on-day", "overdue"]
    with reading(ctx.engine) as s:
        county = s.exec(select(ReminderItem).where(ReminderItem.step_key == "P2.1",
                                                   ReminderItem.stage == "county")).all()
        notice = s.get(Notice, county[0].notice_id)
    assert {i.village_code for i in county} == {"V001", "V002", "V003"}  # 2 days overdue: told to the county
    assert notice.audience == "county" and "逾期未办，报县换届办" in notice.body_md


def test_a_reminder_due_while_the_scheduler_was_down_is_sent_once(ctx, clock, campaign, make_notify):
    notify = make_notify()
    clock.set("2026-08-03T09:00:00")
    fire_due(ctx, clock.now(), notify=notify)
    clock.set("2026-08-06T11:00:00")  # down over before-1 and the morning of the due day
    fire_due(ctx, clock.now(), notify=notify)
    fire_due(ctx, clock.now().add(minutes=5), notify=notify)
    # only the latest stage whose time had come goes out, once; the missed before-1 is not sent late
    assert _stages(ctx, "V001", "P2.1") == ["before-3", "on-day"]
    [notice] = [n for n in _notices(ctx, "reminder") if n.created_at == clock.now()
                and n.audience == "township:城关镇"]
    assert "今日到期" in notice.body_md and "东湖村" in notice.body_md


def test_a_refusing_smtp_server_blocks_no_robot_and_is_retried_then_given_up(ctx, clock, campaign, smtp, robots,
                                                                           make_notify):
    notify = make_notify(smtp, robots)
    smtp.handler.refuse = True
    clock.set("2026-08-03T08:00:00")
    fire_due(ctx, clock.now(), notify=notify)
    assert any("每周重点工作提醒" in str(body) for robot, body in robots.received if robot == "wecom")
    assert any("每周重点工作提醒" in str(body) for robot, body in robots.received if robot == "dingtalk")

    problems = delivery_problems(ctx, campaign)
    assert problems and {p["channel"] for p in problems} == {"smtp"}
    assert {p["status"] for p in problems} == {"retrying"} and {p["attempts"] for p in problems} == {2}
    assert all("550" in p["last_error"] for p in problems)
    assert problems[0]["status_label"] == "发送失败，等待重试"
    assert set(notify.sleep) == {1}  # one pause between the two tries of each run, injected

    tries = smtp.handler.tries
    fire_due(ctx, clock.now().add(minutes=5), notify=notify)  # too early to try again
    assert smtp.handler.tries == tries
    fire_due(ctx, clock.now().add(minutes=11), notify=notify)  # 4 tries in all: given up
    problems = delivery_problems(ctx, campaign)
    assert {p["status"] for p in problems} == {"failed"} and {p["attempts"] for p in problems} == {4}
    from huanjie.service.status import status_report

    assert status_report(ctx)["deliveries"] == problems  # what `huanjie status` shows
    with reading(ctx.engine) as s:
        attempts = s.exec(select(DeliveryAttempt).join(Delivery).where(Delivery.channel == "smtp")).all()
    assert {a.outcome for a in attempts} == {"error"} and len(attempts) == 4 * len(problems)
    smtp.handler.refuse = False
    fire_due(ctx, clock.now().add(hours=2), notify=notify)
    assert not any("每周重点工作提醒" in m["Subject"] for _, m in smtp.handler.messages)  # given up stays given up


def test_a_mail_that_fails_once_goes_out_on_the_next_sweep(ctx, clock, campaign, smtp, make_notify):
    notify = make_notify(smtp)
    smtp.handler.refuse = True
    clock.set("2026-08-03T08:00:00")
    fire_due(ctx, clock.now(), notify=notify)
    assert delivery_problems(ctx)
    smtp.handler.refuse = False
    fire_due(ctx, clock.now().add(minutes=10), notify=notify)
    assert delivery_problems(ctx) == []
    assert sum("每周重点工作提醒" in m["Subject"] for _, m in smtp.handler.messages) == 3


def test_email_without_a_server_is_a_visible_problem(ctx, clock, campaign, make_notify):
    notify = make_notify(recipients={"county": {"email": ["county@example.cn"]}})
    clock.set("2026-08-03T08:00:00")
    fire_due(ctx, clock.now(), notify=notify)
    problems = delivery_problems(ctx)
    assert problems and all("未配置电子邮件" in p["last_error"] for p in problems)


def test_a_gate_waiting_reminds_the_townships_approvers(ctx, clock, campaign, smtp, make_notify):
    from tests.fixtures.scenario import APPROVER, VillageDriver

    driver = VillageDriver(ctx, clock, campaign, "V001")
    for spec in driver.timeline():
        driver.at(driver.states()[spec.key].due)
        if spec.key == "P2.3":
            driver.record("P2.3")
            driver.run()
            break
        driver.do_step(spec.key)
    assert driver.states()["P2.3"].status == "awaiting"
    notify = make_notify(smtp, recipients={"users": {APPROVER: {"email": ["approver@example.cn"]}}})
    fire_due(ctx, clock.now(), notify=notify)
    [mail] = [m for to, m in smtp.handler.messages if to == ["approver@example.cn"]]
    body = mail.get_body(("plain",)).get_content()
    assert "待您审批" in body and "东湖村" in body and "P2.3" in body
    fire_due(ctx, clock.now().add(minutes=5), notify=notify)
    assert len([m for to, m in smtp.handler.messages if to == ["approver@example.cn"]]) == 1


def test_the_digest_day_is_configurable_per_campaign(ctx, clock, campaign, make_notify):
    notify = make_notify(campaigns={campaign: {"digest": {"day_of_week": 2, "hour": 9}}})
    clock.set("2026-08-05T08:59:00")  # Wednesday, a minute early
    assert fire_due(ctx, clock.now(), notify=notify).digests == []
    clock.set("2026-08-05T09:00:00")
    assert len(fire_due(ctx, clock.now(), notify=notify).digests) == 3
