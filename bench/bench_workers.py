"""Prefect mode on PostgreSQL: advance N villages (default 300) through one stage (P1: P1.1 and
P1.3, no gate) with 1 / 2 / 4 ``huanjie worker`` processes on a loopback Prefect server, beside
the same walk run in this process (``run_woken``, through the same server) as the baseline;
then gate decision (P2.3) → next step (P3.1) done, p50/p95, through a worker and in-process.

    .venv/bin/python -m bench.bench_workers [--villages 300] [--workers 1,2,4] [--samples 10] [--out FILE]

Prints one table and writes JSON (default bench/results/bench_workers.json). Not a test: the
figures depend on the machine and its load (printed with them). ``./dev bench -k workers`` runs
a small version. Peak memory: this process's resident-set growth in-process; with workers, the
peak summed resident set of the worker processes and their flow-run processes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.measure import Measure, machine  # noqa: E402
from sqlalchemy import update  # noqa: E402
from sqlmodel import col, func, select  # noqa: E402

NOW = "2026-07-20T10:00:00"
TOWNS = ("城关镇", "东山乡")
STEPS = ("P1.1", "P1.3")


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _campaign(ctx, clock, code: str, villages: int):
    """A campaign of ``villages`` launched villages with P1.1 and P1.3 recorded, nothing woken."""
    from huanjie.service.launch import launch
    from huanjie.store.db import transaction
    from huanjie.store.models import Case
    from tests.factories import make_campaign
    from tests.flows.test_prefect_deployment import Village

    from huanjie.service.village_csv import VillageRow
    from huanjie.service.villages import save_villages

    campaign = make_campaign(ctx, name=f"基准 {code}", actor_name="县办")
    rows = [(f"{code}-{i:03d}", f"第{i}村", TOWNS[i % 2]) for i in range(villages)]
    save_villages(ctx, campaign_code=campaign.code, actor_name="县办",
                  rows=[VillageRow(i + 2, c, n, t, 320, 6) for i, (c, n, t) in enumerate(rows)])
    launch(ctx, campaign_code=campaign.code, actor_name="县办", everything=True)
    drivers = [Village(ctx, clock, campaign.code, c, t) for c, _, t in rows]
    for d in drivers:
        for key in STEPS:
            d.record(key)
    ids = [c for d in drivers for c in d.case_ids]
    with transaction(ctx.engine) as s:  # recorded but not woken: the timer starts with the wake
        s.execute(update(Case).where(col(Case.id).in_(ids)).values(ran=Case.wake))
    return drivers, ids


def _wake(ctx, ids) -> None:
    from huanjie.store.db import transaction
    from huanjie.store.models import Case

    with transaction(ctx.engine) as s:
        s.execute(update(Case).where(col(Case.id).in_(ids)).values(wake=Case.wake + 1))


def _done(ctx, ids, key="P1.3") -> int:
    from huanjie.store.db import reading
    from huanjie.store.models import StepState

    with reading(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(StepState).where(
            col(StepState.case_id).in_(ids), StepState.step_key == key, StepState.status == "done")).one()


def _until(done, what: str, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"timed out: {what}"
        time.sleep(0.02)


def _status_count(ctx, ids, key, status) -> int:
    from huanjie.store.db import reading
    from huanjie.store.models import StepState

    with reading(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(StepState).where(
            col(StepState.case_id).in_(ids), StepState.step_key == key, StepState.status == status)).one()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results") / "bench_workers.json")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-workers-"))

    from huanjie.prefect_env import apply_prefect_defaults

    apply_prefect_defaults(work)  # before Prefect is imported (a value already set wins)
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from huanjie.clock import MovableClock
    from huanjie.flows.driver import run_woken
    from huanjie.service.context import Context
    from huanjie.settings import PrefectSettings
    from huanjie.store.db import make_engine, upgrade
    from tests.fixtures.postgres import postgres_server
    from tests.flows.prefect_cluster import prefect_server, start_worker, stop_tree, wait_ready
    from tests.flows.test_prefect_deployment import COUNTY, _staff

    result = {"villages": args.villages, "machine": machine(), "load_before": _load(), "advance": {}, "gate": {},
              "peak_mb": {}}
    with postgres_server() as pg:
        engine = make_engine(pg)
        upgrade(engine)
        clock = MovableClock(NOW)
        ctx = Context(engine=engine, clock=clock)
        from tests.factories import make_campaign, make_villages

        make_villages(ctx, make_campaign(ctx), [("S001", "甲村", TOWNS[0]), ("S002", "乙村", TOWNS[1])])
        _staff(ctx)  # the county, its townships, then its staff
        with prefect_server(pg, work) as api:
            env = {"HUANJIE_NOW": NOW, "HUANJIE_BATCH_SIZE": "50", "HUANJIE_POLL_INTERVAL": "0.25",
                   "HUANJIE_PREFECT_TOWNSHIP_LIMIT": "4", "HUANJIE_PREFECT_WORKER_LIMIT": "1"}
            prefect_ctx = Context(engine=engine, clock=clock, batch_size=50,
                                  prefect=PrefectSettings(api_url=api, township_limit=4))
            with temporary_settings({PREFECT_API_URL: api}):
                _, ids = _campaign(ctx, clock, "B-IN", args.villages)
                _wake(ctx, ids)
                with Measure() as m:
                    run_woken(ctx, prefect=True)
                result["advance"]["in-process"] = m.seconds
                result["peak_mb"]["in-process"] = m.mb
                assert _done(ctx, ids) == args.villages
            for n in counts:
                _, ids = _campaign(ctx, clock, f"B-W{n}", args.villages)
                workers = [start_worker(api, pg, work, f"w{n}-{i}", actor=COUNTY, **env) for i in range(n)]
                try:
                    wait_ready(workers)
                    time.sleep(3)  # the dispatchers' first rounds
                    _wake(ctx, ids)
                    with Measure(pids=[proc.pid for proc, _ in workers]) as m:
                        _until(lambda: _done(ctx, ids) == args.villages, f"{n} worker(s)", timeout=3600)
                    result["advance"][f"{n} worker(s)"] = m.seconds
                    result["peak_mb"][f"{n} worker(s)"] = m.mb
                    if n == 1:
                        result["gate"]["worker"] = _gate_latency(ctx, clock, prefect_ctx, api, args.samples,
                                                                 submit=True)
                finally:
                    for proc, _ in workers:
                        stop_tree(proc, sig=15)
            with temporary_settings({PREFECT_API_URL: api}):
                result["gate"]["in-process"] = _gate_latency(ctx, clock, prefect_ctx, api, args.samples, submit=False)
    result["load_after"] = _load()
    _print(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))


GATE, NEXT = "P2.3", "P3.1"  # P2.3's decision is the only thing P3.1 waits for (P1.2's next step needs no gate)


def _gate_latency(ctx, clock, prefect_ctx, api, samples: int, *, submit: bool) -> dict:
    """Record up to P3.1 for ``samples`` villages, run them to the P2.3 gate, then per village:
    decide → P3.1 done (the run the decision wakes: through the workers' pool, or in this process)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from huanjie.flows.deploy import submit as submit_runs
    from huanjie.flows.driver import run_woken

    tag = "G-W" if submit else "G-IN"
    drivers, _ = _campaign(ctx, clock, tag, samples)
    for d in drivers:
        for key in ("P2.1", "P2.2", GATE, NEXT):
            d.record(key)
    ids = [c for d in drivers for c in d.case_ids]
    with temporary_settings({PREFECT_API_URL: api}):
        if not submit:
            run_woken(ctx, prefect=True)  # to the gate, in this process (else the workers' dispatchers do)
        _until(lambda: _status_count(ctx, ids, GATE, "awaiting") == samples, f"{GATE} awaiting")
        times = []
        for d in drivers:
            start = time.perf_counter()
            d.approve(GATE)
            if submit:  # as `huanjie gate approve` does in Prefect mode
                submit_runs(prefect_ctx, d.case_ids)
            else:
                run_woken(ctx, prefect=True)
            _until(lambda: _status_count(ctx, d.case_ids, NEXT, "done") == 1, f"{NEXT} done")
            times.append(time.perf_counter() - start)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[max(0, round(0.95 * len(times)) - 1)], "n": len(times)}


