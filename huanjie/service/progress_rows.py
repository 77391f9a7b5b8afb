"""The rows ``huanjie.service.progress`` derives from: a few columns each, fetched straight from the driver.

A province's digest reads hundreds of thousands of step rows; building SQLAlchemy rows for
them costs more than the query itself, so the big queries are executed by SQLAlchemy (its
compiled cache, bound values) and their rows fetched as plain tuples from the DB-API cursor. Values come back as the driver gives them: due days and JSON are cast to
text on every backend, booleans may be 0/1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import threading
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import DateTime, String, and_, bindparam, case, cast, select, type_coerce
from sqlmodel import Session

from huanjie.service.context import Actor
from huanjie.service.progress import Rejection, StepRow, VillageProgress, derive
from huanjie.service.roles import GATE_ROLES, RECORDERS, covers
from huanjie.steps.status import FINISHED, StepStatus
from huanjie.store.models import Campaign, Case, GateDecision, StepState, Township, User, Village

S, C, V, T, K = (StepState.__table__.c, Case.__table__.c, Village.__table__.c, Township.__table__.c,
                 Campaign.__table__.c)
G = GateDecision.__table__.c
_GATE_ROLES = frozenset(GATE_ROLES.values())
_RECORDER_ROLES = frozenset(r for roles in RECORDERS.values() for r in roles)


BOUND = object()  # a scope's campaign id, codes or village ids bound when executed: ``{"cid": …, "codes": […]}``


def fetch(session: Session, stmt, params: dict | None = None) -> list[tuple]:
    """The rows of ``stmt`` as the driver's plain tuples. SQLAlchemy compiles the statement (once per
    shape: its compiled cache) and binds the values; the rows skip its Row objects."""
    result = session.connection().execute(stmt, params or {})
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _scoped(query, campaign_id: int | None, township: str | None, village: str | None,
            codes: Collection[str] | None = None, ids: Collection[int] | None = None):
    if ids is BOUND:
        return query.where(C.village_id.in_(bindparam("ids", expanding=True)))
    if ids is not None:  # villages already found: straight to their cases (index on case.village_id)
        return query.where(C.village_id.in_(sorted(ids)))
    if campaign_id is not None:
        query = query.where(C.campaign_id == (bindparam("cid") if campaign_id is BOUND else campaign_id))
    if township is not None:
        query = query.where(T.name == township)
    if village is not None:
        query = query.where(V.code == village)
    if codes is BOUND:
        query = query.where(V.code.in_(bindparam("codes", expanding=True)))
    elif codes is not None:
        query = query.where(V.code.in_(sorted(codes)))
    return query


_gc_lock = threading.Lock()
_gc_pauses = 0


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while hundreds of thousands of row tuples are built: they hold
    no cycles, and the collector's passes over them cost more than building them. Reference
    counting goes on; threads share the pause (the last one out turns the collector back on)."""
    global _gc_pauses
    with _gc_lock:
        if _gc_pauses == 0:
            enabled = gc.isenabled()
            gc.disable()
            _gc_pauses = -1 if not enabled else 1
        elif _gc_pauses > 0:
            _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            if _gc_pauses > 0:
                _gc_pauses -= 1
                if _gc_pauses == 0:
                    gc.enable()
            elif _gc_pauses == -1:
                _gc_pauses = 0


def _from_steps(*columns):
    return (select(*columns).select_from(StepState.__table__)
            .join(Case.__table__, C.id == S.case_id)
            .join(Village.__table__, V.id == C.village_id)
            .join(Township.__table__, T.id == V.township_id))


def _villages(session, campaign_id, township, village, codes) -> dict[int, tuple]:
    """id -> (id, code, name, township, county, campaign code) of every launched village in scope."""
    query = _scoped(select(V.id, V.code, V.name, T.name, K.county, K.code).distinct()
                    .select_from(Village.__table__)
                    .join(Township.__table__, T.id == V.township_id)
                    .join(Campaign.__table__, K.id == V.campaign_id)
                    .join(Case.__table__, C.village_id == V.id), campaign_id, township, village, codes)
    return {row[0]: row for row in fetch(session, query)}


def _has_facts():
    return and_(S.facts.is_not(None), cast(S.facts, String) != "null")  # JSON null counts as none


