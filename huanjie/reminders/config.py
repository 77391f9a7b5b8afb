"""Who gets what, when, and over which channel: a YAML file named by HUANJIE_NOTIFY_CONFIG.

Example::

    smtp: {host: mail.example.cn, port: 587, security: starttls, username: hjb,
           password_env: HUANJIE_SMTP_PASSWORD, sender: 换届办 <hjb@example.cn>}
    outbox: data/outbox
    digest: {day_of_week: 0, hour: 8, minute: 0}       # Monday 08:00 Asia/Shanghai
    reminders: {before_days: [3, 1], on_day: true, county_after_days: 2, hour: 8}
    retry: {tries_per_run: 3, backoff_seconds: 2, max_attempts: 6, retry_after_minutes: 10}
    recipients:
      county: {email: [hjb@example.cn], wecom: ["https://…/send?key=…"]}
      townships:
        城关镇: {email: [cgz@example.cn], dingtalk: [{url: "https://…/send?access_token=…", secret: SEC…}]}
      users:                                            # approvers, by user name
        王书记: {email: [wang@example.cn]}
    campaigns:                                          # per-campaign overrides
      HJ2026-001: {digest: {hour: 9}, recipients: {townships: {清溪镇: {email: [qx@example.cn]}}}}
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from huanjie.errors import InvalidInput, Problem


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUANJIE_", extra="ignore")

    notify_config: Path | None = Field(
        default=None,
        description="YAML file with the reminder schedule, SMTP server, robots and recipients per "
        "township and county (see huanjie.reminders.config); unset means no channel is configured.",
    )

    def load(self) -> NotifyConfig:
        return load_config(self.notify_config) if self.notify_config else NotifyConfig()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SmtpConfig(_Model):
    host: str = Field(description="SMTP server host")
    port: int = Field(default=587, description="SMTP port (587 STARTTLS, 465 SSL, 25 plain)")
    security: Literal["starttls", "ssl", "none"] = Field(default="starttls", description="transport security")
    username: str | None = Field(default=None, description="login name; unset means no AUTH")
    password: str | None = Field(default=None, description="password (prefer password_env)")
    password_env: str | None = Field(default=None, description="environment variable holding the password")
    sender: str = Field(description="From: address, e.g. 换届办 <hjb@example.cn>")
    timeout: int = Field(default=30, description="socket timeout in seconds")
    cafile: Path | None = Field(default=None, description="CA bundle to trust (a private CA); unset means the system's")

    def secret(self) -> str | None:
        return os.environ.get(self.password_env) if self.password_env else self.password


class DingTalkRobot(_Model):
    url: str = Field(description="the robot's webhook URL (with access_token)")
    secret: str | None = Field(default=None, description="加签 secret (SEC…); unset means no signature")


class Recipients(_Model):
    email: list[str] = Field(default_factory=list, description="e-mail addresses")
    wecom: list[str] = Field(default_factory=list, description="企业微信 group robot webhook URLs")
    dingtalk: list[DingTalkRobot] = Field(default_factory=list, description="钉钉 group robots")
    outbox: bool = Field(default=True, description="also write the message to the file outbox")


class RecipientBook(_Model):
    county: Recipients | None = Field(default=None, description="the county office (县换届办)")
    townships: dict[str, Recipients] = Field(default_factory=dict, description="by township name")
    users: dict[str, Recipients] = Field(default_factory=dict, description="by user name (approvers)")


class DigestSchedule(_Model):
    day_of_week: int = Field(default=0, ge=0, le=6, description="0 = Monday … 6 = Sunday")
    hour: int = Field(default=8, ge=0, le=23, description="hour, Asia/Shanghai")
    minute: int = Field(default=0, ge=0, le=59, description="minute")
    attach_pdf: bool = Field(default=True, description="render the PDF and attach it to the e-mail")
    brief_max_items: int = Field(default=30, ge=1, description="items per section in the robots' message")


class ReminderRules(_Model):
    before_days: list[int] = Field(default_factory=lambda: [3, 1], description="days before the due day")
    on_day: bool = Field(default=True, description="remind on the due day itself")
    county_after_days: int = Field(default=2, ge=0, description="days overdue before the county is told")
    hour: int = Field(default=8, ge=0, le=23, description="hour of the day reminders go out")


class RetryPolicy(_Model):
    tries_per_run: int = Field(default=3, ge=1, description="tries in a row before waiting for the next sweep")
    backoff_seconds: int = Field(default=2, ge=0, description="first pause between tries; doubles each time")
    max_attempts: int = Field(default=9, ge=1, description="tries in all before the delivery is given up")
    retry_after_minutes: int = Field(default=10, ge=1, description="wait before the next sweep tries again")


class CampaignOverride(_Model):
    digest: dict = Field(default_factory=dict, description="fields of DigestSchedule to change")
    reminders: dict = Field(default_factory=dict, description="fields of ReminderRules to change")
    recipients: RecipientBook | None = Field(default=None, description="recipients replacing the defaults")


class NotifyConfig(_Model):
    smtp: SmtpConfig | None = None
    outbox: Path | None = Field(default=None, description="directory of the file outbox; unset means none")
    digest: DigestSchedule = Field(default_factory=DigestSchedule)
    reminders: ReminderRules = Field(default_factory=ReminderRules)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    sweep_minutes: int = Field(default=5, ge=1, description="minutes between deadline sweeps")
    recipients: RecipientBook = Field(default_factory=RecipientBook)
    campaigns: dict[str, CampaignOverride] = Field(default_factory=dict)

    def digest_for(self, campaign_code: str) -> DigestSchedule:
        override = self.campaigns.get(campaign_code)
        return self.digest.model_copy(update=override.digest) if override else self.digest

    def reminders_for(self, campaign_code: str) -> ReminderRules:
        override = self.campaigns.get(campaign_code)
        return self.reminders.model_copy(update=override.reminders) if override else self.reminders

    def recipients_for(self, campaign_code: str, audience: str, users: tuple[str, ...] = ()) -> Recipients:
        """county | township:<name> | approvers:<name> (with the approvers' user names) → addresses."""
        books = [self.recipients]
        override = self.campaigns.get(campaign_code)
        if override and override.recipients:
            books.insert(0, override.recipients)
        kind, _, scope = audience.partition(":")
        for book in books:
            found = _lookup(book, kind, scope, users)
            if found is not None:
                return found
        return Recipients(outbox=True)


def _lookup(book: RecipientBook, kind: str, scope: str, users: tuple[str, ...]) -> Recipients | None:
    if kind == "county":
        return book.county
    if kind == "township":
        return book.townships.get(scope)
    if kind == "approvers":
        merged = Recipients(outbox=False)
        for name in users:
            person = book.users.get(name)
            if person:
                merged.email += person.email
                merged.wecom += person.wecom
                merged.dingtalk += person.dingtalk
        if merged.email or merged.wecom or merged.dingtalk:
            merged.outbox = True
            return merged
        return book.townships.get(scope)  # no personal address: the township's channels
    return None


MAX_CONFIG_BYTES = 1024 * 1024


def load_config(path: Path) -> NotifyConfig:
    try:
        data = Path(path).read_bytes()
        if len(data) > MAX_CONFIG_BYTES:
            raise InvalidInput(f"提醒配置文件 {path} 过大", [Problem("不超过 1 MB", field="HUANJIE_NOTIFY_CONFIG")])
        raw = yaml.safe_load(data.decode("utf-8")) or {}
    except UnicodeDecodeError as exc:
        before = data[:exc.start].decode("utf-8", "replace")
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise InvalidInput(f"提醒配置文件 {path} 不是 UTF-8 编码", [Problem(
            f"第 {column} 列的字节无法按 UTF-8 读取；请以 UTF-8 保存该文件", field="HUANJIE_NOTIFY_CONFIG",
            line=line)]) from None
    except OSError as exc:
        raise InvalidInput(f"无法读取提醒配置文件 {path}（{exc.strerror}）",
                           [Problem("请检查 HUANJIE_NOTIFY_CONFIG 所指的路径", field="HUANJIE_NOTIFY_CONFIG")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InvalidInput(f"提醒配置文件 {path} 不是有效的 YAML", [Problem(
            f"{getattr(exc, 'problem', None) or '格式错误'}" + (f"（第 {mark.column + 1} 列）" if mark else ""),
            field="HUANJIE_NOTIFY_CONFIG", line=mark.line + 1 if mark else None)]) from None
    if not isinstance(raw, dict):
        raise InvalidInput(f"提醒配置文件 {path} 的内容须为键值表", [Problem("如 outbox: /var/huanjie/outbox",
                                                                         field="HUANJIE_NOTIFY_CONFIG")])
    try:
        config = NotifyConfig.model_validate(raw)
        for code in config.campaigns:
            config.digest_for(code).model_validate(config.digest_for(code).model_dump())
            config.reminders_for(code).model_validate(config.reminders_for(code).model_dump())
    except ValidationError as exc:
        problems = [Problem(f"{'.'.join(map(str, e['loc']))}：{e['msg']}", field="HUANJIE_NOTIFY_CONFIG")
                    for e in exc.errors()]
        raise InvalidInput(f"提醒配置文件 {path} 有 {len(problems)} 处错误", problems) from None
    return config
