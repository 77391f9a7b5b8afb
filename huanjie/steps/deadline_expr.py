"""Deadline expressions of the step catalogue: a tiny grammar parsed into a typed AST (no eval).

    expr  := op "(" ref "," days ")"      op: before | after | period | workdays
           | "on" "(" ref ")"
    ref   := ANCHOR (D_P, D_V) | STEP (V3.2) | expr
    days  := INT (a plan offset) | PARAM (a rule-profile parameter name)

Meaning (evaluated by the planner, not here):
- ``before(R, n)``   latest date R − n (backward; no rest-day extension, domain.md §2.1);
- ``after(R, n)``    R + n calendar days (plan offsets);
- ``period(R, n)``   民法典 forward period of n days from R (rest-day extension applies);
- ``workdays(R, n)`` n working days after R;
- ``on(R)``          the day R itself.
A step reference means the date that step was done, or its due date while it is open.
``str(expr)`` prints the canonical form, and ``parse(str(expr)) == expr``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

ANCHOR_RE = re.compile(r"D_[A-Z]+")
STEP_RE = re.compile(r"[A-Z][0-9]+\.[0-9]+")
PARAM_RE = re.compile(r"[a-z][a-z0-9_]*")
INT_RE = re.compile(r"[0-9]+")
_TOKEN_RE = re.compile(r"\s*(?:(?P<word>[A-Za-z_][A-Za-z0-9_.]*)|(?P<int>-?[0-9]+)|(?P<punct>[(),])|(?P<bad>\S))")


class DeadlineSyntaxError(ValueError):
    """An expression that does not parse; ``message`` is Chinese and names the position."""

    def __init__(self, text: str, position: int, problem: str) -> None:
        self.text, self.position, self.problem = text, position, problem
        self.message = f"期限表达式“{text}”第 {position + 1} 个字符处：{problem}"
        super().__init__(self.message)


@dataclass(frozen=True)
class Anchor:
    name: str  # D_P (党员大会日) or D_V (村委会选举日)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class StepRef:
    key: str

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class Literal:
    """A number of days written in the catalogue: only for plan offsets."""

    value: int

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class Param:
    """A number of days taken from the rule profile."""

    name: str

    def __str__(self) -> str:
        return self.name


Days = Union[Literal, Param]


class _Node:
    """Common walks over an expression tree."""

    def children(self) -> tuple:
        raise NotImplementedError

    def refs(self) -> tuple[str, ...]:
        """Anchors and step keys used, in order of first appearance."""
        return _unique(self._walk((Anchor, StepRef)))

    def anchors(self) -> tuple[str, ...]:
        return _unique(self._walk((Anchor,)))

    def step_refs(self) -> tuple[str, ...]:
        return _unique(self._walk((StepRef,)))

    def params(self) -> tuple[str, ...]:
        """Rule-profile parameter names used, in order of first appearance."""
        return _unique(self._walk((Param,)))

    def literals(self) -> tuple[int, ...]:
        """Day counts written as numbers (plan offsets)."""
        return tuple(n.value for n in self._walk_nodes() if isinstance(n, Literal))

    def _walk(self, kinds: tuple[type, ...]) -> list[str]:
        return [str(n) for n in self._walk_nodes() if isinstance(n, kinds)]

    def _walk_nodes(self):
        for child in self.children():
            yield child
            if isinstance(child, _Node):
                yield from child._walk_nodes()


@dataclass(frozen=True)
class On(_Node):
    ref: Ref

    def children(self) -> tuple:
        return (self.ref,)

    def __str__(self) -> str:
        return f"on({self.ref})"


@dataclass(frozen=True)
class _Shift(_Node):
    ref: Ref
    days: Days
    op = ""

    def children(self) -> tuple:
        return (self.ref, self.days)

    def __str__(self) -> str:
        return f"{self.op}({self.ref}, {self.days})"


class Before(_Shift):
    op = "before"


class After(_Shift):
    op = "after"


class Period(_Shift):
    op = "period"


class Workdays(_Shift):
    op = "workdays"


Expr = Union[On, Before, After, Period, Workdays]
Ref = Union[Anchor, StepRef, Expr]
SHIFTS: dict[str, type[_Shift]] = {cls.op: cls for cls in (Before, After, Period, Workdays)}
OPERATORS = ("before", "after", "period", "workdays", "on")


def parse(text: str) -> Expr:
    """Parse one deadline expression; raise DeadlineSyntaxError with a Chinese message."""
    if not isinstance(text, str):
        raise DeadlineSyntaxError(str(text), 0, "期限须为字符串表达式，如 before(D_V, voter_list_publish_days_before)")
    parser = _Parser(text)
    expr = parser.expr()
    parser.end()
    return expr


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN_RE.match(text, pos)
            if m is None:  # only trailing whitespace is left
                break
            kind = m.lastgroup
            start = m.start(kind)
            if kind == "bad":
                raise DeadlineSyntaxError(text, start, f"无法识别的字符“{m.group(kind)}”")
            self.tokens.append((kind, m.group(kind), start))
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        if self.i < len(self.tokens):
            return self.tokens[self.i]
        return ("end", "", len(self.text))

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        self.i += 1
        return token

    def fail(self, problem: str, token: tuple[str, str, int] | None = None):
        raise DeadlineSyntaxError(self.text, (token or self.peek())[2], problem)

    def expect(self, punct: str, problem: str) -> None:
        kind, value, _ = self.peek()
        if (kind, value) != ("punct", punct):
            self.fail(problem)
        self.take()

    def end(self) -> None:
        if self.peek()[0] != "end":
            self.fail(f"表达式已结束，多余的“{self.peek()[1]}”")

    def expr(self) -> Expr:
        kind, word, _ = token = self.take()
        if kind == "end":
            self.fail("期限表达式为空，应为 before/after/period/workdays/on(…)", token)
        if kind != "word" or word not in OPERATORS:
            self.fail(f"未知的期限函数“{word}”，应为 {'/'.join(OPERATORS)}", token)
        self.expect("(", f"{word} 之后应为“(”")
        ref = self.ref()
        if word == "on":
            self.expect(")", "on(…) 只有一个参数，应在此以“)”结束")
            return On(ref)
        self.expect(",", f"{word}(…) 需要两个参数：引用日期和天数，缺少“,”")
        days = self.days()
        self.expect(")", f"{word}(…) 只有两个参数，应在此以“)”结束")
        return SHIFTS[word](ref, days)

    def ref(self) -> Ref:
        kind, word, _ = token = self.peek()
        if kind == "word" and word in OPERATORS:
            return self.expr()
        self.take()
        if kind == "word" and ANCHOR_RE.fullmatch(word):
            return Anchor(word)
        if kind == "word" and STEP_RE.fullmatch(word):
            return StepRef(word)
        self.fail(f"“{word or '（空）'}”不是合法的引用日期，应为锚点（如 D_V）、步骤编号（如 V3.2）或嵌套表达式", token)

    def days(self) -> Days:
        kind, word, _ = token = self.take()
        if kind == "int":
            if word.startswith("-"):
                self.fail(f"天数不能为负数（{word}）；向前推算请用 before(…)", token)
            return Literal(int(word))
        if kind == "word" and PARAM_RE.fullmatch(word) and word not in OPERATORS:
            return Param(word)
        self.fail(f"“{word or '（空）'}”不是合法的天数，应为整数或规则参数名（如 voter_list_publish_days_before）",
                  token)


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
