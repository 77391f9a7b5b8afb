"""Facts a step records: the schema (spec), its JSON Schema, and the record-time checks."""

from huanjie.steps.facts.spec import FactSpec, StepFacts

__all__ = ["FactSpec", "StepFacts"]
