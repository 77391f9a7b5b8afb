"""我的待办: what this user must record or decide; approve or reject a gate (reason required)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from huanjie.errors import HuanjieError, InvalidInput, Problem
from huanjie.service.views import kept_todo
from huanjie.web.deps import Viewer, context, current_viewer, kept, note_refusal, render, writer
from huanjie.web.forms import parse_day

router = APIRouter(include_in_schema=False)


@router.get("/inbox")
@kept()
def inbox_page(request: Request, viewer: Viewer = Depends(current_viewer)):
    return _inbox(request, viewer, request.query_params, done=request.query_params.get("done"))


@dataclass(frozen=True)
class Failed:
    """A decision made from the inbox that was not taken: shown on its row."""
    village: str
    step: str
    error: HuanjieError
    reason: str
    decision: str


def _inbox(request: Request, viewer: Viewer, q, *, done: str | None = None, failed: Failed | None = None,
           status_code: int = 200):
    """The inbox filtered by ``q``; with ``failed``, None when that item is not in the list."""
    f = {k: q.get(k) or None for k in ("township", "village", "stage", "due_before")}
    try:
        due_before, date_error = parse_day(f["due_before"], "due_before", "期限"), None
    except InvalidInput as exc:  # shown on the date box; the list is then not cut by date
        due_before, date_error = None, exc
    items = kept_todo(context(request), actor_name=viewer.name, township=f["township"], village=f["village"],
                      stage=f["stage"], due_before=due_before)
    if failed is not None and not any((i.village, i.step) == (failed.village, failed.step) for i in items):
        return None
    from huanjie.steps.catalogue import load_catalogue

    stages = [(s.key, s.name) for s in load_catalogue().stages()]
    stage_names = dict(stages)
    townships = sorted({i.township for i in items} | ({f["township"]} if f["township"] else set()))
    back = "/inbox" + (f"?{urlencode({k: v for k, v in f.items() if v})}" if any(f.values()) else "")
    return render(request, "inbox.html", status_code=status_code, items=items, f=f, stages=stages,
                  stage_names=stage_names, townships=townships, back=back, done=done, failed=failed,
                  date_error=date_error, today=context(request).clock.today())


@router.post("/village/{code}/step/{step}/decide")
async def decide(code: str, step: str, request: Request, viewer: Viewer = Depends(writer)):
    """Approve or reject a gate, from its step page or from the inbox (``next``: back to the same list)."""
    from huanjie.service.gates import decide_gate

    form = await request.form()
    decision = str(form.get("decision") or "")
    reason = str(form.get("reason", ""))
    back = str(form.get("next") or "")
    try:
        if decision not in ("approve", "reject"):
            raise InvalidInput("请选择批准或驳回", [Problem("批准或驳回二者选其一", field="decision")])
        decide_gate(context(request), actor_name=viewer.name, village_code=code, step_key=step,
                    approve=decision == "approve", reason=reason)
    except HuanjieError as exc:
        if exc.code == "not_found":
            raise
        note_refusal(request, exc)
        status = 403 if exc.code == "forbidden" else 400
        if _inbox_path(back):  # the refusal on the inbox's own row, when the row is still listed
            shown = _inbox(request, viewer, dict(parse_qsl(urlsplit(back).query)), status_code=status,
                           failed=Failed(code, step, exc, reason, decision))
            if shown is not None:
                return shown
        from huanjie.web.views.village import step_page

        return step_page(code, step, request, viewer, decide_error=exc, reason=reason, status_code=status)
    word = "已批准" if decision == "approve" else "已驳回"
    if _inbox_path(back):  # decided from the inbox: back to the same filtered list
        return RedirectResponse(f"{back}{'&' if '?' in back else '?'}done={quote(f'{word} {code} {step}')}", 303)
    return RedirectResponse(f"/village/{code}/step/{step}?done={word}", 303)


def _inbox_path(target: str) -> bool:
    """Only the inbox itself is a place to go back to (no open redirect)."""
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and parts.path == "/inbox"
