"""Reading the county's village list (CSV): every row checked, every problem reported."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from huanjie.errors import InvalidInput, Problem
from huanjie.plain_text import name_problem

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


MAX_BYTES = 20 * 1024 * 1024  # a county lists a few hundred villages: far below this
MAX_INT_DIGITS = 7
LIMITS = {"households": 1_000_000, "groups": 10_000}  # far above any village; guards the store's int4
NAME_LIMITS = {"name": 100, "township": 100}


def read_village_csv(path: Path) -> list[VillageRow]:
    text = _decode(path)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput(f"文件 {path.name} 为空", [Problem("缺少表头行", line=1)]) from None
    except csv.Error as exc:
        raise _csv_error(path, reader, exc) from None
    index = _header_index(header)
    rows: list[VillageRow] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    try:
        for line, cells in enumerate(reader, start=2):
            line = reader.line_num  # a quoted cell may span lines: the line the row ends on
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
    except csv.Error as exc:
        raise _csv_error(path, reader, exc) from None
    if problems:
        raise InvalidInput(f"文件 {path.name} 有 {len(problems)} 处错误，未导入任何村", problems[:200])
    if not rows:
        raise InvalidInput(f"文件 {path.name} 没有村的数据", [Problem("表头之后没有数据行", line=2)])
    return rows


def _csv_error(path: Path, reader, exc: csv.Error) -> InvalidInput:
    line = max(reader.line_num, 1)
    why = "含有空字符（NUL）" if "NUL" in str(exc) else "不是有效的 CSV 格式（引号不成对等）"
    return InvalidInput(f"文件 {path.name} 第 {line} 行{why}，未导入任何村",
                        [Problem("请在 Excel 中另存为 CSV（UTF-8 或 GB18030）后重新导入", line=line)])


def _decode(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InvalidInput(f"文件 {path.name} 过大（{size // 1024 // 1024} MB）",
                               [Problem(f"村名单文件不超过 {MAX_BYTES // 1024 // 1024} MB", field="file")])
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"无法读取文件 {path}（{exc.strerror}）", [Problem("请检查路径", field="file")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("gb18030")  # Excel's "CSV" on a Chinese Windows
    except UnicodeDecodeError:
        line, column = _position(raw[:utf8_error.start].decode("utf-8", "replace"))
        raise InvalidInput(f"文件 {path.name} 既不是 UTF-8 也不是 GB18030 编码",
                           [Problem(f"第 {column} 个字符起的字节无法识别；请在 Excel 中另存为“CSV UTF-8”", line=line)]) from None
    odd = [i for i, ch in enumerate(text) if not ch.isascii() and not _in_gb2312(ch)]
    wide = sum(1 for ch in text if not ch.isascii())
    if odd and 10 * len(odd) > wide:
        # GB18030 decodes almost any bytes: Shift-JIS or Big5 come out as rare characters
        line, column = _position(text[:odd[0]])
        guess = next((name for name, codec in (("Shift-JIS（日文）", "shift_jis"), ("Big5（繁体）", "big5"))
                      if _decodes(raw, codec)), "未知编码")
        raise InvalidInput(f"文件 {path.name} 的编码看起来是 {guess}，不是 UTF-8 或 GB18030：未导入任何村",
                           [Problem(f"第 {column} 个字符“{text[odd[0]]}”是按 GB18030 解读出的乱码；"
                                    "请在 Excel 中另存为“CSV UTF-8”后重新导入", field="file", line=line)])
    return text


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def _decodes(raw: bytes, codec: str) -> bool:
    try:
        raw.decode(codec)
        return True
    except UnicodeDecodeError:
        return False


def _position(before: str) -> tuple[int, int]:
    """(line, column), 1-based, of the character after ``before``."""
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


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
    for key in index:
        i = index[key]
        if i < len(cells) and key in ("name", "township", "code", "households", "groups"):
            problem = name_problem(cells[i].strip(), COLUMNS[key][1], key, limit=NAME_LIMITS.get(key, 10_000),
                                   line=line, column=i + 1)
            if problem:
                problems.append(problem)
    if problems:
        return None, problems
    if not code:
        problems.append(Problem("村代码为空", field="code", line=line))
    elif not CODE_PATTERN.match(code):
        problems.append(
            Problem(f"村代码“{code[:40]}”只能由数字、字母和连字符组成（最多 40 位）", field="code", line=line)
        )
    if not name:
        problems.append(Problem("村名为空", field="name", line=line))
    if not township:
        problems.append(Problem("乡镇为空", field="township", line=line))
    households = _positive_int(cell("households"), "户数", "households", line, problems, minimum=1)
    groups = _positive_int(cell("groups"), "村民小组数", "groups", line, problems, minimum=1)
    if problems:
        return None, problems
    return VillageRow(line, code, name, township, households, groups), []


def _positive_int(raw: str, label: str, field: str, line: int, problems: list[Problem], *, minimum: int) -> int:
    if not re.fullmatch(r"[0-9]+", raw):  # ASCII digits only: "²" or "３" is not a count
        problems.append(Problem(f"{label}“{raw[:20]}”不是整数", field=field, line=line))
        return 0
    if len(raw.lstrip("0")) > MAX_INT_DIGITS or int(raw) > LIMITS[field]:
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        problems.append(Problem(f"{label}“{shown}”过大：须不超过 {LIMITS[field]}", field=field, line=line))
        return 0
    value = int(raw)
    if value < minimum:
        problems.append(Problem(f"{label}须不少于 {minimum}，实为 {value}", field=field, line=line))
    return value
