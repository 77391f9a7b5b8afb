"""县换届办: campaigns, village import, users and roles, election-day moves, rest days, digests."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from huanjie.errors import HuanjieError, InvalidInput, Problem
from huanjie.service.roles import ROLE_SCOPES, role_label
from huanjie.service.scope import county_campaign_of, require_county_office, users_of_county, visible_campaigns
from huanjie.web.deps import Viewer, context, current_viewer, note_refusal, render, writer
from huanjie.web.forms import parse_day

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 5 * 1024 * 1024
ROLES = [(role, role_label(role)) for role in ROLE_SCOPES]


def _page(request: Request, viewer: Viewer, *, error: HuanjieError | None = None, status_code: int = 200, **extra):
    ctx = context(request)
    require_county_office(ctx, actor_name=viewer.name, action="使用县换届办页面")
    if error is not None:
        note_refusal(request, error)
    campaigns = visible_campaigns(ctx, actor_name=viewer.name)
    users = users_of_county(ctx, actor_name=viewer.name)
    data = dict(campaigns=campaigns, users=users, roles=ROLES, error=error, form={}, done=request.query_params.get("done"),
                import_result=None, move=None, today=ctx.clock.today(), profiles=_profiles())
    data.update(extra)
    return render(request, "county.html", status_code=status_code if error is None else
                  (403 if error.code == "forbidden" else 400), **data)


@router.get("/county")
def county(request: Request, viewer: Viewer = Depends(current_viewer)):
    return _page(request, viewer)


@router.post("/county/campaign")
async def create(request: Request, viewer: Viewer = Depends(writer)):
    from huanjie.service.campaigns import create_campaign

    form = dict(await request.form())
    try:
        problems = []
        days = {}
        for key, label in (("party_day", "党组织选举日"), ("vc_day", "村委会选举日")):
            try:
                days[key] = parse_day(form.get(key), key, label)
            except InvalidInput as exc:
                problems += exc.problems
            if days.get(key) is None and not any(p.field == key for p in problems):
                problems.append(Problem(f"请填写{label}", field=key))
        if problems:
            raise InvalidInput("无法创建换届", problems)
        campaign = create_campaign(context(request), name=str(form.get("name", "")), county=str(form.get("county", "")),
                                   profile=str(form.get("profile", "")), actor_name=viewer.name, **days)
    except HuanjieError as exc:
        return _page(request, viewer, error=exc, form=form, section="campaign")
    return RedirectResponse(f"/county?done={quote(f'已创建换届 {campaign.code}')}", 303)


@router.post("/county/import")
async def import_villages(request: Request, viewer: Viewer = Depends(writer)):
    from huanjie.service.villages import import_villages as do_import
    from huanjie.web.excel import xlsx_to_csv

    form = await request.form()
    code = str(form.get("campaign", ""))
    upload = form.get("file")
    try:
        if upload is None or not getattr(upload, "filename", ""):
            raise InvalidInput("请选择村名单文件", [Problem("CSV 或 Excel（.xlsx）文件", field="file")])
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("文件太大", [Problem("村名单文件不超过 5 MB", field="file")])
        name = Path(upload.filename).name
        if name.lower().endswith(".xlsx"):
            data, name = xlsx_to_csv(data, name), Path(name).stem + ".csv"
        elif not name.lower().endswith(".csv"):
            raise InvalidInput(f"不支持的文件“{name}”", [Problem("请上传 .csv 或 .xlsx 文件", field="file")])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            result = do_import(context(request), campaign_code=code, path=path, actor_name=viewer.name)
    except HuanjieError as exc:
        return _page(request, viewer, error=exc, section="import")
    return _page(request, viewer, import_result=result, section="import")


@router.post("/county/users")
async def add_user(request: Request, viewer: Viewer = Depends(writer)):
    from huanjie.service.accounts import add_user_with_password
    from huanjie.service.users import placed_scope

    form = dict(await request.form())
    try:
        role = str(form.get("role", ""))
        me = require_county_office(context(request), actor_name=viewer.name, action="登记用户")
        kind, scope = placed_scope(context(request), role, str(form.get("scope", "")))
        add_user_with_password(context(request), name=str(form.get("name", "")), role=role, scope_kind=kind,
                               scope=scope, password=str(form.get("password", "")) or None,
                               actor_name=viewer.name, county=me.county)
    except HuanjieError as exc:
        return _page(request, viewer, error=exc, form=form, section="users")
    return RedirectResponse(f"/county?done={quote('已登记用户 ' + str(form.get('name', '')).strip())}#users", 303)


@router.post("/county/users/{name}/password")
async def set_password(name: str, request: Request, viewer: Viewer = Depends(writer)):
    from huanjie.service.accounts import set_password as do_set

    form = await request.form()
    try:
        do_set(context(request), name=name, password=str(form.get("password", "")), actor_name=viewer.name)
    except HuanjieError as exc:
        return _page(request, viewer, error=exc, section="users")
    return RedirectResponse(f"/county?done={quote(f'已重设 {name} 的密码')}#users", 303)


@router.post("/county/users/{name}/disable")
async def disable(name: str, request: Request, viewer: Viewer = Depends(writer)):
    from huanjie.service.accounts import disable_user

    try:
        disable_user(context(request), name=name, actor_name=viewer.name)
    except HuanjieError as exc:
        return _page(request, viewer, error=exc, section="users")
    return RedirectResponse(f"/county?done={quote(f'已停用 {name}')}#users", 303)


@router.post("/county/move")
async def move(request: Request, viewer: Viewer = Depends(writer)):
    from huanjie.service.replan import move_campaign

    form = dict(await request.form())
    confirm = form.get("intent") == "confirm"
    try:
        code = str(form.get("campaign", ""))
        county_campaign_of(context(request), actor_name=viewer.name, campaign_code=code, action="调整选举日")
        result = move_campaign(context(request), campaign_code=code, actor_name=viewer.name,
                               party_day=parse_day(form.get("party_day"), "party_day", "党组织选举日"),
                               vc_day=parse_day(form.get("vc_day"), "vc_day", "村委会选举日"),
                               reason=str(form.get("reason", "")), preview=not confirm, require_reason=True)
    except HuanjieError as exc:
        preview = None
        if confirm:  # keep showing what the move would change beside why it was not made
            try:
                preview = move_campaign(context(request), campaign_code=str(form.get("campaign", "")),
                                        actor_name=viewer.name, party_day=parse_day(form.get("party_day"), "party_day", ""),
                                        vc_day=parse_day(form.get("vc_day"), "vc_day", ""), preview=True)
            except HuanjieError:
                preview = None
        return _page(request, viewer, error=exc, form=form, section="move", move=preview)
    if confirm:
        return RedirectResponse(f"/county?done={quote(f'已调整选举日：{result.moved} 个期限随之调整，{len(result.invalidated)} 个步骤失效重办')}", 303)
    return _page(request, viewer, form=form, move=result, section="move")


@router.post("/county/rest-day")
async def rest_day(request: Request, viewer: Viewer = Depends(writer)):
    from huanjie.service.replan import set_rest_day

    form = dict(await request.form())
    try:
        day = parse_day(form.get("day"), "day", "日期")
        if day is None:
            raise InvalidInput("请填写本地休息日的日期", [Problem("如 2026-10-12", field="day")])
        result = set_rest_day(context(request), campaign_code=str(form.get("campaign", "")), actor_name=viewer.name,
                              day=day, label=str(form.get("label", "")), remove=form.get("intent") == "remove")
    except HuanjieError as exc:
        return _page(request, viewer, error=exc, form=form, section="rest")
    return RedirectResponse(f"/county?done={quote(f'已更新本地休息日：{result.moved} 个期限随之调整')}#rest", 303)


def _digest(request: Request, viewer: Viewer, code: str, township: str | None, week: str | None):
    from huanjie.reminders.config import NotifySettings
    from huanjie.reminders.deliver import Notify
    from huanjie.reminders.digest import WEEK, parse_week, week_of

    ctx = context(request)
    county_campaign_of(ctx, actor_name=viewer.name, campaign_code=code, action="预览、发送每周提醒")
    if week and WEEK.match(week.strip()):  # an ISO week (2026-W39), as the API and CLI take it
        parse_week(week)
    else:  # the page asks for any day of the week
        week = week_of(parse_day(week, "week", "该周任一日") or ctx.clock.today())
    return ctx, Notify(NotifySettings().load()), week


@router.get("/county/digest")
def digest_preview(request: Request, campaign: str, township: str | None = None, week: str | None = None,
                   viewer: Viewer = Depends(current_viewer)):
    from huanjie.reminders import render as digest_render
    from huanjie.reminders.sweep import preview_digest

    ctx, notify, week = _digest(request, viewer, campaign, township or None, week or None)
    built = preview_digest(ctx, notify, campaign_code=campaign, week=week, township=township or None, now=ctx.clock.now())
    return HTMLResponse(digest_render.render_html(built),
                        headers={"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'"})


@router.post("/county/digest/send")
async def digest_send(request: Request, viewer: Viewer = Depends(writer)):
    form = dict(await request.form())
    try:
        code, township = str(form.get("campaign", "")), str(form.get("township", "")) or None
        ctx, notify, week = _digest(request, viewer, code, township, str(form.get("week", "")) or None)
        notice, sent = send_digest(ctx, notify, code, week, township)
        if notice is None:
            return RedirectResponse(f"/county?done={quote(f'{week} 的提醒此前已发送，不重复发送')}#digest", 303)
    except HuanjieError as exc:
        return _page(request, viewer, error=exc, form=form, section="digest")
    message = f"已发出：{notice.subject}（成功 {sent.get('sent', 0)}，待重试 {sent.get('retrying', 0)}，失败 {sent.get('failed', 0)}）"
    return RedirectResponse(f"/county?done={quote(message)}#digest", 303)


def send_digest(ctx, notify, code: str, week: str, township: str | None):
    """Issue the week's digest (once: None if it was sent before) and deliver it now (page and API)."""
    from huanjie.reminders.deliver import deliver_due
    from huanjie.reminders.sweep import issue_digest

    notice = issue_digest(ctx, notify, campaign_code=code, week=week, township=township, now=ctx.clock.now())
    if notice is None:
        return None, {}
    return notice, deliver_due(ctx, notify, ctx.clock.now(), notice_ids=[notice.id])


def _profiles() -> list[tuple[str, str]]:
    from huanjie.rules.loader import load_profile, profile_codes

    return [(code, load_profile(code).name) for code in profile_codes()]
