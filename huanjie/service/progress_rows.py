"""The rows ``huanjie.service.progress`` derives from: a few columns each, fetched straight from the driver.

A province's digest reads hundreds of thousands of step rows; building SQLAlchemy rows for
them costs more than the query itself, so the big queries are compiled by SQLAlchemy (with
their values rendered as escaped literals) and their rows fetched as plain tuples from the
DB-API cursor. Values come back as the driver gives them: due days and JSON are cast to
text on every backend, booleans may be 0/1.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict

from sqlalchemy import DateTime, String, and_, case, cast, select, type_coerce
from sqlmodel import Session

from huanjie.service.context import Actor
from huanjie.service.progress import Rejection, StepRow, VillageProgress, derive
from huanjie.service.roles import GATE_ROLES, RECORDERS, covers
from huanjie.steps.status import StepStatus
from huanjie.store.models import Campaign, Case, GateDecision, StepState, Township, User, Village

S, C, V, T, K = (StepState.__table__.c, Case.__table__.c, Village.__table__.c, Township.__table__.c,
                 Campaign.__table__.c)
G = GateDecision.__table__.c
_GATE_ROLES = frozenset(GATE_ROLES.values())
_RECORDER_ROLES = frozenset(r for roles in RECORDERS.values() for r in roles)


def fetch(session: Session, stmt) -> list[tuple]:
    conn = session.connection()
    sql = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True, "render_postcompile": True})
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(sql))
        return cursor.fetchall()
    finally:
        cursor.close()


def _scoped(query, campaign_id: int | None, township: str | None, village: str | None):
    if campaign_id is not None:
        query = query.where(C.campaign_id == campaign_id)
    if township is not None:
        query = query.where(T.name == township)
    if village is not None:
        query = query.where(V.code == village)
    return query


def _from_steps(*columns):
    return (select(*columns).select_from(StepState.__table__)
            .join(Case.__table__, C.id == S.case_id)
            .join(Village.__table__, V.id == C.village_id)
            .join(Township.__table__, T.id == V.township_id))


def load_progress(session: Session, catalogue, today: dt.date, *, campaign_id: int | None = None,
                  township: str | None = None, village: str | None = None) -> list[VillageProgress]:
    """Every launched village in scope (village code order), derived in one pass."""
    villages_q = _scoped(select(V.id, V.code, V.name, T.name, K.county, K.code).distinct()
                         .select_from(Village.__table__)
                         .join(Township.__table__, T.id == V.township_id)
                         .join(Campaign.__table__, K.id == V.campaign_id)
                         .join(Case.__table__, C.village_id == V.id), campaign_id, township, village)
    villages = {row[0]: row for row in fetch(session, villages_q)}
    if not villages:
        return []
    has_facts = and_(S.facts.is_not(None), cast(S.facts, String) != "null")  # JSON null counts as none
    steps_q = _scoped(_from_steps(
        V.id, S.id, S.step_key, S.status, cast(S.due, String), S.statutory, S.provisional, S.invalidated,
        case((has_facts, 1), else_=0), case((S.status == StepStatus.BLOCKED.value, cast(S.failures, String))),
        S.note, S.recorded_by, S.attempt), campaign_id, township, village)
    steps: dict[int, dict[str, StepRow]] = defaultdict(dict)
    awaiting: dict[int, StepRow] = {}
    for vid, sid, key, status, due, statutory, provisional, invalidated, facts, failures, note, by, attempt \
            in fetch(session, steps_q):
        row = StepRow(sid, key, status, _date(due), bool(statutory), bool(provisional), bool(invalidated),
                      bool(facts), json.loads(failures) if failures else [], note, by, None, attempt)
        steps[vid][key] = row
        if status == StepStatus.AWAITING:
            awaiting[sid] = row
    if awaiting:  # when each waiting gate's facts came in (SQLAlchemy parses the times)
        since_q = _scoped(_from_steps(S.id, type_coerce(S.recorded_at, DateTime()))
                          .where(S.status == StepStatus.AWAITING.value), campaign_id, township, village)
        for sid, at in session.connection().execute(since_q):
            if sid in awaiting and at is not None:
                awaiting[sid].recorded_at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
    assessed = _assessments(session, campaign_id, township, village)
    rejections = _open_rejections(session, steps, campaign_id, township, village)
    people = _People(session)
    result = []
    for vid in sorted(villages, key=lambda v: villages[v][1]):
        _, code, name, tname, county, campaign_code = villages[vid]
        rows = steps[vid]
        state, risk, stage, stages, overdue = derive(catalogue, rows, today, assessed=assessed.get(vid),
                                                     rejections=rejections.get(vid, {}))
        approvers, recorders = people.of(tname, code, county)
        result.append(VillageProgress(vid, code, name, tname, county, campaign_code, today, state, risk, stage,
                                      stages, rows, overdue, rejections.get(vid, {}), catalogue, approvers,
                                      recorders))
    return result


def _assessments(session, campaign_id, township, village) -> dict[int, str]:
    """Village → the risk level of its P1.1 assessment (研判), where its facts name one."""
    query = _scoped(_from_steps(V.id, cast(S.facts, String)).where(S.step_key == "P1.1", S.facts.is_not(None)),
                    campaign_id, township, village)
    found = {}
    for vid, text in fetch(session, query):
        if text and "risk_level" in text:
            facts = json.loads(text)
            if isinstance(facts, dict) and isinstance(facts.get("risk_level"), str):
                found[vid] = facts["risk_level"]
    return found


def _open_rejections(session, steps, campaign_id, township, village) -> dict[int, dict[str, Rejection]]:
    """The rejection of each step's previous attempt, while the step is not finished again."""
    query = _scoped(_from_steps(V.id, S.step_key, G.attempt, G.decided_by, G.reason,
                                type_coerce(G.decided_at, DateTime()))
                    .join(GateDecision.__table__, G.step_state_id == S.id)
                    .where(G.decision == "reject", S.status.not_in([s.value for s in (StepStatus.DONE,
                                                                                     StepStatus.SKIPPED)])),
                    campaign_id, township, village)
    found: dict[int, dict[str, Rejection]] = defaultdict(dict)
    for vid, key, attempt, by, reason, at in session.connection().execute(query):
        row = steps.get(vid, {}).get(key)
        if row is not None and attempt == row.attempt - 1:
            at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
            found[vid][key] = Rejection(by, reason or "", at, attempt)
    return found


