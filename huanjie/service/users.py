"""People and their roles; resolving the CLI's --as to an Actor."""

from __future__ import annotations

from sqlmodel import Session, func, select

from huanjie.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from huanjie.service.context import SYSTEM, Actor, Context
from huanjie.service.roles import COUNTY_OFFICE, ROLE_SCOPES, check_role, require_county, role_label
from huanjie.store.db import reading, transaction
from huanjie.store.events import SYSTEM_CHAIN, EventDraft, append
from huanjie.store.models import User


def add_user(
    ctx: Context, *, name: str, role: str, scope_kind: str, scope: str | None, actor_name: str | None = None,
    county: str | None = None,
) -> User:
    """Register a user. Only the county office may; the very first user is registered by the system."""
    name = name.strip()
    if not name:
        raise InvalidInput("用户名不能为空", [Problem("请提供用户名", field="name")])
    from huanjie.plain_text import name_problem

    bad = [p for p in (name_problem(name, "用户名", "name", limit=60),
                       name_problem(scope or "", "范围", "scope", limit=100),
                       name_problem(county or "", "县（区）", "county", limit=100)) if p]
    if bad:
        raise InvalidInput("无法登记用户", bad)
    check_role(role, scope_kind)
    if scope_kind != "county" and not scope:
        raise InvalidInput(f"角色 {role_label(role)} 须指定范围", [Problem("请用 --scope 指定乡镇或村代码", field="scope")])
    with transaction(ctx.engine) as session:
        actor = county_office(session, actor_name, "登记用户")
        if scope_kind != "county":
            county = _scope_county(session, scope_kind, scope, county)
        elif county is None:
            county = _only_county(session, actor) if role == COUNTY_OFFICE else actor.county
        if actor.role != "system" and actor.county is None:
            require_county(actor, county or "")  # a county office registered without a county: no scope
        if actor.role != "system" and county != actor.county:
            raise PermissionDenied(f"{actor.name} 只能登记 {actor.county} 的用户", [Problem("请用 --county 指明本县", field="county")])
        if session.exec(select(User).where(User.name == name)).first():
            raise Conflict(f"用户 {name} 已存在", [Problem("用户名须唯一", field="name")])
        user = User(name=name, role=role, scope_kind=scope_kind, scope=scope if scope_kind != "county" else None,
                    county=county)
        session.add(user)
        append(
            session,
            SYSTEM_CHAIN,
            EventDraft(
                kind="user.added",
                actor=actor.name,
                role=actor.role,
                at=ctx.clock.now(),
                payload={"name": name, "role": role, "scope_kind": scope_kind, "scope": user.scope, "county": county},
            ),
        )
    return user


def _only_county(session: Session, actor: Actor) -> str:
    """A county office belongs to one county: the actor's own, or the only one the store knows."""
    from huanjie.store.models import Campaign

    if actor.county is not None:
        return actor.county
    counties = set(session.exec(select(Campaign.county)))
    if len(counties) == 1:
        return counties.pop()
    raise InvalidInput("县换届办须指明所在县（区）",
                       [Problem("请用 --county 指明；未指明县的县换届办不能办理任何县的换届", field="county")])


def _scope_county(session: Session, scope_kind: str, scope: str | None, county: str | None) -> str:
    """The county of a township or village scope, from the imported village lists."""
    from huanjie.store.models import Campaign, Township, Village

    if scope_kind == "village":
        query = select(Campaign.county).join(Village, Village.campaign_id == Campaign.id).where(Village.code == scope)
    else:
        query = select(Campaign.county).join(Township, Township.campaign_id == Campaign.id).where(Township.name == scope)
    counties = set(session.exec(query))
    if county is not None:
        if counties and county not in counties:
            raise InvalidInput(f"{county} 没有“{scope}”", [Problem("请核对 --scope 与 --county", field="county")])
        return county
    if len(counties) == 1:
        return counties.pop()
    if counties:
        raise InvalidInput(f"“{scope}”在多个县（区）都有：{'、'.join(sorted(counties))}",
                           [Problem("请用 --county 指明", field="county")])
    raise InvalidInput(f"尚未导入“{scope}”所在的村名单", [Problem("请先导入村名单，或用 --county 指明县（区）", field="county")])


def placed_scope(ctx: Context, role: str, scope: str | None) -> tuple[str, str | None]:
    """The (scope kind, scope) a new user of ``role`` gets from a typed scope: a county-wide role
    (county office, auditor) is county-wide whatever was typed; any other role's scope is the
    village (by code) or township (by name) it names, or county-wide when none is typed."""
    scope = (scope or "").strip() or None
    if ROLE_SCOPES.get(role) == ("county",):
        return "county", None
    kind = _named_kind(ctx, scope)
    return kind, scope if kind != "county" else None


def _named_kind(ctx: Context, scope: str | None) -> str:
    """A scope names a village (by code) or a township (by name) known to the store."""
    from huanjie.store.models import Township, Village

    if not scope:
        return "county"
    with reading(ctx.engine) as session:
        if session.exec(select(Village.id).where(Village.code == scope)).first():
            return "village"
        if session.exec(select(Township.id).where(Township.name == scope)).first():
            return "township"
    raise InvalidInput(f"范围“{scope}”既不是已导入的村代码，也不是乡镇名称",
                       [Problem("请先导入村名单，或用 --scope-kind township|village 指明", field="scope")])


def list_users(ctx: Context) -> list[User]:
    with reading(ctx.engine) as session:
        return list(session.exec(select(User).order_by(User.id)))


def resolve_actor(session: Session, name: str | None) -> Actor:
    """The acting user. Before any user exists, unnamed commands act as the system (set-up)."""
    if name is None:
        if session.exec(select(func.count()).select_from(User)).one() == 0:
            return SYSTEM
        raise InvalidInput("请用 --as 指定操作用户", [Problem("已登记用户后，每项操作都须以某一用户身份进行", field="as")])
    user = session.exec(select(User).where(User.name == name, User.active)).first()
    if user is None:
        raise NotFound(f"找不到用户 {name}", [Problem("请先用 huanjie user add 登记", field="as")])
    return Actor(name=user.name, role=user.role, scope_kind=user.scope_kind, scope=user.scope, county=user.county)


def county_office(session: Session, name: str | None, action: str) -> Actor:
    """The acting user, who must be the county office (or the system before users exist)."""
    from huanjie.service.roles import COUNTY_OFFICE, require

    actor = resolve_actor(session, name)
    require(actor.role in (COUNTY_OFFICE, "system"), f"{actor.name} 不能{action}", f"{action}须由县换届办作出")
    return actor
