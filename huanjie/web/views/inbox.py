"""我的待办: what this user must record or decide; approve or reject a gate (reason required)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from huanjie.errors import HuanjieError, InvalidInput, Problem
from huanjie.service.views import kept_todo
from huanjie.web.deps import Viewer, context, current_viewer, kept, note_refusal, render, writer

router = APIRouter(include_in_schema=False)


def parse_day(text: str | None, field: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"日期“{text}”不是 YYYY-MM-DD 格式", [Problem("请选择日期", field=field)]) from None


@router.get("/inbox")
@kept()
def inbox_page(request: Request, viewer: Viewer = Depends(current_viewer)):
    q = request.query_params
    f = {k: q.get(k) or None for k in ("township", "village", "stage", "due_before")}
    items = kept_todo(context(request), actor_name=viewer.name, township=f["township"], village=f["village"],
                      stage=f["stage"], due_before=parse_day(f["due_before"], "due_before"))
    from huanjie.steps.catalogue import load_catalogue

    stages = [(s.key, s.name) for s in load_catalogue().stages()]
    stage_names = dict(stages)
    townships = sorted({i.township for i in items} | ({f["township"]} if f["township"] else set()))
    back = "/inbox" + (f"?{urlencode({k: v for k, v in f.items() if v})}" if any(f.values()) else "")
    return render(request, "inbox.html", items=items, f=f, stages=stages, stage_names=stage_names,
                  townships=townships, back=back, done=q.get("done"),
                  today=context(request).clock.today())


@router.post("/village/{code}/step/{step}/decide")
async def decide(code: str, step: str, request: Request, viewer: Viewer = Depends(writer)):
    from huanjie.service.gates import decide_gate

    form = await request.form()
    decision = form.get("decision")
    reason = str(form.get("reason", ""))
    try:
        if decision not in ("approve", "reject"):
            raise InvalidInput("请选择批准或驳回", [Problem("批准或驳回二者选其一", field="decision")])
        decide_gate(context(request), actor_name=viewer.name, village_code=code, step_key=step,
                    approve=decision == "approve", reason=reason)
    except HuanjieError as exc:
        if exc.code == "not_found":
            raise
        note_refusal(request, exc)
        from huanjie.web.views.village import step_page

        return step_page(code, step, request, viewer, decide_error=exc, reason=reason,
                         status_code=403 if exc.code == "forbidden" else 400)
    word = "已批准" if decision == "approve" else "已驳回"
    back = str(form.get("next") or "")
    if _inbox_path(back):  # approved from the inbox: back to the same filtered list
        return RedirectResponse(f"{back}{'&' if '?' in back else '?'}done={quote(f'{word} {code} {step}')}", 303)
    return RedirectResponse(f"/village/{code}/step/{step}?done={word}", 303)


def _inbox_path(target: str) -> bool:
    """Only the inbox itself is a place to go back to (no open redirect)."""
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and parts.path == "/inbox"
