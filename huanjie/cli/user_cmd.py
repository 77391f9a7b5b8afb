from __future__ import annotations

from typing import Annotated

import typer

from huanjie.cli.chrome import ChineseTyper
from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain

app = ChineseTyper(no_args_is_help=True)


@app.command("add")
@command
def add(
    name: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option("--role", help="county_office | township_approver | village_clerk | joint_reviewer | auditor")],
    scope: Annotated[str | None, typer.Option("--scope", help="乡镇名称或村代码；县级角色不填")] = None,
    scope_kind: Annotated[str | None, typer.Option("--scope-kind", help="county | township | village（默认按已导入的乡镇名、村代码推断）")] = None,
    county: Annotated[str | None, typer.Option("--county", help="所在县（区）；乡镇、村范围的用户可由已导入的村名单推断")] = None,
    password: Annotated[str | None, typer.Option("--password", help="网页登录密码（至少 8 位）；不填则暂不能登录网页")] = None,
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """登记用户及其角色、范围（须由县换届办登记；第一个用户由系统登记）。"""
    from huanjie.service.accounts import add_user_with_password
    from huanjie.service.roles import role_label
    from huanjie.service.users import placed_scope

    kind, scope = (scope_kind, scope) if scope_kind else placed_scope(context(), role, scope)
    user = add_user_with_password(context(), name=name, role=role, scope_kind=kind, scope=scope, actor_name=as_,
                                  county=county, password=password)
    if json_out:
        print_json(user.model_dump(exclude={"id"}))
    else:
        where = f"{user.county or '各县'}" + (f" {user.scope}" if user.scope else "")
        console.print(f"已登记 {plain(user.name)}：{plain(role_label(user.role))}，范围 {plain(where)}")


@app.command("list")
@command
def list_(as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """列出用户（县换届办、审计人员可查看本县的用户）。"""
    from huanjie.service.roles import AUDITOR, role_label, serves_county
    from huanjie.service.users import list_users
    from huanjie.service.visibility import COUNTY_ROLES, acting_user

    actor = acting_user(context(), as_, action="查看用户名单", roles=COUNTY_ROLES)
    users = [u for u in list_users(context()) if u.county is not None and serves_county(actor, u.county)
             or actor.role == "system" or (actor.county is None and actor.role == AUDITOR)]
    if json_out:
        print_json([u.model_dump(exclude={"id"}) for u in users])
        return
    for u in users:
        console.print(f"{plain(u.name)}  {plain(role_label(u.role))}  {plain(u.scope or '全县')}")


@app.command("passwd")
@command
def passwd(
    name: Annotated[str, typer.Argument(help="用户名")],
    password: Annotated[str, typer.Option("--password", prompt="新密码", hide_input=True, confirmation_prompt="再输入一次",
                                          help="新的网页登录密码（至少 8 位）")],
    as_: AsOpt = None,
) -> None:
    """设置或重设用户的网页登录密码（县换届办，或用户本人）。"""
    from huanjie.service.accounts import set_password

    set_password(context(), name=name, password=password, actor_name=as_)
    console.print(f"已设置 {name} 的密码", markup=False)


@app.command("disable")
@command
def disable(name: Annotated[str, typer.Argument(help="用户名")], as_: AsOpt = None) -> None:
    """停用用户：不能再登录，已登录的会话和接口令牌立即失效。"""
    from huanjie.service.accounts import disable_user

    disable_user(context(), name=name, actor_name=as_)
    console.print(f"已停用 {name}", markup=False)


@app.command("token")
@command
def token(name: Annotated[str, typer.Argument(help="用户名")],
          label: Annotated[str, typer.Option("--label", help="用途说明")] = "", as_: AsOpt = None) -> None:
    """为用户签发接口令牌（/api/ 的 Authorization: Bearer 令牌），只显示这一次。"""
    from huanjie.service.accounts import create_token

    console.print(create_token(context(), name=name, actor_name=as_, label=label), markup=False)
