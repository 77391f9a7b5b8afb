"""Accounts: argon2 hashes, lockout that ends, idle sessions, disabled users, tokens; every login is an event."""

from __future__ import annotations

import pytest
from sqlmodel import select

from huanjie.errors import InvalidInput, PermissionDenied
from huanjie.service.accounts import (
    AccountSettings,
    create_token,
    disable_user,
    init_admin,
    login,
    logout,
    session_info,
    set_password,
    token_actor,
)
from huanjie.service.users import add_user
from huanjie.store.account_models import Credential
from huanjie.store.db import reading
from huanjie.store.models import Event

SETTINGS = AccountSettings(lock_after=5, lock_minutes=15, idle_minutes=30)


@pytest.fixture
def people(ctx):
    init_admin(ctx, name="县办", county="示范县", password="county-pass-1")
    add_user(ctx, name="审批人", role="township_approver", scope_kind="township", scope="城关镇", actor_name="县办",
             county="示范县")
    set_password(ctx, name="审批人", password="approver-pass", actor_name="县办")
    return ctx


def kinds(ctx, actor):
    with reading(ctx.engine) as s:
        return [e.kind for e in s.exec(select(Event).where(Event.actor == actor).order_by(Event.id))]


def test_passwords_are_argon2_hashes_and_logins_are_events(people, clock):
    with reading(people.engine) as s:
        hashes = [c.password_hash for c in s.exec(select(Credential))]
    assert all(h.startswith("$argon2id$") for h in hashes) and "approver-pass" not in "".join(hashes)
    token, info = login(people, name="审批人", password="approver-pass", settings=SETTINGS)
    assert info.actor.role == "township_approver" and info.actor.scope == "城关镇"
    assert session_info(people, token, SETTINGS).actor.name == "审批人"
    logout(people, token)
    assert session_info(people, token, SETTINGS) is None
    assert kinds(people, "审批人")[-2:] == ["auth.login", "auth.logout"]


def test_five_failures_lock_the_account_until_the_lock_ends(people, clock):
    for left in (4, 3, 2, 1):
        with pytest.raises(PermissionDenied) as e:
            login(people, name="审批人", password="nope-nope", settings=SETTINGS)
        assert f"再错 {left} 次" in e.value.problems[0].message
    with pytest.raises(PermissionDenied, match="锁定"):
        login(people, name="审批人", password="nope-nope", settings=SETTINGS)
    with pytest.raises(PermissionDenied, match="锁定"):  # even the right password, while locked
        login(people, name="审批人", password="approver-pass", settings=SETTINGS)
    clock.advance(minutes=14)
    with pytest.raises(PermissionDenied, match="锁定"):
        login(people, name="审批人", password="approver-pass", settings=SETTINGS)
    clock.advance(minutes=2)
    token, _ = login(people, name="审批人", password="approver-pass", settings=SETTINGS)
    assert token
    assert kinds(people, "审批人") == ["auth.failed"] * 4 + ["auth.locked", "auth.refused", "auth.refused", "auth.login"]


def test_unknown_names_and_wrong_passwords_answer_alike(people):
    with pytest.raises(PermissionDenied) as unknown:
        login(people, name="无此人", password="whatever-1", settings=SETTINGS)
    with pytest.raises(PermissionDenied) as wrong:
        login(people, name="审批人", password="whatever-1", settings=SETTINGS)
    assert unknown.value.message == wrong.value.message == "用户名或密码错误"


def test_idle_sessions_end(people, clock):
    token, _ = login(people, name="审批人", password="approver-pass", settings=SETTINGS)
    clock.advance(minutes=29)
    assert session_info(people, token, SETTINGS) is not None  # a request: seen again
    clock.advance(minutes=29)
    assert session_info(people, token, SETTINGS) is not None
    clock.advance(minutes=31)
    assert session_info(people, token, SETTINGS) is None
    assert "auth.expired" in kinds(people, "审批人")


def test_disabling_a_user_ends_sessions_and_tokens(people):
    token, _ = login(people, name="审批人", password="approver-pass", settings=SETTINGS)
    api = create_token(people, name="审批人", actor_name="县办", label="脚本")
    assert token_actor(people, api).name == "审批人"
    disable_user(people, name="审批人", actor_name="县办")
    assert session_info(people, token, SETTINGS) is None
    assert token_actor(people, api) is None
    with pytest.raises(PermissionDenied):
        login(people, name="审批人", password="approver-pass", settings=SETTINGS)


def test_only_the_county_office_sets_passwords_and_short_ones_are_refused(people):
    with pytest.raises(PermissionDenied):
        set_password(people, name="县办", password="another-pass", actor_name="审批人")
    with pytest.raises(InvalidInput, match="太短"):
        set_password(people, name="审批人", password="short", actor_name="县办")
    with pytest.raises(InvalidInput, match="已有登记用户"):
        init_admin(people, name="第二个", county="示范县", password="county-pass-2")