class _People:
    """Active users indexed by scope, so a province's villages each find theirs at once."""

    def __init__(self, session) -> None:
        rows = session.exec(select(User.name, User.role, User.scope_kind, User.scope, User.county)
                            .where(User.active).order_by(User.id)).all()
        self._by_scope: dict[tuple, list[Actor]] = defaultdict(list)
        for name, role, kind, scope, county in rows:
            self._by_scope[(kind, scope if kind != "county" else None)].append(Actor(name, role, kind, scope, county))

    def of(self, township: str, village: str, county: str) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
        """Who decides this village's gates, and who records its steps, by role."""
        candidates = [*self._by_scope[("county", None)], *self._by_scope[("township", township)],
                      *self._by_scope[("village", village)]]
        in_scope = [u for u in candidates if covers(u, township, village, county)]
        recorders: dict[str, list[str]] = defaultdict(list)
        for u in in_scope:
            if u.role in _RECORDER_ROLES:
                recorders[u.role].append(u.name)
        return (tuple(u.name for u in in_scope if u.role in _GATE_ROLES),
                {r: tuple(names) for r, names in recorders.items()})


@functools.lru_cache(maxsize=4096)
def _parse_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def _date(value: dt.date | str) -> dt.date:
    """Due days are read as text (cheap on every backend) and parsed once per distinct day."""
    return _parse_date(value) if isinstance(value, str) else value
