"""Login and logout (登录日志: every attempt is an audit event, written by service.accounts)."""

from __future__ import annotations

import hmac
import secrets
import time

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from huanjie.errors import HuanjieError, PermissionDenied, Problem
from huanjie.web.deps import LOGIN_COOKIE, SESSION_COOKIE, Viewer, context, posted, render

router = APIRouter(include_in_schema=False)
WINDOW = 600.0  # seconds over which failed logins from one address are counted


def _safe_next(target: str | None) -> str:
    # only paths of this site: never an absolute URL, never "//host"
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _cookie(request: Request, response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="lax", secure=request.app.state.settings.secure_cookies,
                        path="/")


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", next=_safe_next(next), login_csrf=token, error=None, name="")
    _cookie(request, response, LOGIN_COOKIE, token)
    return response


@router.post("/login")
async def login(request: Request):
    from huanjie.service.accounts import login as do_login

    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    client = request.client.host if request.client else ""
    sent, expected = str(form.get("csrf", "")), request.cookies.get(LOGIN_COOKIE, "")
    try:
        if not expected or not hmac.compare_digest(sent, expected):
            raise PermissionDenied("登录页面已过期，请重新输入", [Problem("请刷新页面后再登录", field="csrf")])
        _throttle(request, client)
        token, _info = do_login(context(request), name=name, password=password, client=client,
                                settings=request.app.state.accounts)
    except HuanjieError as exc:
        if exc.message.startswith("用户名或密码错误"):
            _note_failure(request, client)
        fresh = secrets.token_urlsafe(24)
        response = render(request, "login.html", status_code=403 if exc.code == "forbidden" else 400, next=target,
                          login_csrf=fresh, error=exc, name=name)
        _cookie(request, response, LOGIN_COOKIE, fresh)
        return response
    response = RedirectResponse(target, 303)
    _cookie(request, response, SESSION_COOKIE, token)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def _throttle(request: Request, client: str) -> None:
    failures = request.app.state.client_failures
    now = time.monotonic()
    recent = [t for t in failures.get(client, []) if now - t < WINDOW]
    failures[client] = recent
    if len(recent) >= request.app.state.settings.login_per_client:
        raise PermissionDenied("本机登录失败次数过多，请 10 分钟后再试", [Problem("登录已被暂时限制", field="password")])


def _note_failure(request: Request, client: str) -> None:
    request.app.state.client_failures.setdefault(client, []).append(time.monotonic())


@router.post("/logout")
def logout(request: Request, viewer: Viewer = Depends(posted)):
    from huanjie.service.accounts import logout as do_logout

    do_logout(context(request), request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
