"""Passwords, logins with lockout, server-side sessions and API tokens (the web UI's accounts).

Passwords are hashed with argon2 (pwdlib). Five wrong passwords in a row lock the account for a
while; every login, failure, lock and logout is an audit event on the system chain. The web layer
keeps only an opaque token in its cookie; the table holds the token's SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlmodel import Session, func, select

from huanjie.errors import InvalidInput, NotFound, PermissionDenied, Problem
from huanjie.service.context import Actor, Context
from huanjie.service.users import add_user, county_office
from huanjie.store.account_models import ApiToken, Credential, WebSession
from huanjie.store.db import reading, transaction
from huanjie.store.events import SYSTEM_CHAIN, EventDraft, append
from huanjie.store.models import User

WRONG = "用户名或密码错误"


class AccountSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUANJIE_", extra="ignore")

    lock_after: int = Field(default=5, description="Consecutive wrong passwords that lock an account.")
    lock_minutes: int = Field(default=15, description="How long a locked account stays locked.")
    idle_minutes: int = Field(default=30, description="A web session ends after this long without a request.")
    password_min_length: int = Field(default=8, description="Shortest password accepted.")


@dataclass(frozen=True)
class SessionInfo:
    actor: Actor
    csrf: str
    user_id: int


@lru_cache(maxsize=1)
def _hasher():
    from pwdlib import PasswordHash

    return PasswordHash.recommended()  # argon2id


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _actor(user: User) -> Actor:
    return Actor(name=user.name, role=user.role, scope_kind=user.scope_kind, scope=user.scope, county=user.county)


def _event(session: Session, kind: str, actor: str, role: str, at: dt.datetime, payload: dict) -> None:
    append(session, SYSTEM_CHAIN, EventDraft(kind=kind, actor=actor, role=role, at=at, payload=payload))


def check_password(password: str, settings: AccountSettings) -> None:
    if len(password) < settings.password_min_length:
        raise InvalidInput("密码太短", [Problem(f"密码至少 {settings.password_min_length} 位", field="password")])
    if password.strip() != password or any(ord(c) < 32 for c in password):
        raise InvalidInput("密码不能以空格开头或结尾，也不能含控制字符", [Problem("请重新输入密码", field="password")])


def set_password(ctx: Context, *, name: str, password: str, actor_name: str | None,
                 settings: AccountSettings | None = None) -> None:
    """Set a user's password (the county office, or the system before any user exists)."""
    settings = settings or AccountSettings()
    check_password(password, settings)
    hashed = hash_password(password)
    now = ctx.clock.now()
    with transaction(ctx.engine) as session:
        actor = county_office(session, actor_name, "设置密码") if actor_name != name else _self(session, name)
        user = _user(session, name)
        if actor.county is not None and user.county not in (None, actor.county):
            raise PermissionDenied(f"{actor.name} 只能为 {actor.county} 的用户设置密码", [Problem("用户不属本县", field="name")])
        cred = session.get(Credential, user.id) or Credential(user_id=user.id, password_hash="")
        cred.password_hash, cred.changed_at, cred.failed_logins, cred.locked_until = hashed, now, 0, None
        session.add(cred)
        _event(session, "user.password_set", actor.name, actor.role, now, {"name": name})


def _self(session: Session, name: str) -> Actor:
    return _actor(_user(session, name))


