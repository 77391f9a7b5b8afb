"""村页: the 47 steps, a step's form, its gate, documents, timeline chart and history."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from huanjie.errors import HuanjieError, InvalidInput, NotFound, Problem
from huanjie.service.views import step_history, village_page
from huanjie.web.deps import Viewer, context, current_viewer, kept, note_refusal, render, writer
from huanjie.web.forms import build_fields, parse_form, read_table, table_intent

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 5 * 1024 * 1024


@router.get("/village/{code}")
@kept(strict=True)
def village(code: str, request: Request, viewer: Viewer = Depends(current_viewer)):
    page = village_page(context(request), actor_name=viewer.name, village_code=code)
    stages: list[tuple[str, str, list]] = []
    for row in page.steps:
        if not stages or stages[-1][0] != row.stage:
            stages.append((row.stage, row.stage_name, []))
        stages[-1][2].append(row)
    return render(request, "village.html", page=page, stages=stages, today=context(request).clock.today())


def step_page(code: str, step: str, request: Request, viewer: Viewer, *, values: dict | None = None,
              problems: list[Problem] = (), decide_error: HuanjieError | None = None, form_error: HuanjieError | None = None,
              reason: str = "", status_code: int = 200, shown_rows: dict[str, int] | None = None,
              focus: tuple[str, int] | None = None):
    from huanjie.service.facts import step_schema

    ctx = context(request)
    page = village_page(ctx, actor_name=viewer.name, village_code=code)
    row = next((r for r in page.steps if r.step == step), None)
    if row is None:
        raise NotFound(f"没有步骤 {step}", [Problem("步骤编号如 P2.1、V3.2", field="step")])
    schema = step_schema(step)
    fields, loose = build_fields(schema, values if values is not None else row.facts, problems,
                                 shown_rows=shown_rows, focus=focus)
    shown, _ = build_fields(schema, row.facts, (), 0)
    history = step_history(ctx, actor_name=viewer.name, village_code=code, step_key=step)
    documents = [d for d in page.documents if d["step"] == step]
    return render(request, "step.html", status_code=status_code, page=page, row=row, fields=fields, shown=shown,
                  loose=loose, form_error=form_error, decide_error=decide_error, reason=reason, history=history,
                  documents=documents, done=request.query_params.get("done"))


@router.get("/village/{code}/step/{step}")
@kept(strict=True)
def step_get(code: str, step: str, request: Request, viewer: Viewer = Depends(current_viewer)):
    return step_page(code, step, request, viewer)


@router.post("/village/{code}/step/{step}/record")
async def record(code: str, step: str, request: Request, viewer: Viewer = Depends(writer)):
    from huanjie.service.facts import step_schema
    from huanjie.service.records import record_facts
    from huanjie.service.scope import visible_village

    ctx = context(request)
    visible_village(ctx, actor_name=viewer.name, village_code=code)  # 404 outside the scope
    schema = step_schema(step)
    form = await request.form()
    intent = str(form.get("intent") or "record")
    form, shown, focus = table_intent(schema, form, intent)
    facts = parse_form(schema, form)
    try:
        for key, prop in schema["properties"].items():
            upload = form.get(f"upload.{key}")
            if upload is not None and getattr(upload, "filename", ""):
                data = await upload.read(MAX_UPLOAD + 1)
                if len(data) > MAX_UPLOAD:
                    raise InvalidInput("上传的文件太大", [Problem("名单文件不超过 5 MB", field=key)])
                facts[key] = read_table(upload.filename, data, prop, key)
        if intent != "record":  # a table's row button: the same form again, nothing recorded
            return step_page(code, step, request, viewer, values=facts, shown_rows=shown, focus=focus)
        result = record_facts(ctx, actor_name=viewer.name, village_code=code, step_key=step, facts=facts)
    except HuanjieError as exc:
        if exc.code == "not_found":
            raise
        note_refusal(request, exc)
        return step_page(code, step, request, viewer, values=facts, problems=exc.problems, form_error=exc,
                         status_code=403 if exc.code == "forbidden" else 400, shown_rows=shown)
    word = "已保存，检查未通过" if result.failures else "已保存，检查通过"
    return RedirectResponse(f"/village/{code}/step/{step}?done={quote(word)}", 303)


@router.get("/village/{code}/timeline.svg")
def timeline(code: str, request: Request, viewer: Viewer = Depends(current_viewer)):
    from huanjie.charts.service import village_timeline
    from huanjie.service.scope import visible_village

    ref = visible_village(context(request), actor_name=viewer.name, village_code=code)
    svg = village_timeline(context(request), village_code=code, campaign_code=ref.campaign)
    return Response(svg, media_type="image/svg+xml",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})


FORMAT_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "pdf": "application/pdf", "html": "text/html; charset=utf-8"}


@router.get("/village/{code}/doc/{doc}/{step}.{fmt}")
def document(code: str, doc: str, step: str, fmt: str, request: Request, viewer: Viewer = Depends(current_viewer)):
    from huanjie.documents.service import render_document
    from huanjie.service.scope import visible_village

    ref = visible_village(context(request), actor_name=viewer.name, village_code=code)
    if fmt not in FORMAT_TYPES:
        raise NotFound(f"没有 {fmt} 格式")
    f = render_document(context(request), village_code=code, code=doc, fmt=fmt, step=step, campaign_code=ref.campaign)
    headers = {"Content-Disposition": ("inline" if fmt == "html" else "attachment") + f"; filename*=UTF-8''{quote(f.filename)}"}
    if fmt == "html":
        # the preview runs nothing and reaches nothing: a sandboxed, script-free page
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return Response(f.data, media_type=FORMAT_TYPES[fmt], headers=headers)
