"""The web layer's composition root: the context, the signed-in user, CSRF, templates.

A user is signed in by a server-side session (cookie ``hj_session``) or, for /api/, a bearer
token. Every state-changing request carries the session's CSRF token (form field ``csrf`` or
header ``X-CSRF-Token``); bearer-token calls need none (no cookie is involved). An auditor
never writes: any write request of theirs is refused before it reaches a service.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from huanjie.errors import HuanjieError, PermissionDenied, Problem
from huanjie.service.context import Actor, Context
from huanjie.service.roles import AUDITOR, role_label

SESSION_COOKIE = "hj_session"
LOGIN_COOKIE = "hj_login"
HERE = Path(__file__).parent
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class LoginRequired(Exception):
    """No live session: pages redirect to the login form, the API answers 401."""


@dataclass(frozen=True)
class Viewer:
    actor: Actor
    csrf: str           # "" for bearer-token calls
    via: str            # session | token

    @property
    def name(self) -> str:
        return self.actor.name

    @property
    def role_label(self) -> str:
        return role_label(self.actor.role)

    @property
    def is_county(self) -> bool:
        return self.actor.role == "county_office"

    @property
    def audits(self) -> bool:
        return self.actor.role in ("county_office", AUDITOR)

    @property
    def writes(self) -> bool:
        return self.actor.role != AUDITOR


def plain(value) -> str:
    """Stored data as plain text: never markup (autoescape), never control characters."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    text = value if type(value) is str else str(value)
    # every character CONTROL takes is unprintable: most text is returned as it is, without the regex
    return text if text.isprintable() else CONTROL.sub("", text)


def _finalize(value):
    return value if isinstance(value, Markup) else plain(value)


templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                        finalize=_finalize, trim_blocks=True, lstrip_blocks=True)


def _mask(value):
    from huanjie.audit.timeline import mask

    return mask(plain(value))


templates.filters["mask"] = _mask


def context(request: Request) -> Context:
    return request.app.state.ctx


def current_viewer(request: Request) -> Viewer:
    """The signed-in user, or LoginRequired."""
    from huanjie.service.accounts import session_info, token_actor

    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    ctx = context(request)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        actor = token_actor(ctx, auth[7:].strip())
        if actor is None:
            raise LoginRequired()
        viewer = Viewer(actor, "", "token")
    else:
        info = session_info(ctx, request.cookies.get(SESSION_COOKIE), request.app.state.accounts)
        if info is None:
            raise LoginRequired()
        viewer = Viewer(info.actor, info.csrf, "session")
    request.state.viewer = viewer
    return viewer


async def posted(request: Request) -> Viewer:
    """A signed-in user whose request carries the session's CSRF token."""
    viewer = current_viewer(request)
    if viewer.via == "session":
        sent = request.headers.get("x-csrf-token")
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, viewer.csrf):
            raise CsrfRefused()
    return viewer


async def writer(request: Request) -> Viewer:
    """``posted``, by a user allowed to write (everyone but auditors)."""
    viewer = await posted(request)
    if not viewer.writes:
        raise PermissionDenied(f"{viewer.name}（{viewer.role_label}）只能查看，不能修改任何数据",
                               [Problem("审计/纪检人员只读：可查看、核验、回放、导出，不参与办理")])
    return viewer


class CsrfRefused(HuanjieError):
    code = "csrf"

    def __init__(self) -> None:
        super().__init__("页面已过期或请求来源不明，本次操作未执行",
                         [Problem("请刷新页面后重新提交（缺少或不符的 CSRF 令牌）", field="csrf")])


def render(request: Request, template: str, status_code: int = 200, **data):
    from fastapi.responses import HTMLResponse

    viewer = getattr(request.state, "viewer", None)
    html = templates.get_template(template).render(request=request, viewer=viewer, **data)
    response = HTMLResponse(html, status_code=status_code)
    if status_code >= 400 and request.headers.get("HX-Request"):
        # a refusal answers an htmx request with the whole page body, whatever part it asked for
        response.headers.update({"HX-Retarget": "#main", "HX-Reselect": "#main", "HX-Reswap": "outerHTML"})
    return response


_CSRF_MARK = secrets.token_urlsafe(24)  # stands for the session's CSRF token in a kept page


class _NotKept(Exception):
    def __init__(self, response) -> None:
        self.response = response


def kept(strict: bool = False):
    """A GET page kept between requests while the data it shows is unchanged (service.views.kept_page):
    one rendering serves every session of the same user, each session's CSRF token put in as it
    is sent. ``strict``: the page shows events too (history, documents). Only a 200 page is kept."""
    from fastapi.responses import HTMLResponse

    def wrap(endpoint):
        @functools.wraps(endpoint)
        def page(*args, **kwargs):
            from huanjie.service.views import kept_page

            request, viewer = kwargs["request"], kwargs["viewer"]

            def make() -> bytes:
                request.state.viewer = dataclasses.replace(viewer, csrf=_CSRF_MARK)
                try:
                    response = endpoint(*args, **kwargs)
                finally:
                    request.state.viewer = viewer
                if response.status_code != 200 or not isinstance(response, HTMLResponse):
                    raise _NotKept(response)
                return bytes(response.body)

            try:
                body = kept_page(context(request), (request.url.path, request.url.query, viewer.actor), make, strict)
            except _NotKept as exc:
                return exc.response
            return HTMLResponse(body.replace(_CSRF_MARK.encode(), viewer.csrf.encode()))
        return page
    return wrap


def note_refusal(request: Request, exc: HuanjieError) -> None:
    """A refused request is an audit event (操作日志), whichever page shows the refusal."""
    import logging

    from huanjie.service.accounts import record_refusal

    viewer = getattr(request.state, "viewer", None)
    if viewer is None or exc.code not in ("forbidden", "csrf"):
        return
    try:
        record_refusal(context(request), actor=viewer.actor, action=f"{request.method} {request.url.path}",
                       message=exc.message)
    except Exception:  # the refusal stands even if its event cannot be written now
        logging.getLogger(__name__).exception("refusal event not written")
