"""Plan + launch N villages on SQLite and on PostgreSQL, each beside that store's bulk insert rate
measured in the same run (issue 13). Not part of the pass/fail: prints one table, writes JSON.

    .venv/bin/python -m bench.bench_launch [--villages 300 3000 20000] [--stores sqlite postgresql]

Per store and N: a fresh database; the villages imported (``save_villages``, 40 townships);
then timed: ``launch --all`` (the plan of the campaign, both cases of every village, every
step's deadline, one audit event per case: one transaction). Baseline: the rows launch wrote
(cases + step states + events), inserted as plain rows of a similar width into a scratch table
of the same database in batches of 1,000 (SQLAlchemy Core ``executemany``): launch's time ÷
that time is the ratio. Peak memory: the growth of this process's resident set during launch.
Target: 20,000 villages ≤ 60 s on both stores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import RESULTS, publish, Measure, load, machine  # noqa: E402

GOAL = {20_000: 60.0}


@contextmanager
def databases(stores: list[str]):
    """Yield a function store → fresh SQLAlchemy URL (one PostgreSQL server for the run)."""
    from contextlib import ExitStack

    from sqlalchemy import create_engine, text

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-launch-")))
        pg = None
        if "postgresql" in stores:
            from tests.fixtures.postgres import postgres_server

            pg = stack.enter_context(postgres_server())
            if pg is None:
                raise SystemExit("PostgreSQL 未安装（apt install postgresql），或用 --stores sqlite")

        def fresh(store: str) -> str:
            name = f"launch_{uuid.uuid4().hex[:8]}"
            if store == "sqlite":
                return f"sqlite:///{work / name}.db"
            admin = create_engine(pg, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            return pg.rsplit("/", 1)[0] + f"/{name}"

        yield fresh


def _rows_written(engine) -> int:
    from sqlmodel import func, select

    from huanjie.store.db import reading
    from huanjie.store.models import Case, Event, StepState

    with reading(engine) as s:
        return sum(s.exec(select(func.count()).select_from(t)).one() for t in (Case, StepState, Event))


def bulk_insert(engine, rows: int) -> float:
    """Seconds to insert ``rows`` plain rows (ints, short text, a date, a JSON-ish text) in batches of 1,000."""
    from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table, insert

    meta = MetaData()
    table = Table(f"bench_bulk_{uuid.uuid4().hex[:6]}", meta, Column("id", Integer, primary_key=True),
                  Column("case_id", Integer), Column("step_key", String(16)), Column("status", String(16)),
                  Column("due", Date), Column("payload", JSON))
    meta.create_all(engine)
    day = dt.date(2026, 9, 15)
    batch = [{"case_id": i, "step_key": f"P{i % 9}.{i % 5}", "status": "pending", "due": day,
              "payload": {"warnings": [], "milestones": {"due": "2026-09-15"}}} for i in range(1000)]
    start = time.perf_counter()
    with engine.begin() as conn:
        for done in range(0, rows, 1000):
            conn.execute(insert(table), batch[:min(1000, rows - done)])
    seconds = time.perf_counter() - start
    meta.drop_all(engine)
    return seconds


def one(url: str, store: str, villages: int) -> dict:
    from huanjie.clock import MovableClock
    from huanjie.service.context import Context
    from huanjie.service.launch import launch
    from huanjie.service.village_csv import VillageRow
    from huanjie.service.villages import save_villages
    from huanjie.store.db import make_engine, upgrade
    from tests.factories import make_campaign

    engine = make_engine(url)
    upgrade(engine)
    ctx = Context(engine=engine, clock=MovableClock("2026-07-01T09:00:00"))
    campaign = make_campaign(ctx)
    rows = [VillageRow(i, f"B{i:05d}", f"村{i}", f"镇{i % 40}", 300, 6) for i in range(villages)]
    started = time.perf_counter()
    save_villages(ctx, campaign_code=campaign.code, rows=rows)
    imported = time.perf_counter() - started
    before = _rows_written(engine)
    with Measure() as m:
        result = launch(ctx, campaign_code=campaign.code, everything=True)
    assert len(result.launched) == villages
    written = _rows_written(engine) - before
    bulk = bulk_insert(engine, written)
    engine.dispose()
    return {"store": store, "villages": villages, "import_seconds": imported, "launch_seconds": m.seconds,
            "launch_cpu": m.cpu, "peak_mb": m.mb, "rows": written, "bulk_seconds": bulk,
            "bulk_rows_per_s": written / bulk, "launch_rows_per_s": written / m.seconds,
            "ratio": m.seconds / bulk, "load": load()}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, nargs="+", default=[300, 3_000, 20_000])
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--json", type=Path, default=RESULTS / "launch.json")
    args = parser.parse_args(argv)
    rows = []
    loads = [load()]
    with databases(args.stores) as fresh:
        for store in args.stores:
            for n in args.villages:
                print(f"launching {n} villages on {store} …", flush=True)
                rows.append(one(fresh(store), store, n))
    loads.append(load())
    report(rows, loads, args.json)
    return rows


def report(rows: list[dict], loads: list[str], path: Path) -> None:
    lines = [f"machine: {machine()}; load average {loads[0]} → {loads[-1]}",
             "| store | villages | import | plan + launch | rows written | launch rows/s | bulk insert rows/s "
             "(baseline) | launch ÷ bulk | peak memory | goal |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        goal = GOAL.get(r["villages"])
        verdict = "" if goal is None else f"≤ {goal:.0f} s: {'yes' if r['launch_seconds'] <= goal else 'NO'}"
        lines.append(f"| {r['store']} | {r['villages']:,} | {r['import_seconds']:.1f} s | {r['launch_seconds']:.1f} s "
                     f"| {r['rows']:,} | {r['launch_rows_per_s']:,.0f} | {r['bulk_rows_per_s']:,.0f} | "
                     f"{r['ratio']:.2f}× | +{r['peak_mb']:.0f} MB | {verdict} |")
    publish(lines, path, machine=machine(), load=loads, rows=rows)


def test_launch_bench():
    """``./dev bench -k launch``: 300 and 3,000 villages on both stores (the full run adds 20,000)."""
    main(["--villages", "300", "3000", "--json", str(RESULTS / "launch-quick.json")])


if __name__ == "__main__":
    main()
