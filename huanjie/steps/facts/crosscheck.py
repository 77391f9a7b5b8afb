"""Whole-catalogue checks of the fact schema: every step has one, every reference points to an
earlier step's list, and the checks and documents read only facts their step declares."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from huanjie.steps.facts.spec import LISTS, FactSpec, StepFacts

_COUNT = re.compile(r"^count\((.+)\)$")


def crosscheck(schemas: dict[str, StepFacts], steps: Sequence, order: Callable[[str], int],
               check_registry: dict | None, with_documents: bool = True) -> list[str]:
    errors: list[str] = []
    keys = {s.key for s in steps}
    for s in steps:
        if s.key not in schemas:
            errors.append(f"步骤 {s.key}（{s.name}）没有事实定义（facts/*.yaml）")
    for step in schemas:
        if step not in keys:
            errors.append(f"facts/*.yaml：步骤 {step} 不在步骤目录中")
    if errors:
        return errors
    for s in steps:
        schema = schemas[s.key]
        for fact in schema.facts:
            _check_links(errors, schemas, order, s.key, fact, f"步骤 {s.key} 事实 {fact.key}")
            for col in fact.columns:
                _check_links(errors, schemas, order, s.key, col, f"步骤 {s.key} 事实 {fact.key} 列 {col.key}")
    if check_registry is not None:
        for s in steps:
            for check_key in s.checks:
                check = check_registry.get(check_key)
                if check is None:
                    continue  # reported by the catalogue as an unknown check
                for name in (*check.fields, *check.optional):
                    if not _declared_up_to(schemas, steps, order, s.key, name):
                        errors.append(f"步骤 {s.key} 的检查 {check_key} 读取事实 {name}，"
                                      f"本步骤及前序步骤都没有声明它（facts/*.yaml）")
    if with_documents:
        errors.extend(_document_reads(schemas, steps))
    return errors


def _check_links(errors, schemas, order, step, fact: FactSpec, where: str) -> None:
    if fact.ref:
        target = _target(schemas, fact.ref)
        if target is None:
            errors.append(f"{where}：引用的名单 {fact.ref} 不存在")
        elif not (target[1].is_list or target[1].many):
            errors.append(f"{where}：引用的 {fact.ref} 不是名单")
        elif order(target[0]) > order(step):
            errors.append(f"{where}：引用的 {fact.ref} 属于后面的步骤")
    if fact.same_as:
        m = _COUNT.match(fact.same_as)
        target = _target(schemas, m.group(1) if m else fact.same_as)
        if fact.type != "integer":
            errors.append(f"{where}：same_as 只用于整数")
        if target is None:
            errors.append(f"{where}：same_as 引用的 {fact.same_as} 不存在")
        elif m and not target[1].is_list:
            errors.append(f"{where}：count() 只能数名单")
        elif not m and target[1].type != "integer":
            errors.append(f"{where}：same_as 引用的 {fact.same_as} 不是整数")
        elif order(target[0]) > order(step):
            errors.append(f"{where}：same_as 引用的 {fact.same_as} 属于后面的步骤")


def _target(schemas, dotted: str) -> tuple[str, FactSpec] | None:
    step, _, key = dotted.rpartition(".")
    schema = schemas.get(step)
    fact = schema.get(key) if schema else None
    return (step, fact) if fact else None


def _declared_up_to(schemas, steps, order, step_key: str, name: str) -> bool:
    """A check reads a fact of its step, else the latest earlier step's (CheckContext.lookup)."""
    return any(schemas[s.key].get(name) for s in steps if order(s.key) <= order(step_key))


def _document_reads(schemas: dict[str, StepFacts], steps) -> list[str]:
    """Run every document builder over the schema's example facts, noting what it reads."""
    try:
        from huanjie.documents.builders import BUILDERS
        from huanjie.documents.registry import DOCUMENTS
        from huanjie.documents.source import Source, Village
        from huanjie.rules import load_profile
    except ImportError:
        return []
    reads: dict[tuple[str, str], set[str]] = {}   # (step, fact) -> documents
    columns: dict[tuple[str, str, str], set[str]] = {}

    class Probe(Source):
        code = ""

        def need(self, step, key, label, kind="text"):
            reads.setdefault((step, key), set()).add(self.code)
            return super().need(step, key, label, kind)

        def optional(self, step, key, default=None):
            reads.setdefault((step, key), set()).add(self.code)
            return super().optional(step, key, default)

    current = {"code": ""}

    class Row(dict):
        """An example list entry that notes every column a builder reads from it."""

        where: tuple[str, str] = ("", "")

        def get(self, key, default=None):
            columns.setdefault((*self.where, key), set()).add(current["code"])
            return super().get(key, default)

        def __getitem__(self, key):
            columns.setdefault((*self.where, key), set()).add(current["code"])
            return super().__getitem__(key)

    def rows(step: str, fact: FactSpec, value):
        if not (fact.is_list and isinstance(value, list)):
            return value
        out = []
        for entry in value:
            row = Row(entry)
            row.where = (step, fact.key)
            out.append(row)
        return out

    facts = {k: {f.key: rows(k, f, v) for f in s.facts for v in [s.example().get(f.key)] if f.key in s.example()}
             for k, s in schemas.items()}
    names = {s.key: s.name for s in steps}
    profile = load_profile("national")
    day = dt.date(2026, 9, 1)
    for code, doc in DOCUMENTS.items():
        builder = BUILDERS.get(code)
        if builder is None:
            continue
        for step in doc.steps:
            src = Probe(facts=facts, village=Village("示例村", "000000000000", "示例镇", "示例县", 100, 3), step=step,
                        day=day, anchors={"D_P": day, "D_V": day}, profile=profile, step_names=names)
            src.code = current["code"] = code
            try:
                builder.fn(src)
            except Exception as exc:  # noqa: BLE001 - a builder that cannot run on examples is itself an error
                reads.setdefault(("", ""), set()).add(f"{code}（{type(exc).__name__}）")
    errors = []
    for (step, key), codes in sorted(reads.items()):
        if not step:
            errors.append(f"文书 {'、'.join(sorted(codes))} 无法用 facts/*.yaml 的示例生成")
            continue
        schema = schemas.get(step)
        if schema is None or schema.get(key) is None:
            errors.append(f"文书 {'、'.join(sorted(codes))} 读取步骤 {step} 的事实 {key}，该步骤没有声明它（facts/*.yaml）")
    for (step, key, col), codes in sorted(columns.items()):
        fact = schemas.get(step) and schemas[step].get(key)
        if fact and fact.type in LISTS and fact.column(col) is None:
            errors.append(f"文书 {'、'.join(sorted(codes))} 读取步骤 {step} 的 {key} 的列 {col}，该名单没有声明此列")
    return errors
