"""A township name with a line break stays inside its list item or quote block; one with a slash
stays one file name in the outbox."""

from __future__ import annotations

import datetime as dt

from huanjie.reminders import preview_digest
from huanjie.reminders.channels import Message, OutboxChannel
from huanjie.reminders.render import render_brief, render_markdown, render_reminder
from huanjie.service.launch import launch
from huanjie.service.village_csv import VillageRow
from huanjie.service.villages import save_villages
from tests.factories import make_campaign

EVIL = "城关镇\r\n> **伪造的通知**\u2028# 标题"


def _lines_from_data(text: str) -> list[str]:
    return [line for line in text.splitlines() if "伪造" in line or line.startswith("# 标题")]


def test_a_township_with_line_breaks_stays_on_its_line(ctx, clock, make_notify):
    campaign = make_campaign(ctx)
    # stored as a township name before names were checked at import (they are refused there now)
    save_villages(ctx, campaign_code=campaign.code, rows=[VillageRow(2, "V001", "东湖村", EVIL, 320, 6)])
    launch(ctx, campaign_code=campaign.code, everything=True)
    clock.set("2026-08-20T09:00:00")
    digest = preview_digest(ctx, make_notify(), campaign_code=campaign.code, week="2026-W34", township=EVIL,
                            now=clock.now())
    for text in (render_markdown(digest), render_brief(digest, 4000)):
        lines = _lines_from_data(text)
        # the name's pieces stay on the line of the name (escaped), never a line, quote or heading of their own
        assert lines and all("城关镇" in line and "\\>" in line and "\\# 标题" in line for line in lines), lines
        assert "\u2028" not in text and "\r" not in text
    reminder = render_reminder(title=f"换届工作提醒（{EVIL}）", groups=[{"heading": "明日到期", "items": [
        {"township": EVIL, "village_name": "东湖村", "village": "V001", "step": "P1.1", "step_name": "调查摸底",
         "due": dt.date(2026, 8, 21), "provisional": False, "note": "请按期完成"}]}], campaign_name="换届",
        at=clock.now())
    quoted = [line for line in reminder.splitlines() if "伪造" in line]
    assert quoted and all(line.startswith((">", "###")) and "城关镇" in line for line in quoted), quoted


def test_a_slash_in_a_township_stays_one_file_in_the_outbox(tmp_path):
    message = Message("提醒", "# 提醒\n", "# 提醒\n", name="每周重点工作提醒-城关/东区/../../逃逸-2026-W34")
    OutboxChannel().send(str(tmp_path / "outbox" / "x"), message, dt.datetime(2026, 8, 20))
    written = [p.relative_to(tmp_path) for p in (tmp_path).rglob("*") if p.is_file()]
    assert len(written) == 1 and written[0].parent.as_posix() == "outbox/x" and "/" not in written[0].name
