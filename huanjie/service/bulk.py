"""Bulk entry: one CSV/Excel file with a row per village records the same step for every
village in it — every row checked, all or nothing, each problem with its row."""

from __future__ import annotations

from pathlib import Path

from huanjie.errors import HuanjieError, InvalidInput, Problem
from huanjie.service.context import Context
from huanjie.service.fact_files import csv_rows, decode, read_xlsx_rows
from huanjie.service.facts import step_facts
from huanjie.service.records import RecordResult, record_in
from huanjie.store.db import transaction

VILLAGE_HEADERS = ("村代码", "village", "code")
MAX_ROWS = 5_000


def record_villages(ctx: Context, *, actor_name: str | None, step_key: str, path: Path,
                    campaign_code: str | None = None) -> list[RecordResult]:
    schema = step_facts(step_key)
    rows = _rows(path)
    if not rows:
        raise InvalidInput(f"文件 {path.name} 没有数据行", [Problem("首行为表头（村代码 及各事实），其后每行一个村", field="villages")])
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"文件 {path.name} 超过 {MAX_ROWS} 行", [Problem("请分批填报", field="villages")])
    headers = list(rows[0][1])
    village_header = next((h for h in headers if h in VILLAGE_HEADERS), None)
    problems: list[Problem] = []
    if village_header is None:
        problems.append(Problem(f"缺少“村代码”列（表头为：{'、'.join(headers)}）", field="villages", line=1))
    columns: dict[str, str] = {}
    for h in headers:
        if h == village_header:
            continue
        fact = next((f for f in schema.facts if h in (f.key, f.label)), None)
        if fact is None or fact.is_list:
            known = "、".join(f"{f.label}（{f.key}）" for f in schema.facts if not f.is_list)
            problems.append(Problem(f"表头“{h}”不是步骤 {step_key} 的单项事实；可用：{known}", field="villages", line=1))
        else:
            columns[h] = fact.key
    if problems:
        raise InvalidInput(f"文件 {path.name} 的表头有误，未记录任何村", problems)
    results: list[RecordResult] = []
    seen: dict[str, int] = {}
    with transaction(ctx.engine) as session:
        for line, row in rows:
            code = str(row.get(village_header) or "").strip()
            if not code:
                problems.append(Problem("缺少村代码", field="village", line=line))
                continue
            if code in seen:
                problems.append(Problem(f"村 {code} 与第 {seen[code]} 行重复", field="village", line=line))
                continue
            seen[code] = line
            facts = {key: row[h] for h, key in columns.items() if row.get(h) not in (None, "")}
            try:
                with session.begin_nested():
                    results.append(record_in(session, ctx, actor_name=actor_name, village_code=code, step_key=step_key,
                                             facts=facts, campaign_code=campaign_code))
            except InvalidInput as exc:
                problems.extend(Problem(f"村 {code}：{p.message}", field=p.field, line=line)
                                for p in (exc.problems or [Problem(exc.message)]))
            except HuanjieError as exc:  # not allowed, not found, not in this state: one line says why
                why = "；".join(p.message for p in exc.problems)
                problems.append(Problem(f"村 {code}：{exc.message}" + (f"（{why}）" if why else ""), line=line))
        if problems:
            raise InvalidInput(f"{len({p.line for p in problems})} 行有问题，未记录任何村（全部改正后重新填报）", problems)
    return results


def _rows(path: Path) -> list[tuple[int, dict]]:
    if not path.is_file():
        raise InvalidInput(f"找不到文件 {path}", [Problem("请检查 --villages 路径", field="villages")])
    if path.suffix.lower() == ".xlsx":
        return read_xlsx_rows(path)
    if path.suffix.lower() == ".csv":
        return csv_rows(decode(path.read_bytes(), path.name), path.name)
    raise InvalidInput(f"不支持的文件类型 {path.suffix}", [Problem("批量填报支持 .csv 与 .xlsx", field="villages")])
