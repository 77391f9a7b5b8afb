"""A step's form, generated from its fact schema (JSON Schema, CONTRACTS: fact schema).

Field names are the fact paths: ``f.date``, ``f.members[2].id``. A Problem raised by
``record_facts`` names its field by the same path, so its message is shown on that field.
Person lists are typed into a table or uploaded from CSV/XLSX with Chinese headers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from huanjie.errors import InvalidInput, Problem

EXTRA_ROWS = 3
INTEGER = re.compile(r"^\d+$")
LIST_TYPES = ("people", "records")


@dataclass
class Column:
    key: str
    title: str
    kind: str                 # integer | date | bool | text | choice | id_number | ref
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    many: bool = False


@dataclass
class Field:
    key: str
    title: str
    kind: str
    required: bool
    help: str | None
    example: Any
    many: bool = False
    map: bool = False
    choices: list[tuple[str, str]] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    value: Any = None
    rows: list[dict] = field(default_factory=list)     # for lists: the rows to show (with blank ones)
    errors: list[str] = field(default_factory=list)
    cell_errors: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    focus: tuple[int, bool] | None = None               # for tables: the row whose first cell takes the focus

    @property
    def is_table(self) -> bool:
        return self.kind in LIST_TYPES

    def text(self) -> str:
        """The value as the text box shows it."""
        v = self.value
        if v is None:
            return ""
        if self.map and isinstance(v, dict):
            return "\n".join(f"{k}：{x}" for k, x in v.items())
        if self.many and isinstance(v, list):
            return "\n".join(str(x) for x in v)
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)


def _choices(prop: dict) -> list[tuple[str, str]]:
    labels = prop.get("x-huanjie-labels", {})
    return [(str(v), labels.get(str(v), str(v))) for v in prop.get("enum", [])]


def _column(key: str, prop: dict, required: bool) -> Column:
    items = prop.get("items", {}) if prop.get("type") == "array" else prop
    return Column(key, prop.get("title", key), prop.get("x-huanjie-type", "text"), required,
                  _choices(items), many=prop.get("type") == "array")


def build_fields(schema: dict, values: dict | None, problems: list[Problem] = (), extra_rows: int = EXTRA_ROWS,
                 shown_rows: dict[str, int] | None = None, focus: tuple[str, int] | None = None
                 ) -> tuple[list[Field], list[str]]:
    """The form's fields with values and errors; and the messages no field of the form can hold.
    A table shows its rows and blank ones: ``shown_rows[key]`` rows in all when the form said how many
    it showed, else ``extra_rows`` blank rows; ``focus`` names the (table, row) that takes the focus."""
    shown_rows = shown_rows or {}
    values = values or {}
    required = set(schema.get("required", []))
    fields = []
    for key, prop in schema.get("properties", {}).items():
        kind = prop.get("x-huanjie-type", "text")
        many, is_map = bool(prop.get("x-huanjie-many")), bool(prop.get("x-huanjie-map"))
        choice_source = prop.get("items", {}) if many else prop
        help_text = page_help(prop.get("description"), kind)
        f = Field(key, prop.get("title", key), kind, key in required,
                  help_text if help_text != prop.get("title", key) else None,
                  (prop.get("examples") or [None])[0], many, is_map, _choices(choice_source))
        if kind in LIST_TYPES:
            item = prop.get("items", {})
            item_required = set(item.get("required", []))
            f.columns = [_column(k, p, k in item_required) for k, p in item.get("properties", {}).items()]
            rows = values.get(key) if isinstance(values.get(key), list) else []
            blank = max(shown_rows[key] - len(rows), 0) if key in shown_rows else extra_rows
            f.rows = [r if isinstance(r, dict) else {} for r in rows] + [{} for _ in range(blank)]
            if focus and focus[0] == key and f.rows:
                f.focus = (min(focus[1], len(f.rows) - 1), True)
        else:
            f.value = values.get(key)
        fields.append(f)
    by_key = {f.key: f for f in fields}
    loose = []
    for p in problems:
        path = p.field or ""
        m = re.match(r"^([A-Za-z_][\w]*)(?:\[(\d+)\](?:\.([A-Za-z_]\w*))?)?", path)
        target = by_key.get(m.group(1)) if m else None
        if target is None:
            loose.append(p.text())
        elif m.group(2) is not None and target.is_table:
            target.cell_errors.setdefault((int(m.group(2)), m.group(3) or ""), []).append(p.message)
            target.errors.append(f"第 {int(m.group(2)) + 1} 行：{p.message}")
        else:
            target.errors.append(p.message)
    return fields, loose


MORE_ROWS = 5
MAX_ROWS = 2000


def table_intent(schema: dict, form, intent: str) -> tuple[Any, dict[str, int], tuple[str, int] | None]:
    """A table button (``more:KEY`` adds 5 blank rows, ``remove:KEY:I`` deletes row I): the form without
    the removed row, how many rows each table now shows, and the row to focus."""
    from starlette.datastructures import FormData

    tables = [k for k, p in schema.get("properties", {}).items() if p.get("x-huanjie-type", "text") in LIST_TYPES]
    shown = {}
    for key in tables:
        try:
            shown[key] = min(max(int(str(form.get(f"rows.{key}", ""))), 0), MAX_ROWS)
        except ValueError:
            shown[key] = len(_table_rows(schema["properties"][key], form, f"f.{key}")) + EXTRA_ROWS
    verb, _, rest = intent.partition(":")
    key, _, index = rest.partition(":")
    if key not in shown:
        return form, shown, None
    if verb == "more":
        shown[key] = min(shown[key] + MORE_ROWS, MAX_ROWS)
        filled = len(_table_rows(schema["properties"][key], form, f"f.{key}"))
        return form, shown, (key, filled)
    if verb == "remove" and index.isdigit():
        prefix = f"f.{key}[{int(index)}]."
        form = FormData([(k, v) for k, v in form.multi_items() if not k.startswith(prefix)])
        shown[key] = max(shown[key] - 1, 0)
        return form, shown, (key, int(index))
    return form, shown, None


KEY_BEFORE_LABEL = re.compile(r"\b[a-z][a-z_]*\s+(?=[^\x00-\x7f])")


def page_help(text: str | None, kind: str) -> str | None:
    """A fact's help as the form shows it. The schema's help also serves YAML files, so it names the
    field keys ("name 姓名"): a table's columns already carry their Chinese titles, so its "（每项：…）"
    list is left out, and elsewhere a key standing before its Chinese label is dropped."""
    if not text:
        return text
    if kind in LIST_TYPES:
        start = text.find("（每项")
        if start >= 0:
            depth, end = 0, len(text)
            for i in range(start, len(text)):
                depth += {"（": 1, "）": -1}.get(text[i], 0)
                if depth == 0:
                    end = i + 1
                    break
            text = text[:start] + text[end:]
    text = KEY_BEFORE_LABEL.sub("", text).strip("；; ")
    return text or None


def parse_day(text: str | None, field: str, label: str = "日期") -> dt.date | None:
    """A date typed into a page's date box (年-月-日, also 2026/9/18 or 2026年9月18日); None when empty."""
    from huanjie.steps.facts.coerce import Bad, parse_date

    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_date(text)[0]
    except Bad as exc:
        raise InvalidInput(f"{label}“{text}”无法识别", [Problem(f"{exc.message}；请按“年-月-日”填写", field=field)]) from None


