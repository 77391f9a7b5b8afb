from __future__ import annotations

from typing import Annotated

import typer

from huanjie.cli.campaign_cmd import _date
from huanjie.cli.common import JsonOpt, command, console, plain, print_json
from huanjie.errors import InvalidInput, Problem

app = typer.Typer(no_args_is_help=True)

KIND_LABELS = {
    "workday": "工作日",
    "weekend": "休息日（周末）",
    "holiday": "法定节假日",
    "makeup_workday": "调休上班日",
    "local_rest": "本地休息日",
}
PROVISIONAL = "（该年度放假安排尚未公布，按周末推算，为暂定结果）"


MAX_DAYS = 3660  # ten years: far beyond any period of the election, within the calendar's reach


def _days(value: int, field: str = "days") -> int:
    if not 0 <= value <= MAX_DAYS:
        shown = str(value) if len(str(value)) <= 20 else str(value)[:20] + "…"
        raise InvalidInput(f"天数 {shown} 超出范围", [Problem(f"须为 0 至 {MAX_DAYS} 之间的整数", field=field)])
    return value


YEARS = range(1949, 2201)


def _day(text: str):
    day = _date(text)
    if day.year not in YEARS:
        raise InvalidInput(f"日期 {day} 超出范围", [Problem(f"年份须在 {YEARS.start}–{YEARS.stop - 1} 之间", field="date")])
    return day


def _show(result, json_out: bool, label: str) -> None:
    if json_out:
        print_json(
            {
                "date": result.date.isoformat(),
                "provisional": result.provisional,
                "warnings": list(result.warnings),
                "proposed": result.proposed.isoformat() if result.proposed else None,
            }
        )
        return
    console.print(f"{plain(label)}：{plain(result.date.isoformat())}" + (PROVISIONAL if result.provisional else ""))
    for warning in result.warnings:
        console.print(f"  提示：{plain(warning)}")


@app.command("workday")
@command
def workday(date: Annotated[str, typer.Argument(help="日期 YYYY-MM-DD")], json_out: JsonOpt = False) -> None:
    """某日是否为工作日。"""
    from huanjie.calendar import load_calendar

    info = load_calendar().day_info(_day(date))
    if json_out:
        print_json(
            {"date": info.date.isoformat(), "workday": info.workday, "kind": info.kind,
             "name": info.name, "provisional": info.provisional}
        )
        return
    kind = KIND_LABELS[info.kind] + (f"，{info.name}" if info.name else "")
    console.print(f"{plain(info.date.isoformat())}：{plain(kind)}" + (PROVISIONAL if info.provisional else ""))


@app.command("add-workdays")
@command
def add_workdays(
    date: Annotated[str, typer.Argument(help="起算日 YYYY-MM-DD（当日不计入）")],
    days: Annotated[int, typer.Argument(help="工作日数")],
    json_out: JsonOpt = False,
) -> None:
    """起算日之后第 N 个工作日。"""
    from huanjie.calendar import load_calendar

    _show(load_calendar().add_workdays(_day(date), _days(days)), json_out, f"{date} 后第 {days} 个工作日")


@app.command("period-end")
@command
def period_end(
    date: Annotated[str, typer.Argument(help="起算日 YYYY-MM-DD（当日不计入）")],
    days: Annotated[int, typer.Argument(help="期间天数")],
    json_out: JsonOpt = False,
) -> None:
    """《民法典》第二百零一条至第二百零三条的期间届满日（末日为法定休假日的顺延）。"""
    from huanjie.calendar import load_calendar

    _show(load_calendar().period_end(_day(date), _days(days)), json_out, f"自 {date} 起 {days} 日的期间届满日")


@app.command("latest-before")
@command
def latest_before(
    date: Annotated[str, typer.Argument(help="事件日 YYYY-MM-DD")],
    days: Annotated[int, typer.Argument(help="“N 日前”的 N")],
    json_out: JsonOpt = False,
) -> None:
    """“事件日 N 日前”的最晚日期（不顺延；落在休息日时提示并建议前一个工作日）。"""
    from huanjie.calendar import load_calendar

    _show(load_calendar().latest_before(_day(date), _days(days)), json_out, f"{date} 的 {days} 日前（最晚）")