def _user(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        raise NotFound(f"找不到用户 {name}", [Problem("请先登记该用户", field="name")])
    return user


def add_user_with_password(ctx: Context, *, name: str, role: str, scope_kind: str, scope: str | None,
                           password: str | None, actor_name: str | None, county: str | None = None,
                           settings: AccountSettings | None = None) -> User:
    settings = settings or AccountSettings()
    if password is not None:
        check_password(password, settings)  # before anything is written
    user = add_user(ctx, name=name, role=role, scope_kind=scope_kind, scope=scope, actor_name=actor_name,
                    county=county)
    if password is not None:
        # the first user sets their own password (no one else exists to do it)
        set_password(ctx, name=name, password=password, actor_name=actor_name or name, settings=settings)
    return user


def init_admin(ctx: Context, *, name: str, county: str, password: str,
               settings: AccountSettings | None = None) -> User:
    """The first county-office account; refused once any user exists."""
    with reading(ctx.engine) as session:
        if session.exec(select(func.count()).select_from(User)).one():
            raise InvalidInput("已有登记用户，不能再初始化管理员",
                               [Problem("请由县换届办用 huanjie user add 登记其他用户", field="init_admin")])
    return add_user_with_password(ctx, name=name, role="county_office", scope_kind="county", scope=None,
                                  password=password, actor_name=None, county=county, settings=settings)


def disable_user(ctx: Context, *, name: str, actor_name: str | None) -> None:
    now = ctx.clock.now()
    with transaction(ctx.engine) as session:
        actor = county_office(session, actor_name, "停用用户")
        user = _user(session, name)
        if actor.county is not None and user.county not in (None, actor.county):
            raise PermissionDenied(f"{actor.name} 只能停用 {actor.county} 的用户", [Problem("用户不属本县", field="name")])
        if user.name == actor.name:
            raise InvalidInput("不能停用自己的账户", [Problem("请由其他县换届办用户操作", field="name")])
        user.active = False
        session.add(user)
        for ws in session.exec(select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))):
            ws.ended_at = now
            session.add(ws)
        for tok in session.exec(select(ApiToken).where(ApiToken.user_id == user.id)):
            tok.revoked = True
            session.add(tok)
        _event(session, "user.disabled", actor.name, actor.role, now, {"name": name})


def login(ctx: Context, *, name: str, password: str, client: str = "",
          settings: AccountSettings | None = None) -> tuple[str, SessionInfo]:
    """Check a password; on success a new session (token for the cookie, and its CSRF token).

    A refusal is raised after its transaction commits: the failure count and the audit event
    of a wrong password must be written although the login fails.
    """
    settings = settings or AccountSettings()
    now = ctx.clock.now()
    name = name.strip()
    with transaction(ctx.engine) as session:
        refusal, result = _login(session, name, password, client, settings, now)
    if refusal is not None:
        raise refusal
    return result


def _login(session: Session, name: str, password: str, client: str, settings: AccountSettings, now: dt.datetime):
    user = session.exec(select(User).where(User.name == name)).first() if name else None
    cred = session.get(Credential, user.id) if user is not None else None
    if cred is not None and cred.locked_until is not None and cred.locked_until > now:
        _event(session, "auth.refused", name, user.role, now, {"reason": "locked", "client": client})
        return _locked(cred.locked_until), None
    if cred is None or not user.active:
        _hasher().verify(password, _dummy_hash())  # the same time as a real check: no oracle for names
        reason = "unknown" if user is None else "inactive" if not user.active else "no_password"
        _event(session, "auth.failed", name or "（空）", user.role if user else "unknown", now,
               {"reason": reason, "client": client})
        return PermissionDenied(WRONG, [Problem("请核对用户名和密码", field="password")]), None
    ok, new_hash = _hasher().verify_and_update(password, cred.password_hash)
    if not ok:
        cred.failed_logins += 1
        payload = {"reason": "password", "failures": cred.failed_logins, "client": client}
        locked = cred.failed_logins >= settings.lock_after
        if locked:
            cred.locked_until = now + dt.timedelta(minutes=settings.lock_minutes)
            cred.failed_logins = 0
            payload["locked_until"] = cred.locked_until.isoformat()
        session.add(cred)
        _event(session, "auth.locked" if locked else "auth.failed", name, user.role, now, payload)
        if locked:
            return _locked(cred.locked_until), None
        left = settings.lock_after - cred.failed_logins
        return PermissionDenied(WRONG, [Problem(f"再错 {left} 次，账户将锁定 {settings.lock_minutes} 分钟",
                                                field="password")]), None
    if new_hash:
        cred.password_hash = new_hash
    cred.failed_logins, cred.locked_until = 0, None
    session.add(cred)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_digest(token), user_id=user.id, csrf=csrf, created_at=now, seen_at=now))
    _event(session, "auth.login", user.name, user.role, now, {"client": client})
    return None, (token, SessionInfo(_actor(user), csrf, user.id))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _locked(until: dt.datetime) -> PermissionDenied:
    import pendulum

    from huanjie.clock import TZ

    local = pendulum.instance(until).in_timezone(TZ).strftime("%Y-%m-%d %H:%M")
    return PermissionDenied("连续多次密码错误，账户已暂时锁定",
                            [Problem(f"请于 {local} 后再试，或请县换届办重设密码", field="password")])


