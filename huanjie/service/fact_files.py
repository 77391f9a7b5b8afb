"""Reading a step's facts from JSON, YAML or CSV files and key=value pairs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml

from huanjie.errors import InvalidInput, Problem


def read_facts(path: Path | None, *, field: str | None = None, pairs: list[str] = ()) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if path is not None:
        facts.update(_read_file(path, field))
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"“{pair}”不是 key=value 形式", [Problem("例如 --set present_voting=45", field="set")])
        facts[key.strip()] = _scalar(value.strip())
    return facts


def _read_file(path: Path, field: str | None) -> dict[str, Any]:
    if not path.is_file():
        raise InvalidInput(f"找不到文件 {path}", [Problem("请检查 --file 路径", field="file")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # saved by Excel or WPS on a Chinese Windows
        except UnicodeDecodeError:
            raise InvalidInput(f"文件 {path.name} 既不是 UTF-8 也不是 GB18030 编码", [Problem("请另存为 UTF-8", field="file")]) from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            data = json.loads(text)
        elif suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        elif suffix == ".csv":
            if not field:
                raise InvalidInput("CSV 文件须配合 --field 指定事实字段名", [Problem("如 --field candidates", field="field")])
            data = {field: _csv_rows(text, path.name)}
        else:
            raise InvalidInput(f"不支持的文件类型 {suffix}", [Problem("支持 .json .yaml .yml .csv", field="file")])
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(f"文件 {path.name} 格式错误", [Problem(str(exc), field="file")]) from None
    if not isinstance(data, dict):
        raise InvalidInput(f"文件 {path.name} 的顶层须为键值表", [Problem("如 {\"present_voting\": 45}", field="file")])
    return _plain(data)


def _plain(value: Any) -> Any:
    """YAML dates become ISO strings so facts are plain JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _csv_rows(text: str, name: str) -> list[dict]:
    rows = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        if None in row:
            raise InvalidInput(f"文件 {name} 第 {line} 行的列数多于表头", [Problem("请检查该行是否多了逗号", line=line)])
        rows.append({k: _scalar(v) for k, v in row.items()})
    return rows


def _scalar(text: str | None) -> Any:
    """Counts become integers; codes keep their text (身份证号, phone numbers, leading zeros)."""
    if text is None:
        return None
    if text.isdigit() and len(text) <= 9 and (text == "0" or not text.startswith("0")):
        return int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text
