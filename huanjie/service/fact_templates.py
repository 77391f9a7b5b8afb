"""Fillable files for a step's facts: YAML with Chinese comments, CSV for one list, Excel for
the whole step (a sheet of single facts, a sheet per list, a sheet of allowed values)."""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml

from huanjie.errors import InvalidInput, Problem
from huanjie.steps.facts.spec import FactSpec, StepFacts

FACT_SHEET = "事实"
HELP_SHEET = "说明"


def describe(f: FactSpec) -> str:
    need = "必填" if f.required else "选填"
    parts = [f"{f.label}（{f.type_label()}，{need}）"]
    if f.help:
        help_text = f.help.removeprefix(f.label)
        parts.append(help_text.strip("（）") if help_text.startswith("（") and help_text.endswith("）") else help_text)
    if f.choices:
        parts.append("可选：" + "、".join(f"{k}={v}" if str(k) != v else v for k, v in f.choices.items()))
    if f.ref:
        parts.append(f"须为{_named(f.ref)}中的人")
    if f.same_as:
        counted = f.same_as.startswith("count(")
        target = f.same_as.removeprefix("count(").removesuffix(")")
        parts.append(f"须与{_named(target)}{'的人数' if counted else ''}一致")
    return "；".join(parts)


def _named(dotted: str) -> str:
    from huanjie.steps.catalogue import load_catalogue

    step, _, key = dotted.rpartition(".")
    try:
        fact = load_catalogue().facts(step).get(key)
    except KeyError:
        fact = None
    return f"步骤 {step} 的“{fact.label if fact else key}”"


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip().removesuffix("...").strip()


def yaml_template(schema: StepFacts, title: str) -> str:
    lines = [f"# {title}：填写各项后用 huanjie record {schema.step} --village 村代码 --file 本文件 填报",
             "# 日期写作 2026-09-18 或 2026年9月18日；是/否 写 是 或 否；人数用阿拉伯数字。", ""]
    for f in schema.facts:
        lines.append(f"# {describe(f)}")
        if f.is_list:
            for c in f.columns:
                lines.append(f"#   {c.key}: {describe(c)}")
                for i in c.columns:
                    lines.append(f"#     {i.key}: {describe(i)}")
            if nested_note(f):
                lines.append(f"#   用 CSV/Excel 填写时，{nested_note(f)}")
            lines.append(f"{f.key}:")
            for row in f.example_value():
                first = True
                for k, v in row.items():
                    if v == [{}]:
                        continue  # a nested list without examples: its columns are described above
                    lines.append(f"  {'- ' if first else '  '}{k}: {_dump(v)}")
                    first = False
        else:
            value = f.example_value()
            lines.append(f"{f.key}: {_dump(value) if value is not None else ''}")
        lines.append("")
    return "\n".join(lines)


def list_fact(schema: StepFacts, field: str | None) -> FactSpec:
    lists = [f for f in schema.facts if f.is_list]
    if field is None:
        required = [f for f in lists if f.required]
        if len(lists) == 1 or len(required) == 1:
            return (required or lists)[0]
        raise InvalidInput(f"步骤 {schema.step} 有 {len(lists)} 个名单，请用 --field 指定",
                           [Problem("可选：" + ("、".join(f"{f.key}（{f.label}）" for f in lists) or "无"), field="field")])
    spec = schema.get(field)
    if spec is None or not spec.is_list:
        raise InvalidInput(f"“{field}”不是步骤 {schema.step} 的名单",
                           [Problem("可选：" + ("、".join(f"{f.key}（{f.label}）" for f in lists) or "无"), field="field")])
    return spec


NESTED_GROUPS = 2  # numbered column groups a template shows for a nested list (more may be added)


def _flat(spec: FactSpec) -> list[FactSpec]:
    """Columns a table cell can hold (a nested list such as 近亲属 gets numbered groups: _headers)."""
    return [c for c in spec.columns if not c.is_list]


def _headers(spec: FactSpec) -> list[tuple[str, str | None, str | None, str]]:
    """The template's table headers: (header, column, nested column, description). A nested list
    such as 近亲属 becomes groups 近亲属1姓名、近亲属1关系、近亲属1身份证号、近亲属2姓名… (fact_files reads them)."""
    out = [(c.label, c.key, None, describe(c)) for c in _flat(spec)]
    for c in spec.columns:
        if c.is_list:
            for n in range(1, NESTED_GROUPS + 1):
                out += [(f"{c.label}{n}{i.label}", c.key, i.key, f"第 {n} 位{c.label}的{describe(i)}")
                        for i in c.columns]
    return out


