from __future__ import annotations

from typing import Annotated

import typer

from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain

app = typer.Typer(no_args_is_help=True)


@app.command("add")
@command
def add(
    name: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option("--role", help="county_office | township_approver | village_clerk | joint_reviewer | auditor")],
    scope: Annotated[str | None, typer.Option("--scope", help="乡镇名称或村代码；县级角色不填")] = None,
    scope_kind: Annotated[str | None, typer.Option("--scope-kind", help="county | township | village（默认按已导入的乡镇名、村代码推断）")] = None,
    county: Annotated[str | None, typer.Option("--county", help="所在县（区）；乡镇、村范围的用户可由已导入的村名单推断")] = None,
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """登记用户及其角色、范围（须由县换届办登记；第一个用户由系统登记）。"""
    from huanjie.service.roles import role_label
    from huanjie.service.users import add_user, infer_scope_kind

    kind = scope_kind or infer_scope_kind(context(), scope)
    user = add_user(context(), name=name, role=role, scope_kind=kind, scope=scope, actor_name=as_,
                    county=county)
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
