"""Load rule profiles from ``profiles/<code>.yaml``, validating every file in the chain at once.

A file has ``code``, ``name``, ``version``, optionally ``extends`` (a parent code) and ``params``:
``{name: {value: ..., source: "《…》第…条"}}``. A parent must define every parameter of
``SCHEMA`` (or inherit it); a child may override any of them. An inherited value keeps the
parent's clause and its source reads "national: 《…》（上海市未另行规定）".
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from huanjie.rules.model import Param, ProfileError, Range, Ratio, RuleProfile, Value
from huanjie.rules.schema import SCHEMA, ParamSpec

PROFILE_DIR = Path(__file__).parent / "profiles"
RATIO_OPS = (">", ">=")
ROUNDINGS = ("ceil", "floor")


def profile_codes(directory: str | Path | None = None) -> list[str]:
    """Known profile codes, ``national`` first."""
    folder = Path(directory) if directory is not None else PROFILE_DIR
    return sorted((p.stem for p in folder.glob("*.yaml")), key=lambda c: (c != "national", c))


def load_profile(code: str, directory: str | Path | None = None) -> RuleProfile:
    """The profile ``code`` (cached for the bundled profiles); ``directory`` is for tests."""
    if directory is None:
        return _load_bundled(code)
    return _load(code, Path(directory))


@functools.lru_cache(maxsize=None)
def _load_bundled(code: str) -> RuleProfile:
    return _load(code, PROFILE_DIR)


def _load(code: str, directory: Path) -> RuleProfile:
    codes = profile_codes(directory)
    if code not in codes:
        raise ProfileError(f"未知的规则配置“{code}”", [f"可用的规则配置：{'、'.join(codes) or '（无）'}"])
    problems: list[str] = []
    chain = _read_chain(code, directory, codes, problems)  # root first
    bad: set[str] = set()
    layers = [(raw, _read_params(raw, problems, bad)) for raw in chain]
    entries: dict[str, Param] = {}
    for index, (raw, params) in enumerate(layers):
        for name in SCHEMA:
            if name in params:
                entries[name] = params[name]
            elif name in entries:
                parent = layers[index - 1][0]
                inherited = entries[name]
                entries[name] = Param(inherited.value, _inherited_source(parent, inherited, raw), inherited.law)
    if chain:
        missing = [n for n in SCHEMA if n not in entries and n not in bad]
        problems.extend(f"{_where(chain[0])}缺少参数 {n}（{SCHEMA[n].label}）" for n in missing)
    if problems:
        raise ProfileError(f"规则配置“{code}”有 {len(problems)} 处错误", problems)
    top = chain[-1]
    return RuleProfile(str(top["code"]), str(top["name"]), str(top["version"]), top.get("extends"), entries)


def _inherited_source(parent: dict, inherited: Param, child: dict) -> str:
    if inherited.source != inherited.law:  # already inherited further up: keep its origin
        origin = inherited.source.split(": ", 1)[0]
    else:
        origin = parent.get("code")
    return f"{origin}: {inherited.law}（{child.get('name', child.get('code'))}未另行规定）"


def _read_chain(code: str, directory: Path, codes: list[str], problems: list[str]) -> list[dict]:
    chain: list[dict] = []
    current: str | None = code
    while current is not None:
        if any(raw.get("code") == current for raw in chain):
            problems.append(f"规则配置的 extends 形成循环：{current}")
            break
        raw = _read_file(directory / f"{current}.yaml", problems)
        if raw is None:
            break
        _check_header(raw, current, problems)
        chain.append(raw)
        parent = raw.get("extends")
        if parent is not None and parent not in codes:
            problems.append(f"{_where(raw)}extends 指向未知的规则配置“{parent}”")
            break
        current = parent
    return list(reversed(chain))


def _read_file(path: Path, problems: list[str]) -> dict | None:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(f"{path.name}：无法读取（{exc}）")
        return None
    if not isinstance(raw, dict):
        problems.append(f"{path.name}：内容须为键值表")
        return None
    raw["_file"] = path.name
    return raw


def _check_header(raw: dict, code: str, problems: list[str]) -> None:
    for key, label in (("code", "代码"), ("name", "名称"), ("version", "版本")):
        if not isinstance(raw.get(key), (str, int, float)) or str(raw.get(key)).strip() == "":
            problems.append(f"{_where(raw)}缺少{label}（{key}）")
    if raw.get("code") is not None and str(raw["code"]) != code:
        problems.append(f"{_where(raw)}代码“{raw['code']}”与文件名“{code}”不一致")


def _read_params(raw: dict, problems: list[str], bad: set[str]) -> dict[str, Param]:
    """The file's valid parameters; names with an error go to ``bad`` (not reported missing)."""
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        problems.append(f"{_where(raw)}params 须为键值表")
        return {}
    out: dict[str, Param] = {}
    for name, entry in params.items():
        where = f"{_where(raw)}参数 {name}"
        spec = SCHEMA.get(name)
        if spec is None:
            problems.append(f"{where}：未知参数")
            continue
        where = f"{where}（{spec.label}）"
        if not isinstance(entry, dict):
            problems.append(f"{where}：须写成 value 和 source 两项")
            bad.add(name)
            continue
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(f"{where}：缺少法律依据（source）")
        if "value" not in entry or entry["value"] is None:
            problems.append(f"{where}：缺少取值（value）")
            bad.add(name)
            continue
        value, errors = _convert(spec, entry["value"])
        problems.extend(f"{where}：{e}" for e in errors)
        if errors or not isinstance(source, str) or not source.strip():
            bad.add(name)
        else:
            out[name] = Param(value, source.strip(), source.strip())
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _convert(spec: ParamSpec, value: Any) -> tuple[Value | None, list[str]]:
    if spec.kind == "int":
        if _is_int(value) and value >= 0:
            return value, []
        return None, [f"须为非负整数，实为“{value}”"]
    if spec.kind == "enum":
        if value in spec.choices:
            return value, []
        return None, [f"须为 {' / '.join(spec.choices)} 之一，实为“{value}”"]
    if not isinstance(value, dict):
        return None, [f"须为键值表，实为“{value}”"]
    if spec.kind == "range":
        return _convert_range(value)
    return _convert_ratio(value)


