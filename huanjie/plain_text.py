"""Stored text shown as plain text, and names checked for characters that break documents.

A control character (NUL, vertical tab, ESC…), a bidirectional override (U+202E) or a line
or paragraph separator (U+2028/U+2029) in a name silently breaks every document of its
village and, printed raw, lets stored data drive the terminal. Names are refused with them
at import (``control_problems``); whatever is already stored is shown with them replaced
(``clean``).
"""

from __future__ import annotations

import unicodedata

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
_ALLOWED_IN_TEXT = {"\n", "\t"}  # multi-line text (reasons, notes) keeps its line breaks


def is_control(ch: str) -> bool:
    """C0/C1 controls, format characters (bidi overrides, zero-width) and line/paragraph separators."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def clean(value: object, *, one_line: bool = True) -> str:
    """``value`` as text without control characters: each is replaced by U+FFFD.

    ``one_line`` also turns line breaks and tabs into spaces (a table cell, a list line).
    """
    text = str(value)
    out = []
    for ch in text:
        if ch in _ALLOWED_IN_TEXT and not one_line:
            out.append(ch)
        elif ch in ("\r", "\n", "\t"):
            out.append(" " if one_line else "\n" if ch == "\r" else ch)
        elif is_control(ch):
            out.append(REPLACEMENT)
        else:
            out.append(ch)
    return "".join(out)


def describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f"（{name}）" if name else "")


def control_position(text: str) -> tuple[int, str] | None:
    """(1-based column, character) of the first control character in ``text``, or None."""
    for column, ch in enumerate(text, 1):
        if is_control(ch) or ch in "\r\n\t":
            return column, ch
    return None


def name_problem(value: str, label: str, field: str, *, limit: int, line: int | None = None,
                 column: int | None = None):
    """A Problem when ``value`` (a name: of a village, township, county, campaign, user) holds a
    control character or is longer than ``limit``; None when it is fine."""
    from huanjie.errors import Problem

    where = f"第 {column} 列（{label}）" if column else f"“{label}”"
    found = control_position(value)
    if found:
        position, ch = found
        return Problem(f"{where}第 {position} 个字符是不可见的控制字符 {describe_char(ch)}：名称中不能含有控制字符、"
                       f"换行或方向控制符（它们会使文书显示错乱），请删去后重新导入", field=field, line=line)
    if len(value) > limit:
        return Problem(f"{where}为 {len(value)} 个字，超过 {limit} 个字", field=field, line=line)
    return None