SEEN_EVERY = dt.timedelta(seconds=60)  # a session's last-seen time is written at most once a minute


def session_info(ctx: Context, token: str | None, settings: AccountSettings | None = None) -> SessionInfo | None:
    """The live session of this cookie token, or None (unknown, ended, idle too long, user disabled)."""
    if not token:
        return None
    settings = settings or AccountSettings()
    now = ctx.clock.now()
    digest = _digest(token)
    with reading(ctx.engine) as session:
        row = session.exec(select(WebSession, User).join(User, User.id == WebSession.user_id)
                           .where(WebSession.token_hash == digest)).first()
    if row is None:
        return None
    ws, user = row
    if ws.ended_at is not None or not user.active:
        return None
    if now - ws.seen_at > dt.timedelta(minutes=settings.idle_minutes):
        with transaction(ctx.engine) as session:
            live = session.get(WebSession, digest)
            if live is not None and live.ended_at is None:
                live.ended_at = now
                session.add(live)
                _event(session, "auth.expired", user.name, user.role, now, {"idle_minutes": settings.idle_minutes})
        return None
    if now - ws.seen_at >= SEEN_EVERY:
        with transaction(ctx.engine) as session:
            live = session.get(WebSession, digest)
            if live is not None:
                live.seen_at = now
                session.add(live)
    return SessionInfo(_actor(user), ws.csrf, user.id)


def logout(ctx: Context, token: str | None) -> None:
    if not token:
        return
    now = ctx.clock.now()
    with transaction(ctx.engine) as session:
        row = session.exec(select(WebSession, User).join(User, User.id == WebSession.user_id)
                           .where(WebSession.token_hash == _digest(token))).first()
        if row is None or row[0].ended_at is not None:
            return
        ws, user = row
        ws.ended_at = now
        session.add(ws)
        _event(session, "auth.logout", user.name, user.role, now, {})


def create_token(ctx: Context, *, name: str, actor_name: str | None, label: str = "") -> str:
    """A bearer token for /api/ acting as ``name`` (issued by the county office); shown once."""
    now = ctx.clock.now()
    token = "hj_" + secrets.token_urlsafe(32)
    with transaction(ctx.engine) as session:
        actor = county_office(session, actor_name, "签发接口令牌")
        user = _user(session, name)
        session.add(ApiToken(token_hash=_digest(token), user_id=user.id, label=label, created_at=now))
        _event(session, "user.token_issued", actor.name, actor.role, now, {"name": name, "label": label})
    return token


def token_actor(ctx: Context, token: str) -> Actor | None:
    with reading(ctx.engine) as session:
        row = session.exec(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                           .where(ApiToken.token_hash == _digest(token))).first()
    if row is None or row[0].revoked or not row[1].active:
        return None
    return _actor(row[1])


def record_refusal(ctx: Context, *, actor: Actor, action: str, message: str) -> None:
    """A refused request (audit: 操作日志 records refusals as well as writes)."""
    with transaction(ctx.engine) as session:
        _event(session, "access.refused", actor.name, actor.role, ctx.clock.now(),
               {"action": action, "message": message})
