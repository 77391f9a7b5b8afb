"""The JSON API (/api/): what the pages do, for scripts; session (with X-CSRF-Token) or bearer token.

Every endpoint calls the same service functions as the pages, with the same access rules; errors
are ``{"error", "message", "problems": [{"message", "field", "line"}]}`` with 400/403/404/409.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response
from pydantic import BaseModel, Field

from huanjie.web.deps import Viewer, context, current_viewer, writer

router = APIRouter(prefix="/api")


def _data(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return jsonable_encoder(value, custom_encoder={dt.date: lambda d: d.isoformat()})


class Me(BaseModel):
    name: str
    role: str
    role_label: str
    scope_kind: str
    scope: str | None
    county: str | None
    csrf: str = Field(description="Send as X-CSRF-Token with every write made with the session cookie")


@router.get("/me", response_model=Me, tags=["账户"], summary="当前用户")
def me(viewer: Viewer = Depends(current_viewer)):
    a = viewer.actor
    return Me(name=a.name, role=a.role, role_label=viewer.role_label, scope_kind=a.scope_kind, scope=a.scope,
              county=a.county, csrf=viewer.csrf)


@router.get("/board", tags=["作战图"], summary="作战图：各村状态、风险、各阶段")
def board(request: Request, campaign: str | None = None, township: str | None = None, risk: str | None = None,
          state: str | None = None, page: int = 1, per_page: int = 500, viewer: Viewer = Depends(current_viewer)):
    from huanjie.service.views import board_view

    view = board_view(context(request), actor_name=viewer.name, campaign_code=campaign, township=township,
                      risk=risk, state=state, page=page, per_page=max(1, min(per_page, 2000)))
    return {"campaign": view.campaign.code if view.campaign else None, "total": view.total,
            "matching": view.matching, "page": view.page, "pages": view.pages,
            "risk_counts": dict(view.risk_counts), "state_counts": dict(view.state_counts),
            "stages": [{"key": k, "name": n, "election": e, "counts": dict(view.stage_counts.get(k, {}))}
                       for k, n, e in view.stages],
            "villages": [r.as_dict() for r in view.rows]}


@router.get("/inbox", tags=["待办"], summary="我的待办：须填报或审批的事项，期限最早的在前")
def inbox(request: Request, township: str | None = None, village: str | None = None, stage: str | None = None,
          due_before: dt.date | None = None, viewer: Viewer = Depends(current_viewer)):
    from huanjie.service.todo import todo_list

    return _data(todo_list(context(request), actor_name=viewer.name, township=township, village=village, stage=stage,
                       due_before=due_before))


@router.get("/villages/{code}", tags=["村"], summary="村页：47 个步骤、期限、为何未推进、文书")
def village(code: str, request: Request, viewer: Viewer = Depends(current_viewer)):
    from huanjie.service.views import village_page

    return _data(village_page(context(request), actor_name=viewer.name, village_code=code))


@router.get("/villages/{code}/history", tags=["村"], summary="办理记录（身份证号已遮蔽）")
def history(code: str, request: Request, step: str | None = None, viewer: Viewer = Depends(current_viewer)):
    from huanjie.service.views import step_history

    return [e.as_dict() for e in step_history(context(request), actor_name=viewer.name, village_code=code, step_key=step)]


@router.get("/steps/{step}/schema", tags=["步骤"], summary="步骤的事实结构（JSON Schema）")
def schema(step: str, viewer: Viewer = Depends(current_viewer)):
    from huanjie.service.facts import step_schema

    return step_schema(step)


class Facts(BaseModel):
    facts: dict[str, Any] = Field(description="The step's facts, as its schema describes")
    merge: bool = Field(default=False, description="Merge with the facts recorded so far (records by key)")


@router.post("/villages/{code}/steps/{step}/facts", tags=["步骤"], summary="填报或更正事实（立即检查）")
def record(code: str, step: str, request: Request, body: Facts, viewer: Viewer = Depends(writer)):
    from huanjie.service.records import record_facts
    from huanjie.service.scope import visible_village

    ref = visible_village(context(request), actor_name=viewer.name, village_code=code)
    return _data(record_facts(context(request), actor_name=viewer.name, village_code=code, step_key=step,
                              facts=body.facts, campaign_code=ref.campaign, merge=body.merge))


class Decision(BaseModel):
    decision: Literal["approve", "reject"]
    reason: str | None = Field(default=None, description="Required to reject")


@router.post("/villages/{code}/steps/{step}/decision", tags=["步骤"], summary="审批：批准或驳回")
def decide(code: str, step: str, request: Request, body: Decision, viewer: Viewer = Depends(writer)):
    from huanjie.service.gates import decide_gate
    from huanjie.service.scope import visible_village

    ref = visible_village(context(request), actor_name=viewer.name, village_code=code)
    state = decide_gate(context(request), actor_name=viewer.name, village_code=code, step_key=step,
                        approve=body.decision == "approve", reason=body.reason, campaign_code=ref.campaign)
    return {"village": code, "step": step, "status": state.status, "attempt": state.attempt}


@router.post("/villages/{code}/steps/{step}/facts/upload", tags=["步骤"],
             summary="上传名单（Excel 或 CSV，中文表头）填入一个名单字段，其余事实不变")
async def record_upload(code: str, step: str, field: str, file: UploadFile, request: Request,
                        viewer: Viewer = Depends(writer)):
    from huanjie.errors import InvalidInput, Problem
    from huanjie.service.facts import step_schema
    from huanjie.service.records import record_facts
    from huanjie.service.scope import visible_village
    from huanjie.web.forms import LIST_TYPES, read_table
    from huanjie.web.views.village import MAX_UPLOAD

    ref = visible_village(context(request), actor_name=viewer.name, village_code=code)
    prop = step_schema(step)["properties"].get(field)
    if prop is None or prop.get("x-huanjie-type") not in LIST_TYPES:
        raise InvalidInput(f"步骤 {step} 没有名单字段“{field}”", [Problem("请填写该步骤的名单字段名", field="field")])
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("上传的文件太大", [Problem("名单文件不超过 5 MB", field=field)])
    rows = read_table(file.filename or "", data, prop, field)
    recorded = _village_row(request, viewer, code, step).facts or {}
    facts = {**recorded, field: rows}  # the other facts as recorded so far
    return _data(record_facts(context(request), actor_name=viewer.name, village_code=code, step_key=step,
                              facts=facts, campaign_code=ref.campaign))


def _village_row(request: Request, viewer: Viewer, code: str, step: str):
    from huanjie.errors import NotFound, Problem
    from huanjie.service.views import village_page

    page = village_page(context(request), actor_name=viewer.name, village_code=code)
    row = next((r for r in page.steps if r.step == step), None)
    if row is None:
        raise NotFound(f"没有步骤 {step}", [Problem("步骤编号如 P2.1、V3.2", field="step")])
    return row


@router.get("/villages/{code}/timeline.svg", tags=["村"], summary="本村时间表（SVG）")
def village_chart(code: str, request: Request, viewer: Viewer = Depends(current_viewer)) -> Response:
    from huanjie.web.views.village import timeline

    return timeline(code, request, viewer)


@router.get("/campaigns/{code}/timeline.svg", tags=["作战图"], summary="全县换届时间表（SVG）")
def campaign_chart(code: str, request: Request, viewer: Viewer = Depends(current_viewer)) -> Response:
    from huanjie.web.views.board import campaign_chart as page_chart

    return page_chart(code, request, viewer)


@router.get("/board.xlsx", tags=["作战图"], summary="作战图导出 Excel（筛选同 /api/board）")
def board_export(request: Request, viewer: Viewer = Depends(current_viewer)) -> Response:
    from huanjie.web.views.board import board_excel

    return board_excel(request, viewer)


@router.get("/villages/{code}/documents/{doc}/{step}.{fmt}", tags=["文书"], summary="文书：docx、pdf 或 html")
def document(code: str, doc: str, step: str, fmt: str, request: Request, viewer: Viewer = Depends(current_viewer)):
    from huanjie.web.views.village import document as page_document

    return page_document(code, doc, step, fmt, request, viewer)


class CampaignIn(BaseModel):
    name: str
    county: str
    profile: str = "national"
    party_day: dt.date
    vc_day: dt.date


@router.post("/campaigns", tags=["县换届办"], summary="创建换届")
def create_campaign(request: Request, body: CampaignIn, viewer: Viewer = Depends(writer)):
    from huanjie.service.campaigns import create_campaign as create

    campaign = create(context(request), actor_name=viewer.name, **body.model_dump())
    return campaign.model_dump(exclude={"id"})


@router.post("/campaigns/{code}/villages", tags=["县换届办"], summary="导入村名单（CSV 或 XLSX，全部或全不）")
async def import_villages(code: str, request: Request, file: UploadFile, viewer: Viewer = Depends(writer)):
    from huanjie.service.villages import import_villages as do_import
    from huanjie.web.excel import xlsx_to_csv

    data, name = await file.read(), Path(file.filename or "villages.csv").name
    if name.lower().endswith(".xlsx"):
        data, name = xlsx_to_csv(data, name), Path(name).stem + ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return _data(do_import(context(request), campaign_code=code, path=path, actor_name=viewer.name))


class Move(BaseModel):
    party_day: dt.date | None = None
    vc_day: dt.date | None = None
    reason: str = ""
    preview: bool = Field(default=True, description="Only say what would change (nothing is written)")


@router.post("/campaigns/{code}/move", tags=["县换届办"], summary="调整选举日（先预览；确认须说明原因）")
def move(code: str, request: Request, body: Move, viewer: Viewer = Depends(writer)):
    from huanjie.service.replan import move_campaign

    return _data(move_campaign(context(request), campaign_code=code, actor_name=viewer.name, party_day=body.party_day,
                               vc_day=body.vc_day, reason=body.reason, preview=body.preview, require_reason=True))


class RestDay(BaseModel):
    day: dt.date
    label: str | None = None
    remove: bool = False


@router.post("/campaigns/{code}/rest-days", tags=["县换届办"], summary="本地休息日（增加或取消）")
def rest_day(code: str, request: Request, body: RestDay, viewer: Viewer = Depends(writer)):
    from huanjie.service.replan import set_rest_day

    return _data(set_rest_day(context(request), campaign_code=code, actor_name=viewer.name, day=body.day,
                              label=body.label, remove=body.remove))


@router.get("/users", tags=["县换届办"], summary="本县用户")
def users(request: Request, viewer: Viewer = Depends(current_viewer)):
    from huanjie.service.scope import users_of_county

    return [u.model_dump(exclude={"id"}) for u in users_of_county(context(request), actor_name=viewer.name)]


class UserIn(BaseModel):
    name: str
    role: str
    scope: str | None = None
    password: str | None = None


@router.post("/users", tags=["县换届办"], summary="登记用户")
def add_user(request: Request, body: UserIn, viewer: Viewer = Depends(writer)):
    from huanjie.service.accounts import add_user_with_password
    from huanjie.service.scope import require_county_office
    from huanjie.service.users import placed_scope

    ctx = context(request)
    me = require_county_office(ctx, actor_name=viewer.name, action="登记用户")
    kind, scope = placed_scope(ctx, body.role, body.scope)
    user = add_user_with_password(ctx, name=body.name, role=body.role, scope_kind=kind, scope=scope, password=body.password,
                                  actor_name=viewer.name, county=me.county)
    return user.model_dump(exclude={"id"})


class PasswordIn(BaseModel):
    password: str


@router.post("/users/{name}/password", tags=["县换届办"], summary="重设用户密码")
def user_password(name: str, request: Request, body: PasswordIn, viewer: Viewer = Depends(writer)):
    from huanjie.service.accounts import set_password

    set_password(context(request), name=name, password=body.password, actor_name=viewer.name)
    return {"name": name, "password_set": True}


@router.post("/users/{name}/disable", tags=["县换届办"], summary="停用用户")
def user_disable(name: str, request: Request, viewer: Viewer = Depends(writer)):
    from huanjie.service.accounts import disable_user

    disable_user(context(request), name=name, actor_name=viewer.name)
    return {"name": name, "disabled": True}


@router.get("/audit/villages/{code}/log", tags=["审计"], summary="办理记录（筛选：操作人、步骤、期间）")
def audit_log(code: str, request: Request, person: str | None = None, step: str | None = None,
              since: dt.date | None = None, until: dt.date | None = None, viewer: Viewer = Depends(current_viewer)):
    from huanjie.audit.timeline import village_log
    from huanjie.service.scope import visible_village

    ref = visible_village(context(request), actor_name=viewer.name, village_code=code)
    return [e.as_dict() for e in village_log(context(request), village_code=code, actor_name=viewer.name,
                                             campaign_code=ref.campaign, person=person, step=step, since=since,
                                             until=until)]


@router.get("/audit/villages/{code}/replay", tags=["审计"], summary="回放：仅凭事件重建某一时刻的状态")
def audit_replay(code: str, request: Request, at: dt.datetime | None = None, viewer: Viewer = Depends(current_viewer)):
    from huanjie.audit.check import replay_village
    from huanjie.clock import TZ
    from huanjie.service.scope import visible_village

    ref = visible_village(context(request), actor_name=viewer.name, village_code=code)
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=TZ)
    return replay_village(context(request), village_code=code, at=at, actor_name=viewer.name, campaign_code=ref.campaign)


@router.get("/audit/verify", tags=["审计"], summary="核验哈希链")
def audit_verify(request: Request, campaign: str, viewer: Viewer = Depends(current_viewer)):
    from huanjie.audit.verify import verify
    from huanjie.errors import NotFound
    from huanjie.service.scope import visible_campaigns

    if campaign not in {c.code for c in visible_campaigns(context(request), actor_name=viewer.name)}:
        raise NotFound(f"找不到换届 {campaign}")
    return verify(context(request), actor_name=viewer.name, campaign_code=campaign, workers=1).as_dict()


@router.get("/audit/export", tags=["审计"], summary="审计包（配置了签名密钥时附签名）")
def audit_export(request: Request, campaign: str | None = None, village: str | None = None,
                 viewer: Viewer = Depends(current_viewer)) -> Response:
    from huanjie.web.views.audit import export

    return export(request, campaign, village, viewer)


@router.get("/campaigns/{code}/digest", tags=["县换届办"], summary="每周重点工作提醒（预览，JSON）")
def digest(code: str, request: Request, week: str | None = None, township: str | None = None,
           viewer: Viewer = Depends(current_viewer)):
    from huanjie.reminders.sweep import preview_digest
    from huanjie.web.views.county import _digest

    ctx, notify, week = _digest(request, viewer, code, township, week)
    return preview_digest(ctx, notify, campaign_code=code, week=week, township=township, now=ctx.clock.now()).as_dict()


class DigestSend(BaseModel):
    week: str | None = Field(default=None, description="如 2026-W33；默认本周")
    township: str | None = None


@router.post("/campaigns/{code}/digest/send", tags=["县换届办"], summary="发送每周重点工作提醒（每周一次，不重复发送）")
def digest_send(code: str, request: Request, body: DigestSend, viewer: Viewer = Depends(writer)):
    from huanjie.web.views.county import _digest, send_digest

    ctx, notify, week = _digest(request, viewer, code, body.township, body.week)
    notice, sent = send_digest(ctx, notify, code, week, body.township)
    return {"week": week, "sent_before": notice is None, "subject": notice.subject if notice else None,
            "deliveries": sent}