def nested_note(spec: FactSpec) -> str | None:
    """How a table gives a list inside each entry (近亲属), in a sentence; None when it has none."""
    nested = [c for c in spec.columns if c.is_list]
    if not nested:
        return None
    parts = []
    for c in nested:
        cols = "、".join(f"{c.label}1{i.label}" for i in c.columns)
        parts.append(f"{c.label}：每位一组列（{cols}），第 2 位写 {c.label}2{c.columns[0].label}…，"
                     f"人多时照样加列，没有可留空")
    return "；".join(parts)


def _example_cells(spec: FactSpec) -> list[Any]:
    example = spec.example_value()[0]
    cells = []
    for _, key, inner, _ in _headers(spec):
        value = example.get(key) if inner is None else None
        cells.append(_cell(value) if value is not None else "")
    return cells


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "、".join(f"{k}:{_cell(v)}" for k, v in value.items())
    return value


def csv_template(schema: StepFacts, field: str | None) -> str:
    spec = list_fact(schema, field)
    out = io.StringIO()
    out.write(f"# {schema.step} {spec.label}：首行为表头，示例行请替换；用 huanjie record {schema.step} "
              f"--village 村代码 --file 本文件 --field {spec.key} 填报\n")
    note = nested_note(spec)
    if note:
        out.write(f"# {note}\n")
    writer = csv.writer(out)
    writer.writerow([h for h, *_ in _headers(spec)])
    writer.writerow(_example_cells(spec))
    return out.getvalue()


def xlsx_template(schema: StepFacts, title: str) -> bytes:
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = FACT_SHEET
    sheet.append(["事实编号", "事实", "填写", "说明"])
    for f in schema.facts:
        if f.is_list:
            continue
        value = f.example_value()
        sheet.append([f.key, f.label, _cell(value) if value is not None else None, describe(f)])
    for f in schema.facts:
        if not f.is_list:
            continue
        ws = book.create_sheet(_sheet_name(f))
        headers = _headers(f)
        ws.append([h for h, *_ in headers])
        for i, (_, _, _, text) in enumerate(headers, start=1):
            ws.cell(row=1, column=i).comment = Comment(text, "huanjie")
        ws.append([None if cell == "" else cell for cell in _example_cells(f)])
    help_sheet = book.create_sheet(HELP_SHEET)
    help_sheet.append([title])
    help_sheet.append(["“事实”表逐项填写“填写”列；每个名单一张表，首行为表头，示例行请替换或删除。"])
    for f in schema.facts:
        if f.is_list and nested_note(f):
            help_sheet.append([f"“{_sheet_name(f)}”表的{nested_note(f)}。"])
    help_sheet.append([f"填好后：huanjie record {schema.step} --village 村代码 --file 本文件"])
    for row in (sheet, *[book[_sheet_name(f)] for f in schema.facts if f.is_list]):
        for cell in row[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(f: FactSpec) -> str:
    name = f.label
    for ch in "[]:*?/\\":
        name = name.replace(ch, "")
    return name[:31]


def read_step_xlsx(path, schema: StepFacts) -> dict[str, Any]:
    """A whole-step workbook written by ``xlsx_template`` (and filled in) back into facts."""
    import openpyxl

    from huanjie.service.fact_files import _cell as cell_text, _table

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001
        raise InvalidInput(f"文件 {path.name} 不是有效的 Excel（.xlsx）文件", [Problem("请用 Excel 或 WPS 另存为 .xlsx", field="file")]) from None
    facts: dict[str, Any] = {}
    lines: dict[str, int] = {}
    if FACT_SHEET in book.sheetnames:
        for line, row in enumerate(book[FACT_SHEET].iter_rows(min_row=2, values_only=True), start=2):
            if not row or row[0] in (None, ""):
                continue
            key, value = str(row[0]).strip(), row[2] if len(row) > 2 else None
            if value in (None, ""):
                continue
            spec = schema.get(key)
            text = cell_text(value)
            if spec is not None and spec.map and isinstance(text, str):
                text = _map_cell(text)
            facts[key] = text
            lines[key] = line
    for f in schema.facts:
        if not f.is_list or _sheet_name(f) not in book.sheetnames:
            continue
        ws = book[_sheet_name(f)]
        rows = ws.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in (next(rows, None) or ())]
        table = []
        for line, cells in enumerate(rows, start=2):
            if any(c not in (None, "") for c in cells):
                table.append((line, {header[i]: cell_text(c) for i, c in enumerate(cells) if i < len(header) and header[i]}))
        got = _table(f.key, table, path.name, schema)
        facts.update(got.facts)
        lines.update(got.lines)
    book.close()
    return facts, lines


def _map_cell(text: str) -> dict[str, str]:
    out = {}
    for part in text.replace("，", "、").replace(",", "、").split("、"):
        k, sep, v = part.replace("：", ":").partition(":")
        if sep:
            out[k.strip()] = v.strip()
    return out or text
