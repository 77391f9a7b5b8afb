"""作战图: villages × 15 stages, risk colours, filters, counts per stage, campaign timeline, Excel."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from huanjie.service.views import RISK_LABELS, STAGE_STATE_LABELS, STATE_LABELS, board_view
from huanjie.web.deps import Viewer, context, current_viewer, kept, render

router = APIRouter(include_in_schema=False)
PAGE = 100  # villages per page (the counts cover every village of the filter)


def _filters(request: Request) -> dict:
    q = request.query_params
    return {k: (q.get(k) or None) for k in ("campaign", "township", "risk", "state")}


@router.get("/")
def home(viewer: Viewer = Depends(current_viewer)):
    return RedirectResponse("/inbox" if viewer.actor.role in ("village_clerk", "joint_reviewer") else "/board", 303)


@router.get("/board")
@kept()
def board_page(request: Request, viewer: Viewer = Depends(current_viewer)):
    f = _filters(request)
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    view = board_view(context(request), actor_name=viewer.name, campaign_code=f["campaign"], township=f["township"],
                      risk=f["risk"], state=f["state"], page=page, per_page=PAGE)
    page_query = urlencode({k: v for k, v in f.items() if v})
    return render(request, "board.html", view=view, f=f, risk_labels=RISK_LABELS, state_labels=STATE_LABELS,
                  stage_labels=STAGE_STATE_LABELS, query=page_query, rows=view.rows, page=view.page,
                  pages=view.pages, page_query=page_query, today=context(request).clock.today())


@router.get("/board.xlsx")
def board_excel(request: Request, viewer: Viewer = Depends(current_viewer)):
    from huanjie.web.excel import board_workbook

    f = _filters(request)
    view = board_view(context(request), actor_name=viewer.name, campaign_code=f["campaign"], township=f["township"],
                      risk=f["risk"], state=f["state"], page=None)
    data = board_workbook(view)
    name = f"作战图_{view.campaign.code if view.campaign else ''}.xlsx"
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/campaign/{code}/timeline.svg")
def campaign_chart(code: str, request: Request, viewer: Viewer = Depends(current_viewer)):
    from huanjie.charts.service import campaign_timeline
    from huanjie.service.scope import visible_campaigns

    from huanjie.errors import NotFound

    if code not in {c.code for c in visible_campaigns(context(request), actor_name=viewer.name)}:
        raise NotFound(f"找不到换届 {code}")
    svg = campaign_timeline(context(request), campaign_code=code)
    return Response(svg, media_type="image/svg+xml", headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
