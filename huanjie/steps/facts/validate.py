"""A step's facts checked when recorded, all at once: every problem names its field PATH
(``candidates[2].id_number``) and the rule in Chinese; rewritten values are echoed back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from huanjie.errors import Problem
from huanjie.steps.facts.coerce import Bad, coerce, parse_date
from huanjie.steps.facts.spec import ACT_DATE, FactSpec, StepFacts

_COUNT = re.compile(r"^count\((.+)\)$")


@dataclass
class Checked:
    facts: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)   # {"field": PATH, "message": 中文}


@dataclass(frozen=True)
class Earlier:
    """What the case holds around the step: other steps' facts, names, and done dates."""

    facts: Mapping[str, Mapping[str, Any]]       # step -> recorded facts
    step_names: Mapping[str, str]
    gated: frozenset[str] = frozenset()          # steps with an approval gate
    prerequisites: Mapping[str, dt.date] = field(default_factory=dict)  # required step -> done on


def check_facts(schema: StepFacts, facts: Mapping[str, Any], *, today: dt.date, earlier: Earlier) -> Checked:
    out = Checked({})
    known = schema.keys()
    for key, value in facts.items():
        spec = schema.get(key)
        if spec is None:
            listed = "、".join(f"{f.key}（{f.label}）" for f in schema.facts)
            out.problems.append(Problem(f"没有名为“{key}”的事实；本步骤可填：{listed}", field=key))
            continue
        if value is None or value == "" or value == []:
            if spec.required and not (value == [] and (spec.is_list or spec.many)):
                out.problems.append(Problem(f"“{spec.label}”（{key}）不能为空", field=key))
            elif value == []:
                out.facts[key] = []
            continue
        out.facts[key] = _value(spec, value, key, today, out)
    for spec in schema.facts:
        if spec.required and spec.key not in facts:
            out.problems.append(Problem(f"缺少必填的“{spec.label}”（{spec.key}）", field=spec.key))
    if out.problems:
        return out
    _references(schema, out, earlier)
    _act_date(out, today, earlier)
    assert set(out.facts) <= set(known)
    return out


def _value(spec: FactSpec, value: Any, path: str, today: dt.date, out: Checked) -> Any:
    if spec.is_list:
        return _rows(spec, value, path, today, out)
    try:
        normalised, note = coerce(spec, value, today)
    except Bad as bad:
        out.problems.append(Problem(f"“{spec.label}”（{path}）{bad.message}", field=path))
        return None
    if note:
        out.notes.append({"field": path, "message": f"“{spec.label}”{note}"})
    return normalised


def _rows(spec: FactSpec, value: Any, path: str, today: dt.date, out: Checked) -> list:
    if not isinstance(value, list):
        out.problems.append(Problem(f"“{spec.label}”（{path}）须为列表（每项一行）", field=path))
        return []
    rows, seen = [], {}
    for i, row in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(row, dict):
            out.problems.append(Problem(f"“{spec.label}”第 {i + 1} 项须为键值表（各列: 值）", field=where))
            continue
        clean = {}
        for col, v in row.items():
            cs = spec.column(str(col))
            if cs is None:
                listed = "、".join(f"{c.key}（{c.label}）" for c in spec.columns)
                out.problems.append(Problem(f"“{spec.label}”第 {i + 1} 项有未知的列“{col}”；可填：{listed}",
                                            field=f"{where}.{col}"))
                continue
            if v is None or v == "":
                continue
            clean[cs.key] = _value(cs, v, f"{where}.{cs.key}", today, out)
        for cs in spec.columns:
            if cs.required and cs.key not in clean and not (cs.is_list or cs.many):
                out.problems.append(Problem(f"“{spec.label}”第 {i + 1} 项缺少“{cs.label}”（{cs.key}）",
                                            field=f"{where}.{cs.key}"))
        key = spec.key_column
        if key and clean.get(key) is not None:
            ident = str(clean[key])
            if ident in seen:
                label = spec.column(key).label
                shown = "" if spec.column(key).type == "id_number" else f"“{ident}”"
                out.problems.append(Problem(f"“{spec.label}”第 {i + 1} 项与第 {seen[ident] + 1} 项的{label}{shown}重复",
                                            field=f"{where}.{key}"))
            seen.setdefault(ident, i)
        rows.append(clean)
    return rows


# --- across steps -------------------------------------------------------------------------------

def _list_names(facts: Mapping[str, Any], key: str) -> set[str] | None:
    value = facts.get(key)
    if value is None:
        return None
    names = set()
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, dict):
            name = entry.get("name", entry.get("principal"))
            if name is not None:
                names.add(str(name).strip())
        elif entry is not None:
            names.add(str(entry).strip())
    return names


def _where(earlier: Earlier, step: str) -> str:
    return f"步骤 {step}（{earlier.step_names.get(step, '')}）"


def _references(schema: StepFacts, out: Checked, earlier: Earlier) -> None:
    def source(dotted: str) -> tuple[str, str, Mapping[str, Any] | None]:
        step, _, key = dotted.rpartition(".")
        facts = out.facts if step == schema.step else earlier.facts.get(step)
        return step, key, facts

    def member(value, spec: FactSpec, path: str, what: str) -> None:
        step, key, facts = source(spec.ref)
        names = _list_names(facts, key) if facts is not None else None
        if names is None:
            out.problems.append(Problem(f"{what}须出自{_where(earlier, step)}的名单（{key}），该步骤尚未填报", field=path))
        elif str(value) not in names:
            out.problems.append(Problem(f"{what}“{value}”不在{_where(earlier, step)}填报的名单（{key}）中", field=path))

    for spec in schema.facts:
        value = out.facts.get(spec.key)
        if value is None:
            continue
        if spec.type == "ref" and spec.many:
            for i, v in enumerate(value):
                member(v, spec, f"{spec.key}[{i}]", f"“{spec.label}”第 {i + 1} 项")
        elif spec.type == "ref":
            member(value, spec, spec.key, f"“{spec.label}”")
        for col in spec.columns:
            if col.type == "ref":
                for i, row in enumerate(value):
                    if row.get(col.key) is not None:
                        member(row[col.key], col, f"{spec.key}[{i}].{col.key}", f"“{spec.label}”第 {i + 1} 项的{col.label}")
        if spec.same_as and isinstance(value, int):
            m = _COUNT.match(spec.same_as)
            step, key, facts = source(m.group(1) if m else spec.same_as)
            if facts is None or facts.get(key) is None:
                continue
            other = len(facts[key]) if m else facts[key]
            if not isinstance(other, int) or other == value:
                continue
            what = f"名单（{key}）的人数" if m else f"“{key}”"
            decided = "经审批的" if step in earlier.gated and not m else "填报的"
            out.problems.append(Problem(f"“{spec.label}”为 {value}，与{_where(earlier, step)}{decided}{what} {other} 不一致",
                                        field=spec.key))


def _act_date(out: Checked, today: dt.date, earlier: Earlier) -> None:
    value = out.facts.get(ACT_DATE)
    if value is None:
        return
    day, _ = parse_date(value)
    if day > today:
        out.problems.append(Problem(f"日期 {day} 晚于今天 {today}：不能填报尚未发生的事项", field=ACT_DATE))
    for step, done in sorted(earlier.prerequisites.items()):
        if done and day < done:
            out.problems.append(Problem(f"日期 {day} 早于前序{_where(earlier, step)}的完成日期 {done}："
                                        "本步骤须在前序步骤完成之后办理", field=ACT_DATE))
