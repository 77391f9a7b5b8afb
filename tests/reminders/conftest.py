from __future__ import annotations

import pytest

from huanjie.reminders.config import NotifyConfig
from huanjie.reminders.deliver import Notify
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import add_staff, launch_all
from tests.reminders.servers import DINGTALK_SECRET, SMTP_PASSWORD, SMTP_USER, RobotServer, SmtpServer


@pytest.fixture
def campaign(ctx):
    """Three launched villages (城关镇: V001, V002; 清溪镇: V003) and 城关镇's staff; clock 2026-08-01 09:00."""
    created = make_campaign(ctx)
    make_villages(ctx, created)
    add_staff(ctx)
    launch_all(ctx, created.code)
    return created.code


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def robots():
    with RobotServer() as server:
        yield server


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def make_notify(tmp_path):
    """Notify over the given servers; no real waiting (the pauses are recorded instead)."""

    def make(smtp=None, robots=None, **overrides) -> Notify:
        raw = {"outbox": str(tmp_path / "outbox"), "digest": {"attach_pdf": False},
               "retry": {"tries_per_run": 2, "backoff_seconds": 1, "max_attempts": 4, "retry_after_minutes": 10}}
        recipients = {"county": {"email": ["county@example.cn"] if smtp else []},
                      "townships": {}}
        for town in ("城关镇", "清溪镇"):
            group = {"email": [f"{town}@example.cn"] if smtp else []}
            if robots:
                group["wecom"] = [f"{robots.url}/wecom/{town}?key=abc"]
                group["dingtalk"] = [{"url": f"{robots.url}/dingtalk/{town}?access_token=xyz",
                                      "secret": DINGTALK_SECRET}]
            recipients["townships"][town] = group
        raw["recipients"] = recipients
        if smtp:
            raw["smtp"] = {"host": "127.0.0.1", "port": smtp.port, "security": "none", "username": SMTP_USER,
                           "password": SMTP_PASSWORD, "sender": "换届办 <hjb@example.cn>", "timeout": 5}
        for key, value in overrides.items():
            raw[key] = {**raw.get(key, {}), **value} if isinstance(value, dict) else value
        return Notify(NotifyConfig.model_validate(raw), sleep=Sleeps())

    return make
