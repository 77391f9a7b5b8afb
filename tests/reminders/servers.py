"""Real local servers for the channels: an SMTP server (aiosmtpd) and an HTTP server for the robots.

Both listen on 127.0.0.1 only. The HTTP server checks what the real robots check: the
企业微信 message size (≤ 4,096 bytes) and the 钉钉 signature (HMAC-SHA256 of
"timestamp\\nsecret", base64, URL-encoded).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import threading
import urllib.parse
import warnings
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

DINGTALK_SECRET = "SECtest-secret-不外传"
SMTP_USER, SMTP_PASSWORD = "hjb", "s3cret"


def free_port() -> int:
    """aiosmtpd cannot listen on port 0: reserve a free port first."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailHandler:
    def __init__(self) -> None:
        self.messages = []
        self.refuse = False
        self.tries = 0

    async def handle_DATA(self, server, session, envelope):
        self.tries += 1
        if self.refuse:
            return "550 5.7.1 邮件被拒收（测试）"
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(), SMTP_PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


class SmtpServer:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.handler = MailHandler()
        self.port = free_port()
        with warnings.catch_warnings():  # AUTH without TLS is what the plain test server is for
            warnings.simplefilter("ignore")
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, tls_context=tls,
                                         require_starttls=tls is not None, authenticator=_authenticator,
                                         auth_require_tls=tls is not None, auth_required=tls is not None)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class RobotServer:
    """企业微信 at /wecom, 钉钉 at /dingtalk; ``received`` holds (robot, body) of accepted messages."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        self.rejected: list[tuple[str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                url = urllib.parse.urlsplit(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                answer = outer.check(url.path, urllib.parse.parse_qs(url.query), body)
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def check(self, path: str, query: dict, body: dict) -> dict:
        if path.startswith("/wecom"):
            if len(body["markdown"]["content"].encode()) > 4096:
                self.rejected.append(("wecom", "too long"))
                return {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        elif path.startswith("/dingtalk"):
            stamp, sign = query["timestamp"][0], query["sign"][0]
            expected = base64.b64encode(hmac.new(DINGTALK_SECRET.encode(), f"{stamp}\n{DINGTALK_SECRET}".encode(),
                                                 hashlib.sha256).digest()).decode()
            if sign != expected:  # parse_qs has already URL-decoded the sign
                self.rejected.append(("dingtalk", "bad sign"))
                return {"errcode": 310000, "errmsg": "sign not match"}
        self.received.append((path.strip("/").split("/")[0], body))
        return {"errcode": 0, "errmsg": "ok"}

    def __enter__(self) -> RobotServer:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def self_signed(tmp: Path) -> tuple[ssl.SSLContext, Path]:
    """A certificate for 127.0.0.1: the server's TLS context and the CA file a client trusts."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(start).not_valid_after(start + dt.timedelta(days=36500))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file
