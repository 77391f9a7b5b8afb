"""Delivery channels: SMTP, 企业微信 and 钉钉 group robots, and a file outbox.

A channel sends one message to one address and raises :class:`SendError` (or any
exception) when it did not go out; retries and logging belong to the caller
(huanjie.reminders.deliver).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import smtplib
import ssl
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

import httpx

from huanjie.reminders.config import NotifyConfig, SmtpConfig

ROBOT_LIMIT = 4096  # bytes of one 企业微信 markdown message; used for 钉钉 too (its limit is higher)


class SendError(Exception):
    """The channel refused the message (the text says why, in the channel's words)."""


@dataclass(frozen=True)
class Message:
    subject: str
    markdown: str          # the full text (e-mail text part, outbox)
    brief: str             # the robots' markdown
    html: str | None = None
    pdf: bytes | None = None
    name: str = "message"  # file stem for attachments and the outbox


class Channel(Protocol):
    name: str

    def send(self, address: str, message: Message, now: dt.datetime) -> None: ...


def split_markdown(text: str, limit: int = ROBOT_LIMIT) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` UTF-8 bytes, at line ends where possible."""
    chunks: list[str] = []
    lines: list[str] = []
    size = 0
    for line in text.splitlines():
        cost = len(line.encode()) + (1 if lines else 0)
        if size + cost <= limit:
            lines.append(line)
            size += cost
            continue
        if lines:
            chunks.append("\n".join(lines))
        lines, size = [], 0
        while len(line.encode()) > limit:  # one line longer than a message: cut between characters
            head = line.encode()[:limit].decode("utf-8", errors="ignore")
            chunks.append(head)
            line = line[len(head):]
        lines, size = [line], len(line.encode())
    if lines and any(s.strip() for s in lines):
        chunks.append("\n".join(lines))
    return chunks


class SmtpChannel:
    name = "smtp"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def send(self, address: str, message: Message, now: dt.datetime) -> None:
        c = self.config
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = c.sender
        mail["To"] = address
        mail["Date"] = formatdate(now.timestamp(), localtime=False)
        mail["Message-ID"] = make_msgid(domain=c.host)
        mail.set_content(message.markdown)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        if message.pdf:
            mail.add_attachment(message.pdf, maintype="application", subtype="pdf", filename=f"{file_stem(message.name)}.pdf")
        tls = ssl.create_default_context(cafile=str(c.cafile) if c.cafile else None)
        try:
            if c.security == "ssl":
                server = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=tls)
            else:
                server = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            with server:
                if c.security == "starttls":
                    server.starttls(context=tls)
                if c.username:
                    server.login(c.username, c.secret() or "")
                refused = server.send_message(mail)
        except smtplib.SMTPException as exc:
            raise SendError(f"SMTP：{exc}") from exc
        if refused:
            raise SendError(f"SMTP 拒收：{refused}")


class _Robot:
    name = "robot"

    def __init__(self, timeout: float = 10.0) -> None:
        self.client = httpx.Client(timeout=timeout)  # one client: building its TLS context costs ~0.1 s

    def _post(self, url: str, body: dict) -> None:
        try:
            response = self.client.post(url, json=body)
        except httpx.HTTPError as exc:
            raise SendError(f"{self.name}：{exc}") from exc
        if response.status_code != 200:
            raise SendError(f"{self.name} 返回 HTTP {response.status_code}")
        try:
            answer = response.json()
        except ValueError:
            raise SendError(f"{self.name} 返回的不是 JSON：{response.text[:200]}") from None
        if answer.get("errcode", 0) != 0:
            raise SendError(f"{self.name} 错误 {answer.get('errcode')}：{answer.get('errmsg')}")


class WeComChannel(_Robot):
    """企业微信群机器人: markdown, at most 4,096 bytes per message."""

    name = "wecom"

    def send(self, address: str, message: Message, now: dt.datetime) -> None:
        for chunk in split_markdown(message.brief):
            self._post(address, {"msgtype": "markdown", "markdown": {"content": chunk}})


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉加签: base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


class DingTalkChannel(_Robot):
    name = "dingtalk"

    def __init__(self, secrets: dict[str, str | None], timeout: float = 10.0) -> None:
        super().__init__(timeout)
        self.secrets = secrets

    def send(self, address: str, message: Message, now: dt.datetime) -> None:
        for chunk in split_markdown(message.brief):
            url = address
            secret = self.secrets.get(address)
            if secret:
                stamp = int(now.timestamp() * 1000)
                url = f"{address}{'&' if '?' in address else '?'}timestamp={stamp}&sign={dingtalk_sign(secret, stamp)}"
            self._post(url, {"msgtype": "markdown", "markdown": {"title": message.subject, "text": chunk}})


def file_stem(name: str) -> str:
    """A file name made from data (a township's name): one path segment, no control characters.

    ``城关/东区`` must not become a sub-folder, nor ``..`` a way out of the outbox.
    """
    from huanjie.plain_text import clean

    stem = re.sub(r'[\\/:*?"<>|]+', "_", clean(name)).strip(" .") or "message"
    return stem[:120]


class OutboxChannel:
    """Writes each message into its own folder of the outbox directory (the address)."""

    name = "outbox"

    def send(self, address: str, message: Message, now: dt.datetime) -> None:
        folder = Path(address)
        folder.mkdir(parents=True, exist_ok=True)
        stem = file_stem(message.name)
        files = {f"{stem}.md": message.markdown.encode()}
        if message.html:
            files[f"{stem}.html"] = message.html.encode()
        if message.pdf:
            files[f"{stem}.pdf"] = message.pdf
        for filename, content in files.items():
            tmp = folder / f".{filename}.tmp"
            tmp.write_bytes(content)
            tmp.replace(folder / filename)


def build_channels(config: NotifyConfig) -> dict[str, Channel]:
    channels: dict[str, Channel] = {"wecom": WeComChannel(), "outbox": OutboxChannel()}
    secrets: dict[str, str | None] = {}
    books = [config.recipients, *(o.recipients for o in config.campaigns.values() if o.recipients)]
    for book in books:
        for group in [book.county, *book.townships.values(), *book.users.values()]:
            for robot in group.dingtalk if group else ():
                secrets[robot.url] = robot.secret
    channels["dingtalk"] = DingTalkChannel(secrets)
    if config.smtp:
        channels["smtp"] = SmtpChannel(config.smtp)
    return channels
