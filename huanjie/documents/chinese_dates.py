"""Dates and numbers as official documents print them: 二〇二六年九月二十二日, 第十二届."""

from __future__ import annotations

import datetime as dt

_DIGITS = "〇一二三四五六七八九"
_SMALL = "零一二三四五六七八九"


def chinese_count(n: int) -> str:
    """0..9999 in Chinese numerals for counts and ordinals (十二, 一百零五)."""
    if n < 0 or n > 9999:
        return str(n)
    if n < 10:
        return _SMALL[n]
    out, zero = [], False
    for unit, value in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out.append("零")
            out.append(_SMALL[digit] + unit)
            zero = False
        elif out:
            zero = True
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


def _day_part(n: int) -> str:
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _SMALL[ones]
    return ("" if tens == 1 else _SMALL[tens]) + "十" + (_SMALL[ones] if ones else "")


def chinese_date(day: dt.date | str) -> str:
    """2026-09-22 → 二〇二六年九月二十二日 (the 成文日期 of GB/T 9704)."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    year = "".join(_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{_day_part(day.month)}月{_day_part(day.day)}日"


def numeric_date(day: dt.date | str) -> str:
    """2026-09-22 → 2026年9月22日 (dates inside the body text)."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day.year}年{day.month}月{day.day}日"
