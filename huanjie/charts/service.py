"""Charts for one village or one campaign, as SVG or PNG."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlmodel import select

from huanjie.charts.flow import render_flow
from huanjie.charts.svg import to_png
from huanjie.charts.timeline import Row, render_timeline, step_rows
from huanjie.errors import InvalidInput, Problem
from huanjie.service.campaigns import get_campaign
from huanjie.service.context import Context
from huanjie.service.villages import find_village
from huanjie.steps.catalogue import GATE_ROLES
from huanjie.steps.env import campaign_env
from huanjie.store.db import reading
from huanjie.store.models import Case, StepState, Village


def _status(state, today: dt.date) -> str:
    if state.status in ("done", "skipped"):
        return state.status
    return "overdue" if today > state.due else "open"


def village_timeline(ctx: Context, *, village_code: str, campaign_code: str | None = None,
                     today: dt.date | None = None) -> str:
    today = today or ctx.clock.today()
    with reading(ctx.engine) as s:
        campaign, village = find_village(s, village_code, campaign_code)
        states = {st.step_key: st for st in s.exec(select(StepState).join(Case, Case.id == StepState.case_id)
                                                    .where(Case.village_id == village.id))}
    if not states:
        raise InvalidInput(f"村 {village_code} 尚未启动换届流程", [Problem("请先 huanjie launch", field="village")])
    env = campaign_env(campaign)
    due = {k: st.due for k, st in states.items()}

    def row(spec, start):
        st = states[spec.key]
        return Row(spec.key, spec.name, spec.stage, start, st.due, _status(st, today),
                   st.done_on if st.status == "done" else None, bool(st.late))

    rows = step_rows(env.catalogue, due, row)
    return render_timeline(f"{village.name}（{village.code}）换届时间表", rows, today)


def campaign_timeline(ctx: Context, *, campaign_code: str, today: dt.date | None = None) -> str:
    today = today or ctx.clock.today()
    with reading(ctx.engine) as s:
        campaign = get_campaign(s, campaign_code)
        data = s.exec(select(StepState.step_key, StepState.status, StepState.due)
                      .join(Case, Case.id == StepState.case_id).join(Village, Village.id == Case.village_id)
                      .where(Village.campaign_id == campaign.id)).all()
    if not data:
        raise InvalidInput(f"换届 {campaign_code} 尚无已启动的村", [Problem("请先 huanjie launch", field="campaign")])
    env = campaign_env(campaign)
    latest, earliest, total, done, overdue = {}, {}, Counter(), Counter(), Counter()
    for key, status, due in data:
        latest[key] = max(latest.get(key, due), due)
        earliest[key] = min(earliest.get(key, due), due)
        total[key] += 1
        done[key] += status in ("done", "skipped")
        overdue[key] += status not in ("done", "skipped") and today > due

    def row(spec, start):
        key = spec.key
        status = "overdue" if overdue[key] else "done" if done[key] == total[key] else "open"
        note = f"{done[key]}/{total[key]} 完成" + (f"，{overdue[key]} 逾期" if overdue[key] else "")
        return Row(key, spec.name, spec.stage, min(start, earliest[key]), latest[key], status, note=note)

    rows = step_rows(env.catalogue, latest, row)
    villages = max(total.values())
    return render_timeline(f"{campaign.name}（{campaign.code}）换届时间表（{villages} 个村）", rows, today)


def flow_chart() -> str:
    from huanjie.steps.catalogue import load_catalogue

    return render_flow(load_catalogue(), GATE_ROLES)


def as_format(svg: str, path_suffix: str) -> bytes:
    if path_suffix == ".svg":
        return svg.encode("utf-8")
    if path_suffix == ".png":
        return to_png(svg)
    raise InvalidInput(f"不支持的图片格式 {path_suffix}", [Problem("输出文件须以 .svg 或 .png 结尾", field="output")])
