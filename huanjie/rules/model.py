"""Rule-profile values: integers, enum strings, ratios and ranges, all compared in integers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from huanjie.errors import DataFileError

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """0..99 in Chinese numerals (the fractions of the law: 五分之四, 三分之一)."""
    if not 0 <= n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


class ProfileError(DataFileError):
    """A profile could not be loaded or lacks a parameter; ``problems`` lists every one found."""


@dataclass(frozen=True)
class Ratio:
    """``part / whole`` compared with the fraction ``num/den`` by ``op`` ('>' or '>=')."""

    num: int
    den: int
    op: str
    rounding: str | None = None  # 'ceil' (default) or 'floor', used by min_extra

    def holds(self, part: int, whole: int) -> bool:
        left, right = part * self.den, self.num * whole
        return left > right if self.op == ">" else left >= right

    def min_extra(self, n: int) -> int:
        """``n × num/den`` rounded per ``rounding`` (ceil unless 'floor'), in integers."""
        if self.rounding == "floor":
            return n * self.num // self.den
        return -(-n * self.num // self.den)

    def text(self) -> str:
        return f"{chinese_number(self.den)}分之{chinese_number(self.num)}"

    def requirement(self) -> str:
        """What the law asks: '超过五分之四' or '不少于三分之二'."""
        return f"{'超过' if self.op == '>' else '不少于'}{self.text()}"

    def reached(self) -> str:
        """The word for meeting it, placed before the whole: '超过' / '达到'."""
        return "超过" if self.op == ">" else "达到"

    def shortfall(self) -> str:
        """The word for failing it, placed before the whole: '未超过' / '不足'."""
        return "未超过" if self.op == ">" else "不足"


@dataclass(frozen=True)
class Range:
    min: int
    max: int | None
    odd: bool

    def contains(self, n: int) -> bool:
        if n < self.min or (self.max is not None and n > self.max):
            return False
        return not self.odd or n % 2 == 1

    def text(self) -> str:
        span = f"{self.min} 至 {self.max} 人" if self.max is not None else f"不少于 {self.min} 人"
        return f"{span}且为单数" if self.odd else span


Value = Union[int, str, Ratio, Range]


@dataclass(frozen=True)
class Param:
    value: Value
    source: str  # as shown: the clause, or "national: 《…》（上海市未另行规定）" when inherited
    law: str     # the clause itself, for messages


class RuleProfile:
    """One campaign's rules: every parameter with its value and the clause it comes from."""

    def __init__(self, code: str, name: str, version: str, extends: str | None,
                 entries: dict[str, Param]) -> None:
        self.code, self.name, self.version, self.extends = code, name, version, extends
        self._entries = dict(entries)

    def _entry(self, name: str) -> Param:
        try:
            return self._entries[name]
        except KeyError:
            raise ProfileError(f"规则配置“{self.code}”没有参数 {name}",
                               ["请在配置文件中补充该参数及其法律依据"]) from None

    def __getitem__(self, name: str) -> Value:
        return self._entry(name).value

    def source(self, name: str) -> str:
        return self._entry(name).source

    def cite(self, name: str) -> str:
        """The clause behind a value (without the inheritance note), for user messages."""
        return self._entry(name).law

    def params(self) -> dict[str, tuple[Value, str]]:
        return {k: (p.value, p.source) for k, p in self._entries.items()}

    def __repr__(self) -> str:
        return f"RuleProfile({self.code!r}, version={self.version!r})"
