"""Reading a step's facts from YAML, JSON, CSV or Excel files and key=value pairs.

YAML is read the YAML 1.2 way a clerk expects: every scalar stays text (``12:30:00``, ``0x1F``
and an unquoted 身份证号 are not numbers) until the step's fact schema types it; aliases,
tags such as ``!!set``/``!!binary``, deep nesting and oversized files are refused in Chinese
with the line. Files are UTF-8 or GB18030 (Excel/WPS on Chinese Windows); text that reads as
another encoding (Big5, Shift-JIS) is refused with its line and column. Person lists come
from CSV/XLSX with Chinese headers (姓名, 身份证号, 性别, 出生日期, 村民小组…); a list inside each
person (近亲属 of a candidate) is given as numbered column groups: 近亲属1姓名, 近亲属1关系,
近亲属1身份证号, 近亲属2姓名… (as many as needed, blank groups left out).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from huanjie.errors import InvalidInput, Problem

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 12
MAX_NODES = 500_000
_PLAIN_NULL = {"", "~", "null", "Null", "NULL"}
_YAML_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
HEADER_SYNONYMS = {"公民身份号码": "id", "身份证": "id", "身份证号码": "id", "身份证号": "id", "姓名": "name",
                   "出生日期": "birth_date", "出生年月日": "birth_date", "村民小组": "group", "小组": "group",
                   "组别": "group"}


@dataclass
class FactInput:
    facts: dict[str, Any]
    lines: dict[str, int] = dc_field(default_factory=dict)   # field PATH -> line of the file


def read_facts(path: Path | None, *, field: str | None = None, pairs: list[str] = (), schema=None) -> dict[str, Any]:
    return read_fact_input(path, field=field, pairs=pairs, schema=schema).facts


def read_fact_input(path: Path | None, *, field: str | None = None, pairs: list[str] = (), schema=None) -> FactInput:
    """The facts of ``path`` (and ``--set`` pairs over them), with the line of each field."""
    out = FactInput({})
    if path is not None:
        out = _read_file(path, field, schema)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"“{pair}”不是 key=value 形式", [Problem("例如 --set present_voting=45", field="set")])
        out.facts[key.strip()] = _scalar(value.strip())
    return out


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or GB18030; anything else is refused with its line and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        line, col = _position(raw, exc.start)
        raise InvalidInput(f"文件 {name} 既不是 UTF-8 也不是 GB18030 编码",
                           [Problem(f"第 {col} 列起无法识别（请另存为 UTF-8）", field="file", line=line)]) from None
    _refuse_foreign(text, name)
    return text


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def _refuse_foreign(text: str, name: str) -> None:
    """Big5 or Shift-JIS bytes decode as GB18030 too, into rare characters outside GB 2312:
    a text where most Chinese characters are such is another encoding."""
    rare, total, first = 0, 0, None
    for line_no, line in enumerate(text.splitlines(), start=1):
        for col, ch in enumerate(line, start=1):
            if ord(ch) < 0x80:
                continue
            total += 1
            try:
                ch.encode("gb2312")
            except UnicodeEncodeError:
                rare += 1
                first = first or (line_no, col)
    if first and rare * 3 > total:
        raise InvalidInput(f"文件 {name} 的编码无法识别（疑似 Big5 或 Shift-JIS），未导入",
                           [Problem(f"第 {first[1]} 列起为乱码，请另存为 UTF-8 或 GB18030", field="file", line=first[0])])


def _read_file(path: Path, field: str | None, schema) -> FactInput:
    if not path.is_file():
        raise InvalidInput(f"找不到文件 {path}", [Problem("请检查 --file 路径", field="file")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput(f"文件 {path.name} 过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）", [Problem("请拆分后分别填报", field="file")])
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        if not field:
            if schema is None:
                raise InvalidInput("Excel 文件须配合 --field 指定事实字段名", [Problem("如 --field voters", field="field")])
            from huanjie.service.fact_templates import read_step_xlsx

            return FactInput(*read_step_xlsx(path, schema))
        rows = read_xlsx_rows(path)
        return _table(field, rows, path.name, schema)
    text = decode(path.read_bytes(), path.name)
    if suffix == ".json":
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            raise InvalidInput(f"文件 {path.name} 不是有效的 JSON", [Problem("格式错误（请检查括号、逗号与引号）", field="file", line=line)]) from None
        _depth(data, path.name)
        out = FactInput(_plain(data))
    elif suffix in (".yaml", ".yml"):
        out = load_yaml(text, path.name)
    elif suffix == ".csv":
        if not field:
            raise InvalidInput("CSV 文件须配合 --field 指定事实字段名", [Problem("如 --field candidates", field="field")])
        return _table(field, csv_rows(text, path.name), path.name, schema)
    else:
        raise InvalidInput(f"不支持的文件类型 {suffix}", [Problem("支持 .yaml .yml .json .csv .xlsx", field="file")])
    if not isinstance(out.facts, dict):
        raise InvalidInput(f"文件 {path.name} 的顶层须为键值表", [Problem("如 present_voters: 45", field="file")])
    return out


# --- YAML, string-preserving ------------------------------------------------------------------

class _Loader(yaml.BaseLoader):
    """Composes nodes only (no YAML 1.1 implicit typing); refuses aliases."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _YamlRefusal("不允许使用 YAML 别名（*引用）", event.start_mark.line + 1)
        self._nodes = getattr(self, "_nodes", 0) + 1
        if self._nodes > MAX_NODES:
            raise _YamlRefusal(f"内容过多（超过 {MAX_NODES} 项）", self.peek_event().start_mark.line + 1)
        return super().compose_node(parent, index)