def _print(r: dict) -> None:
    base = r["advance"].get("in-process")
    print(f"Prefect 模式基准（PostgreSQL，{r['villages']} 个村推进一个阶段 P1.1+P1.3；负载 {r['load_before']} → {r['load_after']}）")
    print(r["machine"])
    print(f"{'方式':<16}{'用时 (s)':>10}{'村/秒':>10}{'对本进程':>10}{'峰值内存':>12}")
    one = r["advance"].get("1 worker(s)")
    for name, secs in r["advance"].items():
        ratio = f"{base / secs:.2f}×" if base else "-"
        print(f"{name:<16}{secs:>10.1f}{r['villages'] / secs:>10.2f}{ratio:>10}{r['peak_mb'][name]:>10.0f} MB")
    if one and "2 worker(s)" in r["advance"]:
        print(f"2 个工作进程 / 1 个：{one / r['advance']['2 worker(s)']:.2f}×（目标 ≥ 1.6×）")
    for name, g in r["gate"].items():
        print(f"审批 → 下一步完成（{name}）：p50 {g['p50']:.2f} s，p95 {g['p95']:.2f} s（{g['n']} 次）")


def test_workers_bench():
    """``./dev bench -k workers``: 20 villages, 1 and 2 workers, 3 gate decisions (the full run: no arguments)."""
    main(["--villages", "20", "--workers", "1,2", "--samples", "3",
          "--out", str(Path(__file__).with_name("results") / "bench_workers-quick.json")])


if __name__ == "__main__":
    main()
