"""Documents produced by a step: rendered when the step completes, stored with their hashes.

``produce_documents`` runs inside the step's completion transaction. A document whose facts
are incomplete never blocks the step: the step completes and a "document.incomplete" event
lists the missing facts. Each document is made in a savepoint, so a failure leaves neither
a half-stored row nor a used 文号.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam
from sqlmodel import Session, select

from huanjie.documents.county import CountyTemplates, load_county_templates
from huanjie.documents.numbering import next_number
from huanjie.documents.render import Prepared, page, prepare, render_html, sha256
from huanjie.documents.docx_writer import write_docx
from huanjie.documents.source import Source, Village
from huanjie.errors import InvalidInput
from huanjie.store.document_models import RenderedDocument


_ISSUED = (select(RenderedDocument.code, RenderedDocument.number, RenderedDocument.issued_on)
           .where(RenderedDocument.village_id == bindparam("village_id")).order_by(RenderedDocument.id))

_MADE = select(RenderedDocument.id).where(
    RenderedDocument.case_id == bindparam("case_id"), RenderedDocument.step_key == bindparam("step_key"),
    RenderedDocument.code == bindparam("code"), RenderedDocument.attempt == bindparam("attempt"))


def source_for(session: Session, view, step_key: str, day: dt.date) -> Source:
    """The facts, plan and earlier 文号 of ``view``'s village, for a document of ``step_key``."""
    v, catalogue = view.village, view.env.catalogue
    rows = session.execute(_ISSUED, {"village_id": v.id}).all()  # the latest of each code wins
    numbers = {code: number for code, number, _ in rows if number is not None}
    dates = {code: day for code, _, day in rows}
    return Source(
        facts=view.facts_by_step(),
        village=Village(v.name, v.code, view.township.name, view.campaign.county, v.households, v.groups),
        step=step_key, day=day, anchors=dict(view.env.anchors), profile=view.env.profile,
        step_names={s.key: s.name for s in catalogue.steps()},
        milestones={k: s.milestones for k, s in view.village_steps.items()}, numbers=numbers, dates=dates,
        organs=county_templates(view).organs)


def county_templates(view) -> CountyTemplates:
    """The campaign's county templates, looked up once per step transaction (``view.cache``)."""
    if "county_templates" not in view.cache:
        view.cache["county_templates"] = load_county_templates(view.campaign.code)
    return view.cache["county_templates"]


def store(session: Session, view, state, doc: Prepared, now: dt.datetime) -> RenderedDocument:
    number = next_number(session, doc.issuer, doc.day.year) if doc.issuer else None
    p = page(doc, number)
    docx, html = write_docx(p), render_html(p)
    row = RenderedDocument(campaign_id=view.campaign.id, village_id=view.village.id, case_id=view.case.id,
                           step_key=state.step_key, code=doc.code, attempt=state.attempt, title=doc.title,
                           number=number, issued_on=doc.day, docx_sha256=sha256(docx), html_sha256=sha256(html),
                           docx=docx, html=html, rendered_at=now)
    session.add(row)
    session.flush()
    return row


def produce_documents(session: Session, view, state, now: dt.datetime, drafts: list) -> None:
    """Render, number and store the documents ``state``'s step produces; one event each."""
    spec = view.env.catalogue.step(state.step_key)
    for code in spec.documents:
        done = session.execute(_MADE, {"case_id": view.case.id, "step_key": state.step_key, "code": code,
                                       "attempt": state.attempt}).first()
        if done is not None:
            continue
        try:
            templates = county_templates(view)
            src = source_for(session, view, state.step_key, state.done_on)
            doc = prepare(code, src, templates)
        except InvalidInput as exc:
            drafts.append(view.event("document.incomplete", state.step_key, {
                "code": code, "message": exc.message,
                "missing": [{"field": p.field, "message": p.message} for p in exc.problems]}, now))
            continue
        try:
            with session.begin_nested():
                row = store(session, view, state, doc, now)
        except Exception as exc:  # a broken template must not block the step either
            drafts.append(view.event("document.failed", state.step_key, {
                "code": code, "error": f"{type(exc).__name__}: {exc}"[:500]}, now))
            continue
        drafts.append(view.event("document.rendered", state.step_key, {
            "code": code, "title": row.title, "number": row.number, "docx_sha256": row.docx_sha256,
            "html_sha256": row.html_sha256}, now))
