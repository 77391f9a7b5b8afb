"""Whether a step's documents can be made from the facts now recorded (the documents package's
own fact-gap check, without numbering or storing anything). A step whose documents cannot be
made does not complete: each gap is a failure naming the fact."""

from __future__ import annotations

import datetime as dt

from huanjie.errors import InvalidInput


def document_gaps(session, view, step_key: str, day: dt.date) -> list[dict]:
    from huanjie.documents.produce import source_for
    from huanjie.documents.registry import DOCUMENTS
    from huanjie.documents.render import prepare

    failures = []
    src = source_for(session, view, step_key, day)  # the same for each document: nothing is stored here
    for code in view.env.catalogue.step(step_key).documents:
        try:
            prepare(code, src)
        except InvalidInput as exc:
            for p in exc.problems:
                failures.append({"check": f"document_{code}", "field": p.field,
                                 "message": f"{code}《{DOCUMENTS[code].title}》不能生成：{p.message}"})
    return failures
