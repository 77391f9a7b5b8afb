"""What each step records: its fact schema, for people (step show / template) and programs (JSON Schema)."""

from __future__ import annotations

import functools

from huanjie.errors import InvalidInput, NotFound, Problem
from huanjie.steps.facts.jsonschema import step_json_schema
from huanjie.steps.facts.spec import StepFacts


def _catalogue():
    from huanjie.steps.catalogue import load_catalogue

    return load_catalogue()


def step_facts(step_key: str) -> StepFacts:
    """The fact schema of a step; NotFound (in Chinese) for an unknown step key."""
    catalogue = _catalogue()
    try:
        catalogue.step(step_key)
    except KeyError:
        raise NotFound(f"没有步骤 {step_key}", [Problem("步骤编号如 P2.1、V3.2，见 huanjie plan", field="step")]) from None
    return catalogue.facts(step_key)


@functools.lru_cache(maxsize=256)
def required_fact_labels(catalogue, step_key: str) -> tuple[str, ...]:
    """The Chinese labels of the facts a step must record (its fact schema's required facts),
    in schema order; read once per catalogue and step (the board asks for every open step)."""
    try:
        schema = catalogue.facts(step_key)
    except KeyError:
        return ()
    return tuple(f.label for f in schema.facts if f.required)


@functools.lru_cache(maxsize=256)
def missing_facts_text(catalogue, step_key: str) -> str:
    """The end of a "facts" hold naming what is still to record: "，须填：应到会人数、实到会人数"
    (empty when the schema requires nothing). Nothing is recorded yet, so every required fact is
    missing: a record is refused while any required fact is absent."""
    labels = required_fact_labels(catalogue, step_key)
    return f"，须填：{'、'.join(labels)}" if labels else ""


def step_schema(step_key: str) -> dict:
    """The step's facts as a JSON Schema (draft 2020-12) object (CONTRACTS.md: fact schema)."""
    schema = step_facts(step_key)
    spec = _catalogue().step(step_key)
    return step_json_schema(schema, f"{spec.key} {spec.name}")


def template(step_key: str, fmt: str, field: str | None = None) -> bytes:
    """A fillable file for the step's facts: yaml (all facts), csv (one list), xlsx (all facts)."""
    from huanjie.service import fact_templates as t

    schema = step_facts(step_key)
    spec = _catalogue().step(step_key)
    title = f"{spec.key} {spec.name}"
    if fmt == "yaml":
        return t.yaml_template(schema, title).encode("utf-8")
    if fmt == "csv":
        return t.csv_template(schema, field).encode("utf-8-sig")
    if fmt == "xlsx":
        return t.xlsx_template(schema, title)
    raise InvalidInput(f"不支持的格式 {fmt}", [Problem("可选 yaml、csv、xlsx", field="format")])


def show_step(ctx, step_key: str, village_code: str | None = None, campaign_code: str | None = None) -> dict:
    """What a step is, who records it, its gate, its documents and facts; for a village also its
    due date, status and the earlier steps it waits for."""
    from huanjie.documents.registry import DOCUMENTS
    from huanjie.service.fact_templates import describe, nested_note
    from huanjie.service.roles import RECORDERS, role_label
    from huanjie.steps.catalogue import ACTORS, GATE_ROLES

    schema = step_facts(step_key)
    catalogue = _catalogue()
    spec = catalogue.step(step_key)
    out = {
        "step": spec.key, "name": spec.name, "stage": catalogue.stage(spec.stage).name,
        "actor": ACTORS.get(spec.actor, spec.actor), "recorded_by": [role_label(r) for r in RECORDERS[spec.actor]],
        "gate": (spec.gate_label or GATE_ROLES.get(spec.gate)) if spec.gate else None,
        "gate_by": GATE_ROLES.get(spec.gate) if spec.gate else None,
        "deadline_source": spec.source, "statutory": spec.statutory,
        "requires": [{"step": r, "name": catalogue.step(r).name} for r in spec.requires],
        "documents": [{"code": c, "title": DOCUMENTS[c].title} for c in spec.documents],
        "facts": [{"key": f.key, "label": f.label, "type": f.type, "required": f.required, "text": describe(f),
                   "columns": [{"key": c.key, "label": c.label, "text": describe(c),
                                "columns": [{"key": i.key, "label": i.label, "text": describe(i)} for i in c.columns]}
                               for c in f.columns],
                   "table_note": nested_note(f) if f.is_list else None}
                  for f in schema.facts],
    }
    if village_code is not None:
        from huanjie.service.records import open_step
        from huanjie.store.db import reading

        with reading(ctx.engine) as session:
            view = open_step(session, village_code=village_code, step_key=step_key, campaign_code=campaign_code,
                             lock=False)
            state = view.steps[step_key]
            out["village"] = {"code": view.village.code, "name": view.village.name, "due": state.due.isoformat(),
                              "status": state.status, "failures": [f["message"] for f in state.failures or []],
                              "missing": list(required_fact_labels(catalogue, step_key))
                              if state.facts is None and state.status == "pending" else []}
            for r in out["requires"]:
                other = view.village_steps.get(r["step"])
                r["status"] = other.status if other is not None else None
    return out
