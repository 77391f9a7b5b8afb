"""身份证号 (GB 11643-1999): validated with python-stdnum plus a birth-date-not-in-future check; masked on
public notices."""

from __future__ import annotations

import datetime as dt
import functools
import re

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from huanjie.errors import Problem

RULE = "《公民身份号码》（GB 11643-1999）"
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")

def id_problem(number: object, today: dt.date, *, field: str, who: str = "") -> Problem | None:
    """None when ``number`` is a valid 身份证号 whose birth date is not after ``today``.

    Length, digits, check digit and birth date are python-stdnum's (``stdnum.cn.ric``); the
    area code must be one stdnum knows. Unlike ``ric.validate`` this does not require the
    area code to have existed in the birth *year*: a code is given when the card is issued
    (from 1984 on), so a villager born in 1950 in 杭州市上城区 rightly holds 330102…, a code
    created in 1983, which ``ric.validate`` rejects.
    """
    label = f"{who}的身份证号“{number}”" if who else f"身份证号“{number}”"
    if not isinstance(number, str):
        return Problem(f"{label}应为 18 位文字（{RULE}）", field=field)
    compact, flaw, born = _parsed(number)
    if flaw == "length":
        return Problem(f"{label}应为 18 位（{RULE}）", field=field)
    if flaw == "digits":
        return Problem(f"{label}前 17 位应为数字（{RULE}）", field=field)
    if flaw == "check":
        return Problem(f"{label}校验码错误（{RULE}）", field=field)
    if flaw == "birth":
        return Problem(f"{label}的出生日期 {compact[6:14]} 不存在（{RULE}）", field=field)
    if flaw == "area":
        return Problem(f"{label}的地址码 {compact[:6]} 不是行政区划代码（{RULE}）", field=field)
    if born > today:
        return Problem(f"{label}的出生日期 {born.isoformat()} 晚于 {today.isoformat()}，不可能（{RULE}）",
                       field=field)
    return None


@functools.lru_cache(maxsize=65536)
def _parsed(number: str) -> tuple[str, str | None, dt.date | None]:
    """(compact form, the first flaw or None, birth date): a village's lists are checked at
    several steps and in several documents, each number the same way every time."""
    compact = ric.compact(number)
    if len(compact) != 18:
        return compact, "length", None
    if not compact[:17].isdigit():
        return compact, "digits", None
    if compact[-1] != ric.calc_check_digit(compact):
        return compact, "check", None
    try:
        born = ric.get_birth_date(compact)
    except ValidationError:
        return compact, "birth", None
    if not _known_area(compact[:6]):
        return compact, "area", born
    return compact, None, born


@functools.lru_cache(maxsize=4096)
def _known_area(code: str) -> bool:
    from stdnum import numdb

    return any(props.get("county") for _, props in numdb.get("cn/loc").info(code))


def mask_id(number: str) -> str:
    """110105194912310021 → 110105********0021 (area code and the last four shown)."""
    return ID_PATTERN.sub(lambda m: f"{m.group(1)}********{m.group(3)}", number)


@functools.lru_cache(maxsize=65536)
def birth_and_sex(number: str) -> tuple[dt.date, str]:
    """The birth date and sex a valid 身份证号 encodes (17th digit odd = 男)."""
    return ric.get_birth_date(number), "男" if int(number[16]) % 2 else "女"
