"""Helpers for check tests: a context from plain facts, and running one check."""

from __future__ import annotations

from typing import Any

from huanjie.rules import load_profile
from huanjie.steps.checks import CheckContext, CheckFailure, run_checks

VILLAGE = {"name": "测试村", "households": 300, "groups": 3}


def make_ctx(facts: dict[str, Any] | None = None, *, profile: str = "national",
             case: dict[str, dict] | None = None, village: dict | None = None,
             step: str | None = None, rules=None) -> CheckContext:
    return CheckContext(facts=facts or {}, case_facts=case or {}, profile=rules or load_profile(profile),
                        village=VILLAGE if village is None else village, step=step)


def run(key: str, facts: dict[str, Any] | None = None, **kwargs) -> list[CheckFailure]:
    return run_checks([key], make_ctx(facts, **kwargs))


def messages(key: str, facts: dict[str, Any] | None = None, **kwargs) -> list[str]:
    return [f.message for f in run(key, facts, **kwargs)]


def person(name: str, *relatives: tuple[str, str], **extra) -> dict:
    return {"name": name, "relatives": [{"name": n, "relation": r} for n, r in relatives], **extra}


def with_params(code: str = "national", **values):
    """A copy of a bundled profile with some values replaced (source: 测试)."""
    from huanjie.rules import Param, RuleProfile

    base = load_profile(code)
    entries = {name: Param(value, source, source) for name, (value, source) in base.params().items()}
    entries.update({name: Param(value, "测试", "测试") for name, value in values.items()})
    return RuleProfile(base.code, base.name, base.version, base.extends, entries)
