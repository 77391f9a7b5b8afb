"""姓氏笔画 order: names sorted by the stroke count, then the stroke-order sequence, character by character.

The table (data/strokes.txt) gives each character its strokes as digits 1 横 2 竖 3 撇 4 点
5 折; see its header for the source and licence. A name with a character the table lacks
cannot be placed: it is reported for manual ordering, never guessed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from huanjie.errors import InvalidInput, Problem

TABLE = Path(__file__).parent / "data" / "strokes.txt"
IGNORED = "·•．.- "  # the middle dot of minority names, spaces


@functools.cache
def stroke_table() -> dict[str, str]:
    table = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            char, strokes = line.split("\t")
            table[char] = strokes
    return table


def stroke_key(name: str) -> tuple[tuple[int, str], ...] | None:
    """(count, sequence) per character; None when a character is not in the table."""
    table = stroke_table()
    key = []
    for char in name:
        if char in IGNORED:
            continue
        strokes = table.get(char)
        if strokes is None:
            return None
        key.append((len(strokes), strokes))
    return tuple(key)


def unknown_characters(name: str) -> str:
    table = stroke_table()
    return "".join(dict.fromkeys(c for c in name if c not in IGNORED and c not in table))


@dataclass(frozen=True)
class StrokeOrder:
    ordered: tuple[str, ...]  # names the table could place, in 姓氏笔画 order
    manual: tuple[str, ...]   # names with an unknown character: to be placed by hand

    @property
    def complete(self) -> bool:
        return not self.manual


def stroke_order(names: Iterable[str]) -> StrokeOrder:
    placed, manual = [], []
    for name in names:
        key = stroke_key(name)
        (manual if key is None else placed).append((key, name))
    placed.sort(key=lambda kn: (kn[0], kn[1]))
    return StrokeOrder(tuple(n for _, n in placed), tuple(n for _, n in manual))


def by_strokes(names: Sequence[str], *, manual_order: Sequence[str] | None = None, field: str) -> list[str]:
    """Names in 姓氏笔画 order, or in ``manual_order`` when staff fixed it by hand.

    Raises InvalidInput when a name cannot be placed and no manual order covers it.
    """
    if manual_order:
        if sorted(manual_order) != sorted(names):
            raise InvalidInput("人工排列顺序与候选人名单不一致", [Problem(
                f"人工排列顺序（{'、'.join(manual_order)}）须恰好包含全部候选人：{'、'.join(names)}", field=field)])
        return list(manual_order)
    order = stroke_order(names)
    if order.manual:
        raise InvalidInput("有姓名无法按姓氏笔画排列，须人工确定顺序", [Problem(
            f"姓名“{n}”含笔画表未收录的字“{unknown_characters(n)}”，请在 {field}_manual_order 中人工排定全部顺序",
            field=field) for n in order.manual])
    return list(order.ordered)
