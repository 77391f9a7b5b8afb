"""Each channel against a real local server: SMTP (plain+AUTH, STARTTLS), 企业微信, 钉钉, the outbox."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

import pendulum
import pytest

from huanjie.reminders.channels import (
    DingTalkChannel,
    Message,
    OutboxChannel,
    SendError,
    SmtpChannel,
    WeComChannel,
    dingtalk_sign,
    split_markdown,
)
from huanjie.reminders.config import SmtpConfig
from tests.reminders.servers import DINGTALK_SECRET, SMTP_PASSWORD, SMTP_USER, RobotServer, SmtpServer, self_signed

NOW = pendulum.datetime(2026, 8, 3, 8, tz="Asia/Shanghai")
MESSAGE = Message("城关镇换届每周重点工作提醒", "# 标题\n正文", "### 标题\n> 东湖村 P2.1", "<h1>标题</h1>", b"%PDF-1.7 test",
                  "每周重点工作提醒")


def test_split_keeps_lines_whole_and_every_piece_under_the_limit():
    lines = [f"> 东湖村 P{i}.1 村党组织委员会会议研究召开党员大会，2026-08-06（周四）" for i in range(200)]
    text = "\n".join(lines)
    pieces = split_markdown(text, 4096)
    assert len(pieces) > 1
    assert all(len(p.encode()) <= 4096 for p in pieces)
    assert "\n".join(pieces).splitlines() == lines  # nothing lost, no line cut


def test_split_cuts_an_overlong_line_between_characters():
    line = "村" * 3000  # 9,000 bytes in one line
    pieces = split_markdown(line, 4096)
    assert "".join(pieces) == line
    assert all(len(p.encode()) <= 4096 for p in pieces)


def test_dingtalk_signature_is_the_documented_hmac():
    expected = base64.b64encode(hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest())
    assert urllib.parse.unquote_plus(dingtalk_sign("SECabc", 1700000000000)) == expected.decode()


def test_smtp_with_auth_delivers_html_text_and_pdf():
    with SmtpServer() as server:
        config = SmtpConfig(host="127.0.0.1", port=server.port, security="none", username=SMTP_USER,
                            password=SMTP_PASSWORD, sender="换届办 <hjb@example.cn>", timeout=5)
        SmtpChannel(config).send("cgz@example.cn", MESSAGE, NOW)
        [(to, mail)] = server.handler.messages
    assert to == ["cgz@example.cn"]
    assert mail["Subject"] == MESSAGE.subject
    assert mail.get_body(("html",)).get_content().strip() == "<h1>标题</h1>"
    assert mail.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == "# 标题\n正文"
    [pdf] = list(mail.iter_attachments())
    assert pdf.get_filename() == "每周重点工作提醒.pdf" and pdf.get_content() == b"%PDF-1.7 test"


def test_smtp_wrong_password_is_a_send_error():
    with SmtpServer() as server:
        config = SmtpConfig(host="127.0.0.1", port=server.port, security="none", username=SMTP_USER,
                            password="wrong", sender="hjb@example.cn", timeout=5)
        with pytest.raises(SendError, match="SMTP"):
            SmtpChannel(config).send("cgz@example.cn", MESSAGE, NOW)
        assert server.handler.messages == []


def test_smtp_starttls_with_a_private_ca(tmp_path, monkeypatch):
    context, ca = self_signed(tmp_path)
    with SmtpServer(tls=context) as server:
        config = SmtpConfig(host="127.0.0.1", port=server.port, security="starttls", username=SMTP_USER,
                            password_env="HJ_TEST_SMTP_PASSWORD", sender="hjb@example.cn", timeout=5, cafile=ca)
        monkeypatch.setenv("HJ_TEST_SMTP_PASSWORD", SMTP_PASSWORD)
        SmtpChannel(config).send("cgz@example.cn", MESSAGE, NOW)
        assert len(server.handler.messages) == 1


def test_wecom_splits_a_long_message_into_pieces_the_robot_accepts():
    long_brief = "\n".join(f"> 第{i}村 P2.1 村党组织委员会会议研究召开党员大会" for i in range(300))
    with RobotServer() as robots:
        WeComChannel().send(f"{robots.url}/wecom/x?key=k", Message("s", "", long_brief), NOW)
    assert robots.rejected == []
    pieces = [body["markdown"]["content"] for robot, body in robots.received]
    assert len(pieces) > 1 and "\n".join(pieces) == long_brief
    assert all(body["msgtype"] == "markdown" for _, body in robots.received)


def test_dingtalk_signature_verifies_on_the_server():
    with RobotServer() as robots:
        DingTalkChannel({f"{robots.url}/dingtalk/x?access_token=t": DINGTALK_SECRET}).send(
            f"{robots.url}/dingtalk/x?access_token=t", MESSAGE, NOW)
        with pytest.raises(SendError, match="310000"):  # the wrong secret is refused by the server
            DingTalkChannel({f"{robots.url}/dingtalk/y?access_token=t": "SECwrong"}).send(
                f"{robots.url}/dingtalk/y?access_token=t", MESSAGE, NOW)
    [(robot, body)] = robots.received
    assert robot == "dingtalk" and body["markdown"] == {"title": MESSAGE.subject, "text": MESSAGE.brief}


def test_outbox_writes_each_format(tmp_path):
    OutboxChannel().send(str(tmp_path / "box"), MESSAGE, NOW)
    assert (tmp_path / "box" / "每周重点工作提醒.md").read_text() == MESSAGE.markdown
    assert (tmp_path / "box" / "每周重点工作提醒.html").read_text() == MESSAGE.html
    assert (tmp_path / "box" / "每周重点工作提醒.pdf").read_bytes() == MESSAGE.pdf