def _scalar(kind: str, text: str) -> Any:
    text = text.strip()
    if text == "":
        return None
    if kind == "integer" and INTEGER.match(text):
        return int(text)
    if kind == "bool":
        return {"true": True, "false": False}.get(text, text)
    return text


def parse_form(schema: dict, form) -> dict[str, Any]:
    """Facts from the submitted form (empty inputs left out: the checks then say what is missing)."""
    facts: dict[str, Any] = {}
    for key, prop in schema.get("properties", {}).items():
        kind = prop.get("x-huanjie-type", "text")
        name = f"f.{key}"
        if kind in LIST_TYPES:
            rows = _table_rows(prop, form, name)
            if rows:
                facts[key] = rows
        elif prop.get("x-huanjie-many"):
            if kind == "choice":
                picked = [v for v in form.getlist(name) if v]
                if picked:
                    facts[key] = picked
            else:
                lines = [x.strip() for x in re.split(r"[\n、;；]", str(form.get(name, ""))) if x.strip()]
                if lines:
                    facts[key] = [_scalar(kind, x) for x in lines]
        elif prop.get("x-huanjie-map"):
            table = {}
            for line in str(form.get(name, "")).splitlines():
                if not line.strip():
                    continue
                k, _, v = re.split(r"([:：])", line, maxsplit=1) if re.search(r"[:：]", line) else (line, "", "")
                table[k.strip()] = _scalar(kind, v)
            if table:
                facts[key] = table
        else:
            value = _scalar(kind, str(form.get(name, "")))
            if value is not None:
                facts[key] = value
    return facts


