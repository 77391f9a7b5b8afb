"""What each step records: its fact schema, for people (step show / template) and programs (JSON Schema)."""

from __future__ import annotations

from huanjie.errors import NotFound, Problem
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


def step_schema(step_key: str) -> dict:
    """The step's facts as a JSON Schema (draft 2020-12) object (CONTRACTS.md: fact schema)."""
    schema = step_facts(step_key)
    spec = _catalogue().step(step_key)
    return step_json_schema(schema, f"{spec.key} {spec.name}")
