"""One fact value against its declared type: normalised, or a Chinese reason it is wrong.

Dates are also accepted as 2026/9/18 or 2026年9月18日 and echoed back as 2026-09-18; 是/否
are yes/no; a Chinese numeral (四十五) is refused saying so; a 身份证号 is checked with its check
digit and birth date (python-stdnum). Messages never repeat a 身份证号 in full.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from huanjie.steps.facts.spec import FactSpec

MAX_COUNT = 10_000_000     # no count of a village election comes near this
MAX_TEXT = 2_000           # characters of one text fact
_DATE = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?$")
_CN_NUMERAL = re.compile(r"^[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+$")
_TRUE = {"true", "是", "yes", "y", "1", "有", "√"}
_FALSE = {"false", "否", "no", "n", "0", "无", "×"}
_FULLWIDTH = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF0B: ord("+"), 0xFF0D: ord("-")}
_SPLIT = re.compile(r"[、，,;；\n]+")


class Bad(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def coerce(spec: FactSpec, value: Any, today: dt.date) -> tuple[Any, str | None]:
    """The normalised value and a note when it was rewritten (shown to the clerk)."""
    if spec.map:
        if not isinstance(value, dict) or not value:
            raise Bad("须为键值表（如 主任: 1）")
        out, notes = {}, []
        for k, v in value.items():
            inner = FactSpec(spec.key, spec.label, spec.type, many=spec.many, choices=spec.choices,
                             aliases=spec.aliases, ref=spec.ref)
            out[str(k).strip()], note = coerce(inner, v, today)
            if note:
                notes.append(f"{k}：{note}")
        return out, "；".join(notes) or None
    if spec.many:
        note = None
        if isinstance(value, str):
            parts = [p.strip() for p in _SPLIT.split(value) if p.strip()]
            note = f"已拆分为 {len(parts)} 项" if len(parts) > 1 else None
            value = parts
        if not isinstance(value, list):
            raise Bad("须为列表")
        one = FactSpec(spec.key, spec.label, spec.type, choices=spec.choices, aliases=spec.aliases, ref=spec.ref)
        out = []
        for i, v in enumerate(value):
            try:
                out.append(coerce(one, v, today)[0])
            except Bad as bad:
                raise Bad(f"第 {i + 1} 项{bad.message}") from None
        return out, note
    return SCALARS[spec.type](spec, value, today)


def _integer(spec, value, today):
    if isinstance(value, bool):
        raise Bad(f"须为非负整数，实为“{'是' if value else '否'}”")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        folded = text.translate(_FULLWIDTH)
        if _CN_NUMERAL.match(text):
            raise Bad(f"“{text}”是中文数字，请用阿拉伯数字填写（如 45）")
        if not re.fullmatch(r"[+-]?[0-9]+", folded):
            raise Bad(f"须为非负整数（阿拉伯数字），实为“{_short(text)}”")
        if len(folded.lstrip("+-")) > 12:
            raise Bad(f"数值过大（不超过 {MAX_COUNT}）")
        value = int(folded)
        note = f"已按 {value} 记录（原为“{text}”）" if folded != text else None
    elif isinstance(value, int):
        note = None
    else:
        raise Bad(f"须为非负整数，实为“{_short(value)}”")
    if value < 0:
        raise Bad(f"须为非负整数，实为 {value}")
    if value > MAX_COUNT:
        raise Bad(f"数值过大（不超过 {MAX_COUNT}）")
    return value, note


def parse_date(value: Any) -> tuple[dt.date, bool]:
    """(date, rewritten): accepts date objects, 2026-09-18, 2026/9/18, 2026.9.18 and 2026年9月18日."""
    if isinstance(value, dt.datetime):
        return value.date(), True
    if isinstance(value, dt.date):
        return value, False
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = _DATE.match(text)
    if not m:
        raise Bad(f"须为日期（如 2026-09-18 或 2026年9月18日），实为“{_short(value)}”")
    y, mo, d = (int(g) for g in m.groups())
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        raise Bad(f"{y}年{mo}月{d}日不是存在的日期") from None
    if not 1900 <= y <= 2100:
        raise Bad(f"年份 {y} 不在合理范围内")
    return day, day.isoformat() != str(value).strip()


def _date(spec, value, today):
    day, rewritten = parse_date(value)
    return day.isoformat(), (f"已按 {day.isoformat()} 记录（原为“{value}”）" if rewritten else None)


def _bool(spec, value, today):
    if isinstance(value, bool):
        return value, None
    text = str(value).strip().lower()
    if text in _TRUE:
        return True, None
    if text in _FALSE:
        return False, None
    raise Bad(f"须为“是”或“否”，实为“{_short(value)}”")


def _text(spec, value, today):
    if isinstance(value, bool) or isinstance(value, (dict, list)) or value is None:
        raise Bad("须为文字")
    text = str(value).strip()
    if not text:
        raise Bad("不能为空")
    if len(text) > MAX_TEXT:
        raise Bad(f"过长（{len(text)} 字，不超过 {MAX_TEXT} 字）")
    return text, None


def _choice(spec, value, today):
    text = str(value).strip()
    for key in spec.choices:
        if str(key) == text:
            return key, None
    if text in spec.aliases:
        key = spec.aliases[text]
        return key, f"已按选项 {key}“{spec.choices[key]}”记录"
    listed = "、".join(f"{k} {v}" if str(k) != v else str(k) for k, v in list(spec.choices.items())[:12])
    more = " 等" if len(spec.choices) > 12 else ""
    raise Bad(f"“{_short(value)}”不是可选值；可选：{listed}{more}")


def _id_number(spec, value, today):
    from huanjie.documents.identity import id_problem, mask_id

    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Bad("须为 18 位身份证号")
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "").upper()
    problem = id_problem(text, today, field=spec.key)
    if problem:
        raise Bad(problem.message.replace(f"身份证号“{text}”", f"身份证号“{mask_id(text)}”").replace(text, mask_id(text)))
    return text, None


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:30] + "…"


SCALARS = {"integer": _integer, "date": _date, "bool": _bool, "text": _text, "ref": _text, "choice": _choice,
           "id_number": _id_number}
