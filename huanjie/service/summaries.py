"""Each village's derived summary (``village_summary``), kept current in the transaction of every change.

Every change to a village's steps is written with its audit event (one transaction), and every
event goes through ``huanjie.store.events.append_many``, which calls ``note``. Before the
transaction commits, the villages its events name (a campaign's every village, for an event
naming none: a move, a rest day) have their summary derived again from their steps, in the
same transaction. The summary is the village's ``progress.Tally`` less what depends on the
day; ``load_summaries`` adds today's overdue steps at read time and applies the rules of
``progress.conclude``, the same ones ``progress.derive`` applies to the full rows.

A village without a row (a store made before migration 0012) is derived from its steps at
read time (correct, only slower) until ``backfill`` writes its row.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import String, bindparam, case, cast, delete, event, func, insert, literal, not_, or_, select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from huanjie.service.progress import Tally, VillageSummary, _layout, conclude
from huanjie.service.progress_rows import (BOUND, C, K, S, T, V, _assessments, _assessments_query, _from_steps,
                                           _has_facts, _open_rejections, _rejections_query, _scoped, _villages,
                                           assessed_of, fetch)
from huanjie.steps.status import FINISHED, StepStatus
from huanjie.store.models import Campaign, Case, Township, Village
from huanjie.store.summary_models import VillageSummaryRow

R = VillageSummaryRow.__table__.c
_TOUCHED = "huanjie.summaries.touched"
# Events that change no village's steps (logins, refusals, deliveries, documents): no refresh.
NEUTRAL_KINDS = ("auth.", "access.", "digest.", "reminder.", "document.", "user.")
_WHOLE = None  # "every village of the campaign"
_MANY = 200    # more villages than this in one transaction: derive the campaign's in one pass


def note(session, chain: str, drafts) -> None:
    """Called by ``append_many`` for each batch of events: remember whose summaries to derive again."""
    touched: dict[str, set] = session.info.setdefault(_TOUCHED, {})
    for d in drafts:
        if d.kind.startswith(NEUTRAL_KINDS):
            continue
        codes = touched.setdefault(chain, set())
        codes.add(d.village_code if d.village_code is not None else _WHOLE)


@event.listens_for(OrmSession, "before_commit")
def _before_commit(session) -> None:
    touched = session.info.pop(_TOUCHED, None)
    if not touched:
        return
    from huanjie.steps.catalogue import load_catalogue

    session.flush()  # the steps' changes, then their summaries, in this transaction
    catalogue = load_catalogue()
    for chain, codes in touched.items():
        campaign_id = session.execute(select(Campaign.id).where(Campaign.code == chain)).scalar()
        if campaign_id is None:
            continue  # the system and refusal chains
        refresh(session, catalogue, campaign_id, None if _WHOLE in codes or len(codes) > _MANY else codes)


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop(_TOUCHED, None)


def _tallies(session, catalogue, campaign_id: int, codes: Collection[str] | None) -> tuple[dict, dict]:
    """village id -> (Tally without the overdue part, its open steps' due days), from the steps."""
    query, dues_q = _tally_queries(catalogue, campaign_id, codes)
    return _read_tallies(fetch(session, query), fetch(session, dues_q))


def _tally_queries(catalogue, campaign_id, codes, ids=None):
    order, _ = _layout(catalogue)
    stage_of = case(dict(order), value=S.step_key)
    finished = S.status.in_([s.value for s in FINISHED])

    def flag(condition):
        return func.max(case((condition, 1), else_=0))

    scope = (campaign_id, None, None, codes, ids)
    query = _scoped(_from_steps(
        V.id, stage_of, flag(not_(finished)), flag(or_(S.status != StepStatus.PENDING.value, _has_facts())),
        flag(S.status == StepStatus.BLOCKED.value), flag(S.status == StepStatus.AWAITING.value))
        .where(S.step_key.in_([key for key, _ in order])).group_by(V.id, stage_of), *scope)
    marked = cast(S.due, String) + case((S.statutory == True, literal("!")), else_=literal(""))  # noqa: E712
    dues_q = _scoped(_from_steps(V.id, func.aggregate_strings(marked, " "))
                     .where(S.step_key.in_([key for key, _ in order]), not_(finished)).group_by(V.id), *scope)
    return query, dues_q


def _read_tallies(stage_rows, due_rows) -> tuple[dict, dict]:
    tallies: dict[int, Tally] = defaultdict(Tally)
    for vid, stage, is_open, started, blocked, awaiting in stage_rows:
        t = tallies[vid]
        t.present.add(stage)
        if is_open:
            t.open_stages.add(stage)
        if started:
            t.started.add(stage)
        t.blocked = t.blocked or bool(blocked)
        t.awaiting = t.awaiting or bool(awaiting)
    dues = {vid: " ".join(sorted(text.split())) for vid, text in due_rows if text}
    return tallies, dues


@functools.lru_cache(maxsize=8)
def _bound(catalogue) -> dict:
    """The statements ``refresh`` runs for named villages, built once per catalogue (building them
    costs more than running them for one village): the villages found by campaign and code,
    then their steps by village id (indexed lookups, however many villages the campaign has)."""
    ids = (None, None, None, None, BOUND)
    tallies, dues = _tally_queries(catalogue, None, None, BOUND)
    named = select(V.id).where(V.campaign_id == bindparam("cid"), V.code.in_(bindparam("codes", expanding=True)))
    launched = select(C.id).where(C.village_id == V.id).exists()
    return {"villages": named.where(launched), "tallies": tallies, "dues": dues,
            "assessed": _assessments_query(*ids), "rejected": _rejections_query(*ids),
            "delete": delete(VillageSummaryRow).where(R.village_id.in_(named))}


def refresh(session, catalogue, campaign_id: int, codes: Collection[str] | None = None) -> None:
    """Derive the summaries of these villages (None: every village of the campaign) from their steps."""
    if codes is None:
        scope = (campaign_id, None, None, None)
        villages = _villages(session, *scope)
        session.execute(delete(VillageSummaryRow).where(R.campaign_id == campaign_id))
        if not villages:
            return
        tallies, dues = _tallies(session, catalogue, campaign_id, None)
        assessed = _assessments(session, *scope)
        rejected = set(_open_rejections(session, *scope))
    else:  # a village named but no longer launched loses its row too
        stmts, params = _bound(catalogue), {"cid": campaign_id, "codes": sorted(codes)}
        villages = [row[0] for row in fetch(session, stmts["villages"], params)]
        session.connection().execute(stmts["delete"], params)
        if not villages:
            return
        found = {"ids": villages}
        tallies, dues = _read_tallies(fetch(session, stmts["tallies"], found), fetch(session, stmts["dues"], found))
        assessed = assessed_of(fetch(session, stmts["assessed"], found))
        rejected = {row[0] for row in fetch(session, stmts["rejected"], found)}
    rows = []
    for vid in villages:
        t = tallies.get(vid) or Tally()
        rows.append({"village_id": vid, "campaign_id": campaign_id, "present": _words(t.present),
                     "open_stages": _words(t.open_stages), "started": _words(t.started), "blocked": t.blocked,
                     "awaiting": t.awaiting, "rejected": vid in rejected, "assessed": assessed.get(vid),
                     "open_dues": dues.get(vid, "")})
    session.execute(insert(VillageSummaryRow), rows)


def backfill(engine) -> int:
    """Write the summary of every launched village that has none (a store made before 0012); the count."""
    from huanjie.steps.catalogue import load_catalogue
    from huanjie.store.db import transaction

    with transaction(engine) as session:
        missing = session.execute(
            select(V.code, V.campaign_id).select_from(Village.__table__).join(Case.__table__, C.village_id == V.id)
            .outerjoin(VillageSummaryRow.__table__, R.village_id == V.id).where(R.village_id.is_(None)).distinct()).all()
        by_campaign: dict[int, set[str]] = defaultdict(set)
        for code, campaign_id in missing:
            by_campaign[campaign_id].add(code)
        catalogue = load_catalogue()
        for campaign_id, codes in by_campaign.items():
            refresh(session, catalogue, campaign_id, None if len(codes) > _MANY else codes)
    return len(missing)


def _words(keys) -> str:
    return " ".join(sorted(keys))


def load_summaries(session: Session, catalogue, today: dt.date, *, campaign_id: int | None = None,
                   township: str | None = None, village: str | None = None) -> list[VillageSummary]:
    """Every launched village in scope (village code order): state, risk and stage states from its
    summary, with today's overdue steps; the same as ``progress_rows.load_progress`` gives
    (tests/service/test_summaries.py), without reading the step rows."""
    launched = select(C.village_id).where(C.village_id == V.id).exists()
    query = _scoped(select(V.id, V.code, V.name, T.name, K.county, K.code, R.present, R.open_stages, R.started,
                           R.blocked, R.awaiting, R.rejected, R.assessed, R.open_dues)
                    .select_from(Village.__table__)
                    .join(Township.__table__, T.id == V.township_id).join(Campaign.__table__, K.id == V.campaign_id)
                    .outerjoin(VillageSummaryRow.__table__, R.village_id == V.id).where(launched),
                    None, township, village)
    if campaign_id is not None:
        query = query.where(V.campaign_id == campaign_id)
    today_text = today.isoformat()
    result, missing = [], []
    for row in fetch(session, query):
        if row[6] is None:
            missing.append(row[:6])
            continue
        dues = row[13].split()
        overdue = bisect.bisect_left(dues, today_text)  # "YYYY-MM-DD!" sorts after "YYYY-MM-DD"
        result.append(_summary(catalogue, today, row[:6], row[6], row[7], row[8], overdue,
                               any(d.endswith("!") for d in dues[:overdue]), bool(row[9]), bool(row[10]),
                               row[12], bool(row[11])))
    by_campaign: dict[str, list[tuple]] = defaultdict(list)
    for row in missing:  # no summary row yet: derive the same tally from the steps, without writing
        by_campaign[row[5]].append(row)
    for campaign_code, rows in by_campaign.items():
        cid = session.execute(select(Campaign.id).where(Campaign.code == campaign_code)).scalar_one()
        codes = [r[1] for r in rows]
        tallies, dues = _tallies(session, catalogue, cid, codes)
        assessed_of = _assessments(session, cid, None, None, codes)
        rejected_of = set(_open_rejections(session, cid, None, None, codes))
        for r in rows:
            t = tallies.get(r[0]) or Tally()
            open_dues = dues.get(r[0], "").split()
            overdue = bisect.bisect_left(open_dues, today_text)
            result.append(_summary(catalogue, today, r, _words(t.present), _words(t.open_stages), _words(t.started),
                                   overdue, any(d.endswith("!") for d in open_dues[:overdue]), t.blocked,
                                   t.awaiting, assessed_of.get(r[0]), r[0] in rejected_of))
    result.sort(key=lambda s: s.code)
    return result


def _summary(catalogue, today, village_row, present: str, open_stages: str, started: str, overdue: int,
             statutory_overdue: bool, blocked: bool, awaiting: bool, assessed, rejected: bool) -> VillageSummary:
    vid, code, name, tname, county, campaign_code = village_row
    state, risk, stage, stages = _conclude(catalogue, present, open_stages, started, overdue, statutory_overdue,
                                           blocked, awaiting, assessed, rejected)
    return VillageSummary(vid, code, name, tname, county, campaign_code, today, state, risk, stage, dict(stages),
                          overdue)


@functools.lru_cache(maxsize=8192)
def _conclude(catalogue, present, open_stages, started, overdue, statutory_overdue, blocked, awaiting, assessed,
              rejected):
    """``progress.conclude`` of one summary; villages at the same point share the answer."""
    tally = Tally(set(present.split()), set(open_stages.split()), set(started.split()), overdue_count=overdue,
                  statutory_overdue=statutory_overdue, blocked=blocked, awaiting=awaiting)
    return conclude(catalogue, tally, assessed=assessed, rejected=rejected)
