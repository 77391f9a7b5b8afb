"""审计: a village's event timeline with filters, replay at a moment, chain verification, signed export."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from huanjie.errors import InvalidInput, Problem
from huanjie.service.scope import visible_campaigns, visible_village
from huanjie.web.deps import Viewer, context, current_viewer, render
from huanjie.web.forms import parse_day

router = APIRouter(include_in_schema=False)


def _moment(text: str | None) -> dt.datetime | None:
    from huanjie.audit.history import parse_moment

    if not text:
        return None
    try:
        return parse_moment(text.replace("T", " ") if "T" in text and len(text) == 16 else text)
    except Exception:
        raise InvalidInput(f"时刻“{text}”无法识别", [Problem("如 2026-09-20 12:00", field="at")]) from None


@router.get("/audit")
def audit(request: Request, viewer: Viewer = Depends(current_viewer)):
    from huanjie.audit.access import audit_session
    from huanjie.audit.check import replay_village
    from huanjie.audit.timeline import village_log
    from huanjie.service.views import system_log

    ctx = context(request)
    with audit_session(ctx, viewer.name):
        pass  # only those allowed to audit see this page (the refusal says who may)
    q = request.query_params
    f = {k: (q.get(k) or "").strip() or None for k in ("village", "person", "step", "since", "until", "at", "view")}
    since, until = parse_day(f["since"], "since"), parse_day(f["until"], "until")
    entries = replayed = ref = None
    logins = None
    if f["view"] == "logins":
        logins = system_log(ctx, actor_name=viewer.name, person=f["person"], since=since, until=until)
    elif f["village"]:
        ref = visible_village(ctx, actor_name=viewer.name, village_code=f["village"])
        entries = village_log(ctx, village_code=ref.code, actor_name=viewer.name, campaign_code=ref.campaign,
                              person=f["person"], step=f["step"], since=since, until=until)
        if f["at"]:
            replayed = replay_village(ctx, village_code=ref.code, at=_moment(f["at"]), actor_name=viewer.name,
                                      campaign_code=ref.campaign)
    from huanjie.service.views import STATUS_LABELS

    from huanjie.audit.timeline import step_name

    return render(request, "audit.html", f=f, entries=entries, replayed=replayed, ref=ref, logins=logins, status_labels=STATUS_LABELS,
                  step_name=step_name,
                  campaigns=visible_campaigns(ctx, actor_name=viewer.name))


@router.get("/audit/verify")
def verify(request: Request, campaign: str, viewer: Viewer = Depends(current_viewer)):
    from huanjie.audit.verify import verify as do_verify

    ctx = context(request)
    if campaign not in {c.code for c in visible_campaigns(ctx, actor_name=viewer.name)}:
        from huanjie.errors import NotFound

        raise NotFound(f"找不到换届 {campaign}")
    report = do_verify(ctx, actor_name=viewer.name, campaign_code=campaign, workers=1)
    return render(request, "audit.html", f={}, entries=None, replayed=None, ref=None, logins=None, report=report,
                  campaigns=visible_campaigns(ctx, actor_name=viewer.name))


@router.get("/audit/export")
def export(request: Request, campaign: str | None = None, village: str | None = None,
           viewer: Viewer = Depends(current_viewer)):
    from huanjie.audit.export import export_archive

    ctx = context(request)
    if village:
        ref = visible_village(ctx, actor_name=viewer.name, village_code=village)
        campaign, label = ref.campaign, f"{ref.code}"
    elif campaign in {c.code for c in visible_campaigns(ctx, actor_name=viewer.name)}:
        label = campaign
    else:
        from huanjie.errors import NotFound

        raise NotFound(f"找不到换届 {campaign}")
    key = request.app.state.settings.audit_key
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "export.zip"
        export_archive(ctx, output=out, village_code=village or None, campaign_code=campaign,
                       key_path=Path(key) if key else None, actor_name=viewer.name)
        data = out.read_bytes()
    name = f"审计包_{label}{'' if key else '_未签名'}.zip"
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
