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
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            data = json.loads(text)
        elif suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        elif suffix == ".csv":
            if not field:
                raise InvalidInput("CSV 文件须配合 --field 指定事实字段名", [Problem("如 --field candidates", field="field")])
            data = {field: [{k: _scalar(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]}
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


def _scalar(text: str | None) -> Any:
    if text is None:
        return None
    if text.lstrip("-").isdigit():
        return int(text)
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text