def load_progress(session: Session, catalogue, today: dt.date, *, campaign_id: int | None = None,
                  township: str | None = None, village: str | None = None,
                  codes: Collection[str] | None = None) -> list[VillageProgress]:
    """Every launched village in scope (village code order; ``codes`` keeps only those villages), derived
    in one pass."""
    villages = _villages(session, campaign_id, township, village, codes)
    if not villages:
        return []
    scope = (campaign_id, township, village, codes) if codes is None else (None, None, None, None, villages)
    steps_q = _scoped(_from_steps(  # the columns of StepRow, in order
        V.id, S.id, S.step_key, S.status, cast(S.due, String), S.statutory, S.provisional, S.invalidated,
        case((_has_facts(), 1), else_=0), case((S.status == StepStatus.BLOCKED.value, cast(S.failures, String))),
        S.note, S.recorded_by, S.attempt), *scope)
    steps: dict[int, dict[str, StepRow]] = defaultdict(dict)
    make = StepRow._make
    with _gc_paused():
        for values in fetch(session, steps_q):
            row = make(values)
            steps[row.village_id][row.key] = row
    waiting = waiting_since(session, *scope)
    assessed = _assessments(session, *scope)
    rejections = _open_rejections(session, *scope)
    people = _People(session)
    result = []
    with _gc_paused():
        for vid in sorted(villages, key=lambda v: villages[v][1]):
            _, code, name, tname, county, campaign_code = villages[vid]
            rows = steps[vid]
            state, risk, stage, stages, overdue = derive(catalogue, rows, today, assessed=assessed.get(vid),
                                                         rejections=rejections.get(vid, {}))
            approvers, recorders = people.of(tname, code, county)
            result.append(VillageProgress(vid, code, name, tname, county, campaign_code, today, state, risk, stage,
                                          stages, rows, overdue, rejections.get(vid, {}), catalogue, approvers,
                                          waiting.get(vid, {}), recorders))
    return result


def waiting_since(session, campaign_id, township, village, codes=None, ids=None) -> dict[int, dict[str, dt.datetime]]:
    """Village → step waiting at its gate → when its facts were recorded."""
    waiting: dict[int, dict[str, dt.datetime]] = defaultdict(dict)
    since_q = _scoped(_from_steps(V.id, S.step_key, type_coerce(S.recorded_at, DateTime()))
                      .where(S.status == StepStatus.AWAITING.value), campaign_id, township, village, codes, ids)
    for vid, key, at in session.connection().execute(since_q):  # SQLAlchemy parses the times
        if at is not None:
            waiting[vid][key] = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
    return waiting


def _assessments(session, campaign_id, township, village, codes=None, ids=None) -> dict[int, str]:
    """Village → the risk level of its P1.1 assessment (研判), where its facts name one."""
    return assessed_of(fetch(session, _assessments_query(campaign_id, township, village, codes, ids)))


def _assessments_query(campaign_id, township, village, codes=None, ids=None):
    return _scoped(_from_steps(V.id, cast(S.facts, String)).where(S.step_key == "P1.1", S.facts.is_not(None)),
                   campaign_id, township, village, codes, ids)


def assessed_of(rows) -> dict[int, str]:
    """The rows of ``_assessments_query`` read: village → its assessed risk level."""
    found = {}
    for vid, text in rows:
        if text and "risk_level" in text:
            facts = json.loads(text)
            if isinstance(facts, dict) and isinstance(facts.get("risk_level"), str):
                found[vid] = facts["risk_level"]
    return found


def _open_rejections(session, campaign_id, township, village, codes=None, ids=None) -> dict[int, dict[str, Rejection]]:
    """The rejection of each step's previous attempt, while the step is not finished again."""
    query = _rejections_query(campaign_id, township, village, codes, ids)
    found: dict[int, dict[str, Rejection]] = defaultdict(dict)
    for vid, key, attempt, by, reason, at in session.connection().execute(query):
        at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
        found[vid][key] = Rejection(by, reason or "", at, attempt)
    return found


def _rejections_query(campaign_id, township, village, codes=None, ids=None):
    return _scoped(_from_steps(V.id, S.step_key, G.attempt, G.decided_by, G.reason,
                               type_coerce(G.decided_at, DateTime()))
                   .join(GateDecision.__table__, G.step_state_id == S.id)
                   .where(G.decision == "reject", G.attempt == S.attempt - 1,
                          S.status.not_in([s.value for s in FINISHED])),
                   campaign_id, township, village, codes, ids)


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