def _convert_range(value: dict) -> tuple[Range | None, list[str]]:
    errors = [f"未知字段 {k}" for k in value if k not in ("min", "max", "odd")]
    low, high, odd = value.get("min"), value.get("max"), value.get("odd", False)
    if not (_is_int(low) and low >= 0):
        errors.append(f"min 须为非负整数，实为“{low}”")
    if high is not None and not (_is_int(high) and _is_int(low) and high >= low):
        errors.append(f"max 须为不小于 min 的整数或留空，实为“{high}”")
    if not isinstance(odd, bool):
        errors.append(f"odd 须为 true 或 false，实为“{odd}”")
    return (None, errors) if errors else (Range(low, high, odd), [])


def _convert_ratio(value: dict) -> tuple[Ratio | None, list[str]]:
    errors = [f"未知字段 {k}" for k in value if k not in ("num", "den", "op", "rounding")]
    num, den, op, rounding = value.get("num"), value.get("den"), value.get("op"), value.get("rounding")
    if not (_is_int(num) and num >= 0):
        errors.append(f"num 须为非负整数，实为“{num}”")
    if not (_is_int(den) and den > 0):
        errors.append(f"den 须为正整数，实为“{den}”")
    if op not in RATIO_OPS:
        errors.append(f"op 须为 \">\" 或 \">=\"，实为“{op}”")
    if rounding is not None and rounding not in ROUNDINGS:
        errors.append(f"rounding 须为 ceil 或 floor，实为“{rounding}”")
    return (None, errors) if errors else (Ratio(num, den, op, rounding), [])


def _where(raw: dict) -> str:
    return f"{raw.get('_file', '?')}："
