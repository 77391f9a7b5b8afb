"""The digest's queries: a few columns each, fetched straight from the driver.

A province's digest reads hundreds of thousands of step rows; building SQLAlchemy rows for
them costs more than the query itself, so the big queries are compiled by SQLAlchemy (with
their values rendered as escaped literals) and their rows fetched as plain tuples from the
DB-API cursor. Values come back as the driver gives them: due days and JSON are cast to
text on every backend, booleans may be 0/1.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, String, and_, case, cast, func, or_, select, type_coerce
from sqlmodel import Session

from huanjie.steps.state import OPEN
from huanjie.store.models import Campaign, Case, GateDecision, StepState, Township, Village

SHANGHAI = ZoneInfo("Asia/Shanghai")
S, C, V, T = StepState.__table__.c, Case.__table__.c, Village.__table__.c, Township.__table__.c


def fetch(session: Session, stmt) -> list[tuple]:
    conn = session.connection()
    sql = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True, "render_postcompile": True})
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(sql))
        return cursor.fetchall()
    finally:
        cursor.close()


def _steps(campaign: Campaign, township: str | None, *columns):
    query = (select(*columns).select_from(StepState.__table__)
             .join(Case.__table__, C.id == S.case_id)
             .join(Village.__table__, V.id == C.village_id)
             .where(C.campaign_id == campaign.id))
    if township:
        query = query.join(Township.__table__, T.id == V.township_id).where(T.name == township)
    return query


def villages(session: Session, campaign: Campaign, township: str | None) -> dict[int, tuple[str, str, str]]:
    """Launched villages: id → (code, name, township)."""
    query = (select(V.id, V.code, V.name, T.name).distinct().select_from(Village.__table__)
             .join(Township.__table__, T.id == V.township_id).join(Case.__table__, C.village_id == V.id)
             .where(C.campaign_id == campaign.id))
    if township:
        query = query.where(T.name == township)
    return {vid: (code, vname, tname) for vid, code, vname, tname in fetch(session, query)}


def stage_states(session: Session, catalogue, campaign: Campaign, township: str | None) -> dict[int, dict[str, str]]:
    """Village → stage → done | current | todo, the board's rule (huanjie.service.status), grouped in the database.

    done: every step finished; current: some step started (not pending, or facts recorded); todo: neither.
    """
    stage = case({spec.key: spec.stage for spec in catalogue.steps()}, value=S.step_key)
    has_facts = and_(S.facts.is_not(None), cast(S.facts, String) != "null")  # JSON null counts as none
    open_steps = func.sum(case((S.status.in_(OPEN), 1), else_=0))
    started = func.max(case((or_(S.status != "pending", has_facts), 1), else_=0))
    query = _steps(campaign, township, V.id, stage, open_steps, started).group_by(V.id, stage)
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for vid, key, still_open, any_started in fetch(session, query):
        found[vid][key] = "todo" if not any_started else ("current" if still_open else "done")
    return found


def listed_steps(session: Session, campaign: Campaign, township: str | None, until: dt.date) -> list[tuple]:
    """Open steps the digest lists: due before ``until``, at a gate, blocked, provisional or reopened."""
    return fetch(session, _steps(campaign, township, V.id, S.id, S.step_key, S.status, cast(S.due, String),
                                 S.statutory, S.provisional, S.invalidated).where(
        S.status.in_(OPEN), or_(S.due < until, S.status.in_(("awaiting", "blocked")), S.provisional, S.invalidated)))


def assessments(session: Session, campaign: Campaign, township: str | None) -> dict[int, dict]:
    """Village → the facts of its P1.1 assessment (研判), where they name a risk level."""
    rows = fetch(session, _steps(campaign, township, V.id, cast(S.facts, String)).where(
        S.step_key == "P1.1", S.facts.is_not(None)))
    return {vid: json.loads(text) for vid, text in rows if text and "risk_level" in text}


def rejected_villages(session: Session, campaign: Campaign, township: str | None) -> set[int]:
    query = _steps(campaign, township, V.id).join(GateDecision.__table__,
                                                  GateDecision.__table__.c.step_state_id == S.id)
    return {vid for (vid,) in fetch(session, query.where(GateDecision.__table__.c.decision == "reject"))}


def waiting_since(session: Session, campaign: Campaign, township: str | None) -> dict[int, dt.date]:
    """Step → the Asia/Shanghai day its facts were recorded, for each gate waiting (SQLAlchemy parses the times)."""
    query = _steps(campaign, township, S.id, type_coerce(S.recorded_at, DateTime())).where(S.status == "awaiting")
    return {sid: _aware(at).astimezone(SHANGHAI).date() for sid, at in session.connection().execute(query) if at}


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)  # SQLite keeps UTC, naive
