"""A step's fact schema as JSON Schema (draft 2020-12): what the web forms and the API are built from."""

from __future__ import annotations

from typing import Any

from huanjie.steps.facts.spec import FactSpec, StepFacts

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_PATTERN = r"^[0-9]{17}[0-9X]$"


def _scalar(f: FactSpec) -> dict[str, Any]:
    if f.type == "integer":
        return {"type": "integer", "minimum": 0}
    if f.type == "date":
        return {"type": "string", "format": "date"}
    if f.type == "bool":
        return {"type": "boolean"}
    if f.type == "choice":
        return {"enum": list(f.choices), "x-huanjie-labels": {str(k): v for k, v in f.choices.items()}}
    if f.type == "id_number":
        return {"type": "string", "pattern": ID_PATTERN}
    if f.type == "ref":
        return {"type": "string", "minLength": 1, "x-huanjie-ref": f.ref}
    return {"type": "string", "minLength": 1}


def property_schema(f: FactSpec) -> dict[str, Any]:
    if f.is_list:
        body: dict[str, Any] = {"type": "array", "items": object_schema(f.columns)}
        if f.key_column:
            body["x-huanjie-key"] = f.key_column
    else:
        body = _scalar(f)
        if f.many:
            body = {"type": "array", "items": body}
        if f.map:
            body = {"type": "object", "additionalProperties": body}
    out: dict[str, Any] = {"title": f.label, **body, "x-huanjie-type": f.type}
    if f.many:
        out["x-huanjie-many"] = True
    if f.map:
        out["x-huanjie-map"] = True
    if f.help:
        out["description"] = f.help
    example = f.example_value()
    if example is not None:
        out["examples"] = [example]
    if f.same_as:
        out["x-huanjie-same-as"] = f.same_as
    return out


def object_schema(facts) -> dict[str, Any]:
    return {"type": "object", "properties": {f.key: property_schema(f) for f in facts},
            "required": [f.key for f in facts if f.required], "additionalProperties": False}


def step_json_schema(schema: StepFacts, title: str) -> dict[str, Any]:
    return {"$schema": DRAFT, "$id": f"huanjie:step:{schema.step}", "title": title, **object_schema(schema.facts)}
