"""The fact schema of each step, as data (``huanjie/steps/catalogue/facts/{party,vc}.yaml``).

Every step declares the facts it records: key, Chinese label, type, required or optional,
help and an example; a list of people or records declares its own columns. The checks and
the documents read only declared facts, and the catalogue refuses to load when one reads a
fact its step does not declare (see ``huanjie.steps.facts.crosscheck``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

FACTS_DIR = Path(__file__).resolve().parent.parent / "catalogue" / "facts"
DEFAULT_FACT_PATHS = (FACTS_DIR / "party.yaml", FACTS_DIR / "vc.yaml")

TYPES = {
    "integer": "非负整数", "date": "日期", "bool": "是/否", "text": "文字", "choice": "选项",
    "id_number": "身份证号", "people": "人员名单", "records": "记录表", "ref": "前序名单中的人",
}
LISTS = ("people", "records")
# Choices kept as legal lists elsewhere (huanjie/steps/checks/data): one place for each list.
CHOICE_LISTS = {  # name -> (choices {key: title}, aliases {short name or title: key})
    "negative_list": lambda: ({k: i.title for k, i in _lists().negative_list().items.items()},
                              {i.title: k for k, i in _lists().negative_list().items.items()}),
    "party_exclusions": lambda: _item_list(_lists().party_exclusion_cases()),
    "audit_items": lambda: _item_list(_lists().audit_items()),
    "handover_items": lambda: _item_list(_lists().handover_items()),
}


def _item_list(items) -> tuple[dict, dict]:
    return ({i.key: i.title for i in items.items},
            {**{i.short: i.key for i in items.items}, **{i.title: i.key for i in items.items}})
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the schema is read by every command
ACT_DATE = "date"  # the day the step's act took place: not after today, not before its prerequisites


def _lists():
    from huanjie.steps.checks import lists

    return lists


@dataclass(frozen=True)
class FactSpec:
    key: str
    label: str
    type: str
    required: bool = True
    help: str | None = None
    example: Any = None
    many: bool = False                    # a list of values of ``type``
    map: bool = False                     # a table {key: value of ``type``}
    choices: Mapping[Any, str] = field(default_factory=dict)   # value -> Chinese label
    aliases: Mapping[str, Any] = field(default_factory=dict)   # other accepted words -> value
    ref: str | None = None                # "P3.1.members": the value names an entry of that list
    key_column: str | None = None         # the column identifying an entry (--merge replaces by it)
    same_as: str | None = None            # "P3.2.expected_voters" or "count(V3.1.voters)"
    columns: tuple[FactSpec, ...] = ()

    @property
    def is_list(self) -> bool:
        return self.type in LISTS

    def column(self, key: str) -> FactSpec | None:
        return next((c for c in self.columns if c.key == key), None)

    def type_label(self) -> str:
        base = TYPES[self.type]
        if self.map:
            return f"键值表（值为{base}{'列表' if self.many else ''}）"
        if self.many:
            return f"{base}（可填多个）"
        return base

    def example_value(self) -> Any:
        """A value of this fact that passes its own type rules (lists get one example row)."""
        if self.is_list:
            return [{c.key: c.example_value() for c in self.columns if c.example is not None or c.is_list}]
        return self.example


@dataclass(frozen=True)
class StepFacts:
    step: str
    facts: tuple[FactSpec, ...]

    def get(self, key: str) -> FactSpec | None:
        return next((f for f in self.facts if f.key == key), None)

    def keys(self) -> list[str]:
        return [f.key for f in self.facts]

    def example(self) -> dict[str, Any]:
        return {f.key: f.example_value() for f in self.facts if f.example is not None or f.is_list}


# --- the rows as written ----------------------------------------------------------------------

class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _FactRow(_Row):
    label: str
    type: str
    optional: bool = False
    help: str | None = None
    example: Any = None
    many: bool = False
    map: bool = False
    choices: dict[Any, str] | None = None
    choices_from: str | None = None
    ref: str | None = None
    key: str | None = None
    same_as: str | None = None
    columns: dict[str, _FactRow] | None = None


class _StepRow(_Row):
    facts: dict[str, _FactRow]


class _File(_Row):
    version: str
    election: str
    steps: dict[str, _StepRow]


def read_fact_files(paths=None) -> tuple[dict[str, StepFacts], list[str], dict[str, str]]:
    """Parse the fact-schema files: (schema by step, errors, version by file)."""
    schemas: dict[str, StepFacts] = {}
    errors: list[str] = []
    versions: dict[str, str] = {}
    for path in (DEFAULT_FACT_PATHS if paths is None else paths):
        path = Path(path)
        name = f"facts/{path.name}"
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
            head = _File.model_validate(data)
        except (OSError, yaml.YAMLError) as exc:
            errors.append(f"{name}：无法读取或解析（{exc.__class__.__name__}）")
            continue
        except ValidationError as exc:
            for e in exc.errors():
                where = ".".join(str(p) for p in e["loc"])
                errors.append(f"{name}：{where}：{_pydantic_message(e)}")
            continue
        versions[name] = head.version
        for step, row in head.steps.items():
            if step in schemas:
                errors.append(f"{name} 步骤 {step}：事实定义重复")
                continue
            schemas[step] = StepFacts(step, tuple(_spec(f"{name} 步骤 {step} 事实 ", k, r, errors)
                                                  for k, r in row.facts.items()))
    return schemas, errors, versions


def _pydantic_message(e: dict) -> str:
    return {"missing": "缺少必填项", "extra_forbidden": "未知项", "string_type": "应为文字", "bool_type": "应为 true 或 false",
            "dict_type": "应为映射（键: 值）"}.get(e["type"], "取值无效")


def _spec(where: str, key: str, row: _FactRow, errors: list[str]) -> FactSpec:
    here = f"{where}{key}："
    if row.type not in TYPES:
        errors.append(f"{here}未知类型 {row.type}，应为 {'、'.join(TYPES)}")
    choices: dict[Any, str] = dict(row.choices or {})
    aliases: dict[str, Any] = {label: value for value, label in choices.items()}
    if row.choices_from is not None:
        loader = CHOICE_LISTS.get(row.choices_from)
        if loader is None:
            errors.append(f"{here}未知的选项清单 {row.choices_from}，应为 {'、'.join(CHOICE_LISTS)}")
        else:
            listed, listed_aliases = loader()
            choices.update(listed)
            aliases.update(listed_aliases)
    if row.type == "choice" and not choices:
        errors.append(f"{here}选项（choice）须列出 choices 或 choices_from")
    if row.type != "choice" and choices:
        errors.append(f"{here}只有 choice 类型可以列出选项")
    if row.type == "ref" and not row.ref:
        errors.append(f"{here}ref 类型须写明引用的名单（如 ref: P3.1.members）")
    if row.type in LISTS and not row.columns:
        errors.append(f"{here}{TYPES[row.type]}须列出各列（columns）")
    if row.type not in LISTS and row.columns:
        errors.append(f"{here}只有 people / records 类型可以有 columns")
    if row.type == "people" and row.columns and "name" not in row.columns:
        errors.append(f"{here}人员名单须有 name（姓名）列")
    if row.key is not None and row.key not in (row.columns or {}):
        errors.append(f"{here}标识列 key: {row.key} 不在各列之中")
    columns = tuple(_spec(f"{here}列 ", c, r, errors) for c, r in (row.columns or {}).items())
    return FactSpec(key=key, label=row.label, type=row.type, required=not row.optional, help=row.help,
                    example=row.example, many=row.many, map=row.map, choices=choices, aliases=aliases, ref=row.ref,
                    key_column=row.key, same_as=row.same_as, columns=columns)


@functools.lru_cache(maxsize=1)
def default_fact_schemas() -> dict[str, StepFacts]:
    schemas, errors, _ = read_fact_files()
    if errors:
        from huanjie.steps.catalogue import CatalogueError

        raise CatalogueError(errors)
    return schemas
