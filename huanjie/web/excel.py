"""The board as an Excel workbook (openpyxl): one row per village, one column per stage."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from huanjie.service.views import RISK_LABELS, STAGE_STATE_LABELS, STATE_LABELS
from huanjie.web.deps import plain

FILLS = {"done": "C6EFCE", "current": "FFEB9C", "todo": "FFFFFF",
         "green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}


def _cell(value) -> str:
    text = plain(value)
    # a cell starting with = + - @ would be a formula in Excel: keep it text
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def board_workbook(view) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "作战图"
    title = f"{view.campaign.name}（{view.campaign.code}）作战图" if view.campaign else "作战图"
    ws.append([_cell(title)])
    ws["A1"].font = Font(bold=True, size=14)
    header = ["乡镇", "村代码", "村名", "状态", "风险", "当前阶段"] + [f"{k} {n}" for k, n, _ in view.stages] + ["待审批", "逾期步骤"]
    ws.append(header)
    for c in ws[2]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="center")
    for r in view.rows:
        row = [_cell(r.township), _cell(r.code), _cell(r.name), STATE_LABELS.get(r.state, r.state),
               RISK_LABELS.get(r.risk, r.risk), r.stage or "—"]
        row += [STAGE_STATE_LABELS.get(r.stages.get(k, "todo"), "") for k, _, _ in view.stages]
        row += [_cell("；".join(r.waiting_for)), _cell("；".join(f"{o['step']} {o['name']}（期限 {o['due']}）" for o in r.overdue))]
        ws.append(row)
        line = ws.max_row
        ws.cell(line, 5).fill = PatternFill("solid", fgColor=FILLS[r.risk])
        for i, (k, _, _) in enumerate(view.stages):
            ws.cell(line, 7 + i).fill = PatternFill("solid", fgColor=FILLS[r.stages.get(k, "todo")])
    ws.append([])
    ws.append(["各阶段已完成村数", "", "", "", "", ""] + [view.stage_counts[k]["done"] for k, _, _ in view.stages])
    for col, width in zip("ABCDEF", (10, 15, 10, 8, 6, 8)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "D3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_to_csv(data: bytes, filename: str) -> bytes:
    """The first sheet of an Excel file as UTF-8 CSV, for the same row-by-row checks as a CSV upload."""
    import csv

    from openpyxl import load_workbook

    from huanjie.errors import InvalidInput, Problem

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except Exception:
        raise InvalidInput(f"“{filename}”不是有效的 Excel 文件", [Problem("请上传 .xlsx 或 .csv 文件", field="file")]) from None
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")