def _table_rows(prop: dict, form, name: str) -> list[dict]:
    columns = prop.get("items", {}).get("properties", {})
    indices = sorted({int(m.group(1)) for k in form.keys() if (m := re.match(re.escape(name) + r"\[(\d+)\]\.", k))})
    rows = []
    for i in indices:
        row = {}
        for col, cprop in columns.items():
            raw = str(form.get(f"{name}[{i}].{col}", ""))
            ckind = cprop.get("x-huanjie-type", "text")
            if cprop.get("type") == "array":
                parts = [x.strip() for x in re.split(r"[、,，;；]", raw) if x.strip()]
                if parts:
                    row[col] = [_scalar(ckind, x) for x in parts]
            else:
                value = _scalar(ckind, raw)
                if value is not None:
                    row[col] = value
        if row:
            rows.append(row)
    return rows


def read_table(filename: str, data: bytes, prop: dict, field_key: str) -> list[dict]:
    """Rows of a CSV (UTF-8 or GB18030) or XLSX file whose headers are the columns' Chinese titles (or keys)."""
    columns = prop.get("items", {}).get("properties", {})
    by_header = {**{k: k for k in columns}, **{c.get("title", k): k for k, c in columns.items()}}
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            table = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception:
            raise InvalidInput(f"“{filename}”不是有效的 Excel 文件",
                               [Problem("请上传 .xlsx 或 .csv 文件", field=field_key)]) from None
    elif lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput(f"“{filename}”的编码无法识别", [Problem("请另存为 UTF-8 或 GB18030 编码的 CSV", field=field_key)])
        table = list(csv.reader(io.StringIO(text)))
    else:
        raise InvalidInput(f"不支持的文件“{filename}”", [Problem("请上传 .xlsx 或 .csv 文件", field=field_key)])
    table = [r for r in table if any(c.strip() for c in r)]
    if not table:
        raise InvalidInput(f"“{filename}”是空的", [Problem("第一行为表头，其后每行一人", field=field_key)])
    header = [h.strip() for h in table[0]]
    unknown = [h for h in header if h and h not in by_header]
    if unknown:
        known = "、".join(c.get("title", k) for k, c in columns.items())
        raise InvalidInput(f"“{filename}”有无法识别的列：{'、'.join(unknown)}",
                           [Problem(f"表头应为：{known}", field=field_key, line=1)])
    rows = []
    for cells in table[1:]:
        row = {}
        for h, cell in zip(header, cells):
            if h and cell.strip():
                col = by_header[h]
                cprop = columns[col]
                kind = cprop.get("x-huanjie-type", "text")
                if kind == "bool":
                    cell = {"是": "true", "否": "false"}.get(cell.strip(), cell)
                if cprop.get("type") == "array":
                    row[col] = [_scalar(kind, x) for x in re.split(r"[、,，;；]", cell) if x.strip()]
                else:
                    row[col] = _scalar(kind, cell)
        rows.append(row)
    return rows