class _YamlRefusal(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


def load_yaml(text: str, name: str) -> FactInput:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except _YamlRefusal as exc:
        raise InvalidInput(f"文件 {name} 未导入：{exc.message}", [Problem(exc.message, field="file", line=exc.line)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InvalidInput(f"文件 {name} 的 YAML 格式错误",
                           [Problem(f"第 {mark.column + 1 if mark else '?'} 列附近格式错误（请检查缩进、冒号与引号）",
                                    field="file", line=line)]) from None
    except (yaml.YAMLError, RecursionError):
        raise InvalidInput(f"文件 {name} 的 YAML 格式错误", [Problem("无法解析（嵌套过深或格式错误）", field="file")]) from None
    if node is None:
        return FactInput({})
    lines: dict[str, int] = {}
    value = _construct(node, "", lines, 0, name)
    return FactInput(value, lines)


def _construct(node, path: str, lines: dict[str, int], depth: int, name: str) -> Any:
    line = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise InvalidInput(f"文件 {name} 嵌套过深（超过 {MAX_DEPTH} 层）", [Problem("请检查缩进", field=path or "file", line=line)])
    if node.tag not in _YAML_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise InvalidInput(f"文件 {name} 使用了不支持的 YAML 标签 {tag}",
                           [Problem(f"不支持标签 {tag}：请直接写值（列表用“- ”，文字可加引号）", field=path or "file", line=line)])
    if path:
        lines.setdefault(path, line)
    if isinstance(node, ScalarNode):
        if node.style is None and node.value in _PLAIN_NULL:
            return None
        return node.value
    if isinstance(node, SequenceNode):
        return [_construct(item, f"{path}[{i}]", lines, depth + 1, name) for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise InvalidInput(f"文件 {name} 的键须为文字", [Problem("键不能是列表或映射", field=path or "file",
                                                                          line=key_node.start_mark.line + 1)])
            key = key_node.value
            if key in out:
                raise InvalidInput(f"文件 {name} 中“{key}”重复出现",
                                   [Problem(f"“{key}”重复", field=f"{path}.{key}" if path else key,
                                            line=key_node.start_mark.line + 1)])
            child = f"{path}.{key}" if path else key
            out[key] = _construct(value_node, child, lines, depth + 1, name)
        return out
    raise InvalidInput(f"文件 {name} 格式错误", [Problem("无法识别的内容", field="file", line=line)])


def _depth(value: Any, name: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise InvalidInput(f"文件 {name} 嵌套过深（超过 {MAX_DEPTH} 层）", [Problem("请检查括号", field="file")])
    if isinstance(value, dict):
        for v in value.values():
            _depth(v, name, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _depth(v, name, depth + 1)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


# --- tables: CSV and Excel ---------------------------------------------------------------------

def csv_rows(text: str, name: str) -> list[tuple[int, dict[str, str]]]:
    rows = []
    kept = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(kept) and kept[skipped].startswith("#"):  # the template's comment lines
        skipped += 1
    reader = csv.DictReader(io.StringIO("".join(kept[skipped:])))
    for line, row in enumerate(reader, start=2 + skipped):
        if None in row:
            raise InvalidInput(f"文件 {name} 第 {line} 行的列数多于表头", [Problem("请检查该行是否多了逗号", line=line)])
        if any((v or "").strip() for v in row.values()):
            rows.append((line, {(k or "").strip(): (v or "").strip() for k, v in row.items()}))
    return rows


def read_xlsx_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The first sheet's rows under its header row, as {header: cell}; blank rows skipped."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook gets the same answer
        raise InvalidInput(f"文件 {path.name} 不是有效的 Excel（.xlsx）文件", [Problem("请用 Excel 或 WPS 另存为 .xlsx", field="file")]) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    names = [str(h).strip() if h is not None else "" for h in header]
    out = []
    for line, cells in enumerate(rows, start=2):
        if not any(c not in (None, "") for c in cells):
            continue
        out.append((line, {names[i]: _cell(c) for i, c in enumerate(cells) if i < len(names) and names[i]}))
    book.close()
    return out


def _cell(value: Any) -> Any:
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _table(field: str, rows: list[tuple[int, dict[str, Any]]], name: str, schema) -> FactInput:
    """Rows of a table file as the entries of list fact ``field``; Chinese headers mapped to columns."""
    spec = schema.get(field) if schema is not None else None
    if schema is not None and (spec is None or not spec.columns):
        lists = "、".join(f"{f.key}（{f.label}）" for f in schema.facts if f.columns)
        raise InvalidInput(f"“{field}”不是本步骤的名单", [Problem(f"可用 --field 导入的名单：{lists or '无'}", field="field")])
    lines: dict[str, int] = {field: rows[0][0] if rows else 1}
    entries, problems = [], []
    header_map: dict[str, str | tuple[str, int, str] | None] = {}
    for i, (line, row) in enumerate(rows):
        entry: dict[str, Any] = {}
        nested: dict[str, dict[int, dict[str, Any]]] = {}   # 近亲属 -> group number -> {column: value}
        for header, value in row.items():
            if header not in header_map:
                header_map[header] = _column_for(spec, header) if spec is not None else header
                if header_map[header] is None and header != "性别":
                    problems.append(Problem(f"表头“{header}”不是“{spec.label}”的列；可用表头：{_headers(spec)}",
                                            field=field, line=1))
            key = header_map[header]
            if header == "性别" and key is None:
                entry["__sex__"] = value
                continue
            if key is None or value in (None, ""):
                continue
            if isinstance(key, tuple):
                inner, number, column = key
                nested.setdefault(inner, {}).setdefault(number, {})[column] = value
                continue
            entry[key] = value
            lines[f"{field}[{i}].{key}"] = line
        for inner, groups in nested.items():
            entry[inner] = [groups[n] for n in sorted(groups)]
            for j, n in enumerate(sorted(groups)):
                lines[f"{field}[{i}].{inner}[{j}]"] = line
                if "name" not in groups[n] and spec.column(inner).column("name") is not None:
                    sub = spec.column(inner)
                    problems.append(Problem(f"第 {i + 1} 人（{entry.get('name', '未填姓名')}）的“{sub.label}{n}”填了"
                                            f"{'、'.join(sub.column(c).label for c in groups[n])}，缺少“{sub.label}{n}"
                                            f"{sub.column('name').label}”", field=f"{field}[{i}].{inner}[{j}].name",
                                            line=line))
        lines[f"{field}[{i}]"] = line
        sex = entry.pop("__sex__", None)
        if sex and spec is not None and spec.column("woman") is not None:
            entry["woman"] = "是" if sex.strip() == "女" else "否"
        elif sex and entry.get("id"):
            from huanjie.documents.identity import birth_and_sex

            try:
                _, by_id = birth_and_sex(str(entry["id"]).strip().upper())
            except Exception:  # noqa: BLE001 - a bad 身份证号 is reported by the schema check
                by_id = None
            if by_id and sex.strip() not in (by_id, by_id + "性"):
                problems.append(Problem(f"第 {i + 1} 人的性别“{sex}”与身份证号不符", field=f"{field}[{i}].id", line=line))
        entries.append(entry)
    if problems:
        raise InvalidInput(f"文件 {name} 有 {len(problems)} 处问题，未导入", problems)
    return FactInput({field: entries}, lines)


MAX_NESTED = 30  # 近亲属 groups of one person in one row


def _column_for(spec, header: str) -> str | tuple[str, int, str] | None:
    """The column a header names: a column key, or for a nested list (近亲属 of a candidate) the
    numbered group convention "近亲属1姓名", "近亲属1关系", "近亲属2姓名"… as (list, number, column)."""
    text = header.strip()
    for c in spec.columns:
        if not c.is_list and _names_column(c, text):
            return c.key
    key = HEADER_SYNONYMS.get(text)
    if key and spec.column(key) is not None and not spec.column(key).is_list:
        return key
    for c in spec.columns:
        if not c.is_list:
            continue
        for prefix in (c.label, c.key):
            m = re.fullmatch(rf"{re.escape(prefix)}\s*(\d{{1,3}})\s*[-_·.]?\s*(.+)", text)
            if not m or not 1 <= int(m[1]) <= MAX_NESTED:
                continue
            sub = m[2].strip()
            for inner in c.columns:
                if _names_column(inner, sub):
                    return (c.key, int(m[1]), inner.key)
            synonym = HEADER_SYNONYMS.get(sub)
            if synonym and c.column(synonym) is not None:
                return (c.key, int(m[1]), synonym)
    return None


def _names_column(c, text: str) -> bool:
    return text in (c.key, c.label) or text == c.label.split("（")[0]


def _headers(spec) -> str:
    """The headers a table of this list takes, for an error message."""
    flat = [c.label for c in spec.columns if not c.is_list]
    nested = [f"{c.label}1{'、'.join(i.label for i in c.columns)}（如 {c.label}1{c.columns[0].label}、"
              f"{c.label}2{c.columns[0].label}…）" for c in spec.columns if c.is_list]
    return "、".join(flat + nested)


def _scalar(text: str | None) -> Any:
    """Counts become integers; codes keep their text (身份证号, phone numbers, leading zeros)."""
    if text is None:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 9 and (text == "0" or not text.startswith("0")):
        return int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text
