"""时间表: a Gantt chart of all steps, one village or a whole campaign.

Each row is a step; its bar runs from the latest due date of the steps it requires (when it
can start) to its own due date. A village's row shows the done date (a diamond, red when
late) and turns red when the step is overdue; a campaign's row shows how many villages
are done and how many are overdue. A vertical line marks today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from huanjie.charts.svg import Svg

LEFT, TOP, ROW, RIGHT = 300, 70, 22, 160
COLORS = {"done": "#4caf50", "skipped": "#bdbdbd", "open": "#5b9bd5", "overdue": "#d32f2f", "late": "#d32f2f"}


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    stage: str
    start: dt.date
    due: dt.date
    status: str                # done | skipped | open | overdue
    done_on: dt.date | None = None
    late: bool = False
    note: str = ""             # e.g. "12/263 完成，3 逾期"


def step_rows(catalogue, due: dict[str, dt.date], row) -> list[Row]:
    """Rows in catalogue order; ``row(spec, start)`` makes one from a step and its start date."""
    rows = []
    for spec in catalogue.steps():
        required = [due[r] for r in spec.requires if r in due]
        start = min(max(required), due[spec.key]) if required else due[spec.key] - dt.timedelta(days=7)
        rows.append(row(spec, start))
    return rows


def render_timeline(title: str, rows: list[Row], today: dt.date) -> str:
    first = min(min(r.start for r in rows), today) - dt.timedelta(days=3)
    last = max(max(max(r.due, r.done_on or r.due) for r in rows), today) + dt.timedelta(days=3)
    days = (last - first).days
    scale = max(6.0, min(14.0, 900 / days))
    width = int(LEFT + days * scale + RIGHT)
    height = TOP + ROW * len(rows) + 50
    svg = Svg(width, height)
    svg.title(title)
    svg.text(12, 28, title, size=18, font_weight="bold")

    def x(day: dt.date) -> float:
        return LEFT + (day - first).days * scale

    _axis(svg, first, last, x, height)
    stage = None
    for i, r in enumerate(rows):
        y = TOP + i * ROW
        if r.stage != stage:
            stage = r.stage
            svg.line(12, y, width - 12, y, stroke="#9e9e9e", stroke_width=0.6)
        if i % 2:
            svg.rect(12, y, width - 24, ROW, fill="#f7f7f7")
        color = COLORS["overdue" if r.status == "overdue" else r.status]
        label_color = "#d32f2f" if r.status == "overdue" or r.late else "#212121"
        svg.text(16, y + 15, f"{r.key} {r.name[:18]}", size=11, fill=label_color)
        svg.rect(x(r.start), y + 5, x(r.due) - x(r.start) + scale, ROW - 10, fill=color, rx=2,
                 fill_opacity=0.85 if r.status != "skipped" else 0.5)
        svg.text(x(r.due) + scale + 4, y + 15, f"{r.due.month}/{r.due.day}", size=9, fill="#616161")
        if r.done_on:
            cx, cy = x(r.done_on) + scale / 2, y + ROW / 2
            svg.path(f"M {cx:.1f} {cy - 6:.1f} L {cx + 6:.1f} {cy:.1f} L {cx:.1f} {cy + 6:.1f} "
                     f"L {cx - 6:.1f} {cy:.1f} Z", fill=COLORS["late"] if r.late else "#1b5e20", stroke="#ffffff")
        if r.note:
            svg.text(width - RIGHT + 40, y + 15, r.note, size=10, fill=label_color)
    tx = x(today) + scale / 2
    svg.line(tx, TOP - 14, tx, height - 40, stroke="#ff6f00", stroke_width=2, stroke_dasharray="5,3")
    svg.text(tx + 4, TOP - 16, f"今天 {today.isoformat()}", size=11, fill="#ff6f00", font_weight="bold")
    _legend(svg, height - 18)
    return svg.render()


def _axis(svg: Svg, first: dt.date, last: dt.date, x, height: int) -> None:
    day = first
    while day <= last:
        if day.day == 1 or day == first:
            svg.line(x(day), TOP - 8, x(day), height - 40, stroke="#bdbdbd", stroke_width=0.8)
            svg.text(x(day) + 2, TOP - 26, f"{day.year}年{day.month}月", size=11, fill="#424242")
        if day.weekday() == 0:
            svg.line(x(day), TOP - 4, x(day), height - 40, stroke="#eeeeee", stroke_width=0.5)
            svg.text(x(day) + 1, TOP - 6, str(day.day), size=9, fill="#9e9e9e")
        day += dt.timedelta(days=1)


def _legend(svg: Svg, y: int) -> None:
    x = 16
    for label, color in (("已完成", COLORS["done"]), ("未完成", COLORS["open"]), ("逾期", COLORS["overdue"]),
                         ("已跳过", COLORS["skipped"])):
        svg.rect(x, y - 10, 16, 10, fill=color)
        svg.text(x + 20, y, label, size=11)
        x += 80
    svg.text(x, y, "◆ 完成日（红色为逾期完成）　橙色虚线：今天", size=11)
