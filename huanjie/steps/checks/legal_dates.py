"""Time limits the law puts on recorded facts, counted with the legal calendar — never trusted
from a typed number (domain.md §2: 《民法典》第二百零一条至第二百零三条; working days skip rest days
and count make-up working days). A limit of 0 days ("当日") is the day itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from huanjie.steps.checks.facts import as_date, entries, nth, optional_day
from huanjie.steps.checks.registry import CheckContext, Issue, check

CIVIL_CODE = "《民法典》第二百零一条、第二百零三条"


def limit_end(calendar, start: dt.date, days: int) -> dt.date:
    """Last day of a limit of ``days`` days from ``start``: the start day not counted, a last day
    on a rest day moved to the next working day; 0 days ("当日") is ``start`` itself."""
    return start if days == 0 else calendar.period_end(start, days).date


def workdays_between(calendar, start: dt.date, end: dt.date) -> int:
    """Working days of a period from ``start`` to ``end``: the start day not counted (《民法典》
    第二百零一条), the end day counted; make-up working days count, rest days do not."""
    return sum(calendar.is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


def _published(ctx: CheckContext, step: str) -> dt.date | None:
    facts = ctx.case_facts.get(step) or {}
    return None if facts.get("date") is None else as_date(facts["date"], "date")


@check("objections_in_time", title="选民名单申诉的期限",
       fields={"objections": "选民名单申诉（每项：subject、received 收到日期、decision、decided 决定日期）"},
       optional={"date": "处理结果公布日期"})
def objections_in_time(ctx: CheckContext) -> Iterator[Issue]:
    cal, p = ctx.legal_calendar(), ctx.profile
    published = _published(ctx, "V3.2")
    window = p["voter_objection_window_days"]
    limit = p["objection_decision_days"]
    for index, row in enumerate(entries(ctx, "objections")):
        subject = row.get("subject") or f"第 {index + 1} 件申诉"
        received = as_date(row.get("received"), "objections", nth(index, "received"))
        if published is not None:
            last = limit_end(cal, published, window)
            refused = "不予受理" in str(row.get("decision") or "")
            if not (published <= received <= last) and not refused:
                yield "objections", (f"申诉“{subject}”收到于 {received}，不在选民名单公布（{published}）后的 {window} 日"
                                     f"异议期内（至 {last}，{CIVIL_CODE}；{p.cite('voter_objection_window_days')}）；"
                                     "逾期的申诉应记录为“不予受理”")
        if row.get("decided"):
            decided = as_date(row.get("decided"), "objections", nth(index, "decided"))
            due = limit_end(cal, received, limit)
            if decided > due:
                yield "objections", (f"申诉“{subject}”于 {received} 收到，{decided} 才作出决定，超过 {limit} 日的法定"
                                     f"处理期限（至 {due}，{CIVIL_CODE}；{p.cite('objection_decision_days')}）")


@check("proxies_filed_in_time", title="委托投票的办理期限", fields={"proxies": "委托投票"},
       optional={"vc_election_day": "村委会选举日（无计划锚点时）"})
def proxies_filed_in_time(ctx: CheckContext) -> Iterator[Issue]:
    """Counted back from the election day of the current plan (a moved election day moves the
    limit); a day recorded in an earlier step (V3.1) is only the fallback when there is no plan."""
    cal, p = ctx.legal_calendar(), ctx.profile
    election_day = ctx.anchors.get("D_V") or optional_day(ctx, "vc_election_day")
    if election_day is None:
        return
    days = p["proxy_filing_days_before"]
    latest = cal.latest_before(election_day, days).date
    for index, row in enumerate(entries(ctx, "proxies")):
        if row.get("filed_on") is None:
            continue
        filed = as_date(row["filed_on"], "proxies", nth(index, "filed_on"))
        if filed > latest:
            yield "proxies", (f"{row.get('principal', f'第 {index + 1} 项')} 的委托于 {filed} 办理，晚于选举日 {election_day} "
                              f"前 {days} 日（{latest}，{p.cite('proxy_filing_days_before')}）")


@check("revote_within_limit", title="另行选举的期限", fields={"revote_day": "另行选举日期"},
       optional={"date": "另行选举实际日期", "vc_election_day": "村委会选举日"})
def revote_within_limit(ctx: CheckContext) -> Iterator[Issue]:
    cal, p = ctx.legal_calendar(), ctx.profile
    election_day = ctx.anchors.get("D_V") or optional_day(ctx, "vc_election_day")
    held = (optional_day(ctx, "date") if ctx.step == "V7.2" else None) or optional_day(ctx, "revote_day")
    if election_day is None or held is None:
        return
    days = p["revote_latest_days_after"]
    last = limit_end(cal, election_day, days)
    if held > last:
        field = "date" if ctx.step == "V7.2" and ctx.facts.get("date") else "revote_day"
        yield field, (f"另行选举日 {held} 超过选举日 {election_day} 后 {days} 日的期限（至 {last}，{CIVIL_CODE}；"
                      f"{p.cite('revote_latest_days_after')}）")


def statutory_lateness(spec, state, act_day: dt.date | None) -> list[dict]:
    """A statutory step whose act is dated after its deadline fails: a missed statutory
    deadline is not a late flag but a failed check (the board shows the village red)."""
    if not spec.statutory or act_day is None or state.due is None or act_day <= state.due:
        return []
    return [{"check": "statutory_deadline", "field": "date",
             "message": f"{spec.key}《{spec.name}》于 {act_day} 办理，已过法定期限 {state.due}（{spec.source}）；"
                        "须依法调整选举日或重新办理"}]
