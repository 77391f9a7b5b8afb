"""Reading the county's village list (CSV): every row checked, every problem reported."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from huanjie.errors import InvalidInput, Problem

# English header -> Chinese header accepted in its place, and the label used in messages
COLUMNS = {
    "code": ("村代码", "村代码"),
    "name": ("村名", "村名"),
    "township": ("乡镇", "乡镇"),
    "households": ("户数", "户数"),
    "groups": ("村民小组数", "村民小组数"),
}
CODE_PATTERN = re.compile(r"^[0-9A-Za-z-]{1,40}$")


@dataclass(frozen=True)
class VillageRow:
    line: int
    code: str
    name: str
    township: str
    households: int
    groups: int


def read_village_csv(path: Path) -> list[VillageRow]:
    text = _decode(path)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput(f"文件 {path.name} 为空", [Problem("缺少表头行", line=1)]) from None
    index = _header_index(header)
    rows: list[VillageRow] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row, row_problems = _parse_row(line, cells, index)
        problems.extend(row_problems)
        if row is None:
            continue
        if row.code in seen:
            problems.append(
                Problem(f"村代码 {row.code} 与第 {seen[row.code]} 行重复", field="code", line=line)
            )
            continue
        seen[row.code] = line
        rows.append(row)
    if problems:
        raise InvalidInput(f"文件 {path.name} 有 {len(problems)} 处错误，未导入任何村", problems)
    if not rows:
        raise InvalidInput(f"文件 {path.name} 没有村的数据", [Problem("表头之后没有数据行", line=2)])
    return rows


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel exports either
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(f"文件 {path.name} 既不是 UTF-8 也不是 GB18030 编码")


def _header_index(header: list[str]) -> dict[str, int]:
    names = [h.strip() for h in header]
    index: dict[str, int] = {}
    missing = []
    for key, (zh, _label) in COLUMNS.items():
        for candidate in (key, zh):
            if candidate in names:
                index[key] = names.index(candidate)
                break
        else:
            missing.append(f"{key}（{zh}）")
    if missing:
        raise InvalidInput(
            "表头缺少列：" + "、".join(missing),
            [Problem("表头须为 code,name,township,households,groups 或 村代码,村名,乡镇,户数,村民小组数", line=1)],
        )
    return index


def _parse_row(line: int, cells: list[str], index: dict[str, int]) -> tuple[VillageRow | None, list[Problem]]:
    def cell(key: str) -> str:
        i = index[key]
        return cells[i].strip() if i < len(cells) else ""

    problems: list[Problem] = []
    code, name, township = cell("code"), cell("name"), cell("township")
    if not code:
        problems.append(Problem("村代码为空", field="code", line=line))
    elif not CODE_PATTERN.match(code):
        problems.append(
            Problem(f"村代码“{code}”只能由数字、字母和连字符组成（最多 40 位）", field="code", line=line)
        )
    if not name:
        problems.append(Problem("村名为空", field="name", line=line))
    elif len(name) > 100:
        problems.append(Problem("村名超过 100 个字", field="name", line=line))
    if not township:
        problems.append(Problem("乡镇为空", field="township", line=line))
    households = _positive_int(cell("households"), "户数", "households", line, problems, minimum=1)
    groups = _positive_int(cell("groups"), "村民小组数", "groups", line, problems, minimum=1)
    if problems:
        return None, problems
    return VillageRow(line, code, name, township, households, groups), []


def _positive_int(raw: str, label: str, field: str, line: int, problems: list[Problem], *, minimum: int) -> int:
    if not re.fullmatch(r"\d+", raw):
        problems.append(Problem(f"{label}“{raw}”不是整数", field=field, line=line))
        return 0
    value = int(raw)
    if value < minimum:
        problems.append(Problem(f"{label}须不少于 {minimum}，实为 {value}", field=field, line=line))
    return value
