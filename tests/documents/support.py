"""Documents without a database: every step's facts from the demo generator, on its planned day."""

from __future__ import annotations

import datetime as dt
import io
import re

from docx import Document

from huanjie.demo.cast import make_cast
from huanjie.demo.facts import StepFacts
from huanjie.documents.source import Source, Village
from huanjie.steps.env import campaign_env
from huanjie.store.models import Campaign
from tests.factories import D_P, D_V

VILLAGE = Village("东湖村", "V001", "城关镇", "示范县", 320, 6)


def env():
    from huanjie.steps.catalogue import load_catalogue

    campaign = Campaign(code="C", name="换届", county="示范县", profile_code="national", party_day=D_P, vc_day=D_V,
                        profile_version="x", catalogue_version=load_catalogue().version, calendar_version="x")
    return campaign_env(campaign)


def all_facts(changes: dict[str, dict] | None = None) -> tuple[dict[str, dict], dict[str, dt.date]]:
    """Facts of every unconditional step, recorded on its planned due day; ``changes`` per step."""
    e = env()
    plan = e.plan()
    generator = StepFacts(make_cast("V001", 320, 6), e, {"name": "东湖村", "households": 320, "groups": 6})
    facts, days = {}, {}
    for spec in e.catalogue.steps():
        if spec.condition:
            continue
        days[spec.key] = plan[spec.key].due
        facts[spec.key] = {**generator.for_step(spec.key, plan[spec.key].due), **(changes or {}).get(spec.key, {})}
    return facts, days


def source(step: str, changes: dict[str, dict] | None = None, day: dt.date | None = None) -> Source:
    e = env()
    facts, days = all_facts(changes)
    plan = e.plan()
    return Source(facts=facts, village=VILLAGE, step=step, day=day or days[step], anchors=dict(e.anchors),
                  profile=e.profile, step_names={s.key: s.name for s in e.catalogue.steps()},
                  milestones={k: p.milestones_json() for k, p in plan.items()})


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx, as python-docx reads it."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for box in doc.element.body.iter(w + "txbxContent"):  # the 版记's text box
        parts.extend("".join(t.text or "" for t in p.iter(w + "t")) for p in box.iter(w + "p"))
    return "\n".join(parts)


FULL_ID = re.compile(r"(?<![0-9])\d{17}[\dX](?![0-9])")
MASKED_ID = re.compile(r"(?<![0-9])\d{6}\*{8}\d{3}[\dX](?![0-9])")
