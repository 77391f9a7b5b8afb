"""huanjie's engine against the naive Prefect design, measured side by side in one process on
one Prefect API (issue 13). Not part of the pass/fail: prints one table and writes JSON.

Run: .venv/bin/python -m bench.bench_engine_designs [--villages 10 30] [--gates 8] [--json PATH]
     [--api postgresql|ephemeral]

The Prefect API (default): one loopback Prefect server on a throwaway PostgreSQL
(tests.flows.prefect_cluster), started once (generous timeout, retried) and shared by every
design; ``--api ephemeral`` uses Prefect's temporary SQLite API instead (under load the naive
design made it answer 503 "database is locked").

Designs, each walking the same N villages (a copy of one county: every step's facts recorded,
the demo's facts, no gates) through all 47 steps:
- naive async: one Prefect flow run per village × stage, one task per step, the cases'
  chains run concurrently (asyncio, at most --naive-concurrency at once);
- huanjie with Prefect: ``run_woken`` → one ``cases_flow`` per batch (claim task, a stage
  flow per stage, one step task per step × batch, finish task);
- huanjie without Prefect: the same walk as plain calls (``run_woken(..., prefect=False)``).
Then gate decision → next step done (P2.3 approved → P3.1 done) in this process: huanjie
(decision, then ``run_woken``) against the naive design's ``pause_flow_run`` / resume.
Peak memory: the growth of this process's resident set while a design runs (sampled every
20 ms; memory Python keeps from an earlier design is not counted again).
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAIVE = {"concurrency": 4}  # the naive design's cases at once (--naive-concurrency)
sys.path.insert(0, str(ROOT))

from bench.measure import RESULTS, publish, Measure, load, machine  # noqa: E402


@contextmanager
def prefect_api(kind: str, work: Path):
    """PREFECT_API_URL pointed at a loopback Prefect server on PostgreSQL for the block, or
    (``ephemeral``) Prefect's temporary API of this process."""
    if kind == "ephemeral":
        yield "ephemeral"
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from tests.fixtures.postgres import postgres_server
    from tests.flows.prefect_cluster import prefect_server

    with postgres_server() as pg:
        if pg is None:
            raise SystemExit("PostgreSQL 未安装（apt install postgresql），或用 --api ephemeral")
        with prefect_server(pg, work) as url, temporary_settings({PREFECT_API_URL: url}):
            yield url


# ----------------------------------------------------------------------------- the naive design
def naive_flows():
    from prefect import flow, task
    from prefect.flow_runs import apause_flow_run
    from prefect.runtime import flow_run

    from huanjie.flows import runtime
    from huanjie.steps.runner import advance_step

    paused: dict[int, str] = {}

    @task(name="naive-step", task_run_name="{step_key} · case {case_id}")
    async def naive_step(case_id: int, step_key: str):
        return advance_step(runtime.current(), case_id, step_key)

    @flow(name="naive-stage", flow_run_name="{stage_key} · case {case_id}", validate_parameters=False)
    async def naive_stage(case_id: int, stage_key: str, steps: list[tuple[str, bool]]) -> None:
        """Every step of the stage in order, each a task; at a gate awaiting its decision, pause
        (the flow run waits, polling Prefect's API each second) until resumed, then go on."""
        for key, gate in steps:
            outcome = await naive_step(case_id, key)
            if gate and str(outcome.status) == "awaiting":
                paused[case_id] = str(flow_run.id)
                await apause_flow_run(timeout=3600, poll_interval=1)
                await naive_step(case_id, key)

    async def naive_case(case_id: int, stages: list[tuple[str, list[tuple[str, bool]]]]) -> None:
        for stage_key, steps in stages:  # one flow run per village × stage
            await naive_stage(case_id, stage_key, steps)

    return naive_case, paused


def case_stages(ctx, case_id: int):
    from huanjie.steps.catalogue import load_catalogue
    from huanjie.store.db import reading
    from huanjie.store.models import Case

    cat = load_catalogue()
    with reading(ctx.engine) as s:
        election = s.get(Case, case_id).election
    return [(st.key, [(sp.key, sp.gate is not None) for sp in cat.stage_steps(st.key)])
            for st in cat.stages(election)]


# ----------------------------------------------------------------------------- the walk
def _case_ids(ctx, villages: int) -> list[int]:
    from sqlmodel import select

    from huanjie.store.db import reading
    from huanjie.store.models import Case, Village

    with reading(ctx.engine) as s:
        codes = [f"B{i:05d}" for i in range(villages)]
        return sorted(s.exec(select(Case.id).join(Village, Village.id == Case.village_id)
                             .where(Village.code.in_(codes))).all())


def _counts():
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        tasks = client._client.post("/task_runs/count", json={}).json()
        return client.count_flow_runs(), tasks


def walk(template: Path, work: Path, villages: int, design: str) -> dict:
    from bench.engine_county import all_done, copy_county
    from huanjie.flows import runtime
    from huanjie.flows.driver import run_woken
    from huanjie.service.claims import woken_cases

    ctx = copy_county(template, work / f"{design}-{villages}.db")
    ids = _case_ids(ctx, villages)
    ctx.batch_size = 200
    todo = [(c, w) for c, w in woken_cases(ctx) if c in set(ids)]
    before = _counts() if design != "plain" else (0, 0)
    with Measure() as m:
        if design == "plain":
            run_woken(ctx, prefect=False, todo=todo, check=False)
        elif design == "huanjie":
            run_woken(ctx, prefect=True, todo=todo, check=False)
        else:
            naive_case, _ = naive_flows()

            async def all_cases():
                # at most NAIVE["concurrency"] chains at once: 20 at once made the temporary API
                # server answer 503 on this machine
                gate = asyncio.Semaphore(NAIVE["concurrency"])

                async def one(c):
                    async with gate:
                        await naive_case(c, case_stages(ctx, c))

                await asyncio.gather(*(one(c) for c in ids))

            with runtime.using(ctx):
                asyncio.run(all_cases())
    done, total = all_done(ctx, ids)
    assert done == total, (design, done, total)
    row = {"design": design, "villages": villages, "seconds": m.seconds, "per_village": m.seconds / villages,
           "cpu_per_village": m.cpu / villages, "peak_mb": m.mb}
    if design != "plain":
        time.sleep(3)  # task runs reach the API as events, a moment later
        after = _counts()
        row["flow_runs"], row["task_runs"] = after[0] - before[0], after[1] - before[1]
    ctx.engine.dispose()
    return row


# ----------------------------------------------------------------------------- gate latency
def gate_latency(work: Path, samples: int) -> dict:
    from huanjie.clock import MovableClock
    from huanjie.flows import runtime
    from huanjie.flows.driver import run_woken
    from huanjie.service.claims import woken_cases
    from huanjie.service.context import Context
    from huanjie.service.village_csv import VillageRow
    from huanjie.service.villages import save_villages
    from huanjie.store.db import make_engine, upgrade
    from prefect.client.orchestration import get_client
    from tests.factories import make_campaign
    from tests.fixtures.scenario import APPROVER, VillageDriver, add_staff, launch_all

    engine = make_engine(f"sqlite:///{work / 'gates.db'}")
    upgrade(engine)
    ctx = Context(engine=engine, clock=MovableClock("2026-07-01T09:00:00"))
    campaign = make_campaign(ctx)
    save_villages(ctx, campaign_code=campaign.code,
                  rows=[VillageRow(i, f"G{i:03d}", f"村{i}", "城关镇", 300, 6) for i in range(2 * samples)])
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    drivers = [VillageDriver(ctx, ctx.clock, campaign.code, f"G{i:03d}") for i in range(2 * samples)]
    for d in drivers:
        for key in ("P1.1", "P1.3", "P2.1", "P2.2", "P2.3", "P3.1"):
            d.record(key)
    party = {id(d): min(d.case_ids) for d in drivers}  # the party case (created first)

    def wait_done(d, key="P3.1", timeout=120):
        deadline = time.monotonic() + timeout
        while d.states()[key].status != "done":
            if time.monotonic() > deadline:
                raise AssertionError(f"{key} not done")
            time.sleep(0.005)

    # huanjie: the flow stops at the undecided gate; the decision wakes the case; the next run
    # (what the worker does on its next poll) carries on
    huanjie_t = []
    mine = {c for d in drivers[:samples] for c in d.case_ids}
    run_woken(ctx, prefect=True, todo=[(c, w) for c, w in woken_cases(ctx) if c in mine])
    for d in drivers[:samples]:
        assert d.states()["P2.3"].status == "awaiting"
        started = time.perf_counter()
        d.approve("P2.3", who=APPROVER)
        run_woken(ctx, prefect=True, check=False)
        wait_done(d)
        huanjie_t.append(time.perf_counter() - started)

    # naive: each village's flow is paused at the gate (pause_flow_run); the decision resumes it
    naive_case, paused = naive_flows()
    naive_t, failed = [], []

    def run_naive():
        async def cases():
            await asyncio.gather(*(naive_case(party[id(d)], case_stages(ctx, party[id(d)]))
                                   for d in drivers[samples:]))
        try:
            with runtime.using(ctx):
                asyncio.run(cases())
        except BaseException as exc:
            failed.append(exc)
            raise

    # the thread runs in a copy of this context: Prefect's settings (PREFECT_API_URL) are a context variable
    thread = threading.Thread(target=contextvars.copy_context().run, args=(run_naive,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 600
    while len(paused) < samples:
        assert not failed and time.monotonic() < deadline, f"naive flows did not pause: {failed}"
        time.sleep(0.1)
    time.sleep(2)  # every flow has entered its pause loop
    with get_client(sync_client=True) as client:
        for d in drivers[samples:]:
            started = time.perf_counter()
            d.approve("P2.3", who=APPROVER)
            client.resume_flow_run(paused[party[id(d)]])
            wait_done(d)
            naive_t.append(time.perf_counter() - started)
    thread.join(timeout=600)  # the resumed flows run their remaining stages
    engine.dispose()

    def pct(xs, q):
        xs = sorted(xs)
        return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]

    return {"samples": samples, "huanjie_p50": statistics.median(huanjie_t), "huanjie_p95": pct(huanjie_t, 0.95),
            "naive_p50": statistics.median(naive_t), "naive_p95": pct(naive_t, 0.95)}


# ----------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--gates", type=int, default=8, help="gate decisions timed per design")
    parser.add_argument("--designs", nargs="*", default=["huanjie", "plain", "naive"])
    parser.add_argument("--naive-concurrency", type=int, default=NAIVE["concurrency"],
                        help="the naive design's cases run at once (1: one after another)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "engine_designs.json")
    parser.add_argument("--api", choices=["postgresql", "ephemeral"], default="postgresql",
                        help="the Prefect API every design uses")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "huanjie-bench",
                        help="where the recorded county is kept between runs")
    args = parser.parse_args(argv)
    NAIVE["concurrency"] = args.naive_concurrency

    from huanjie.prefect_env import apply_prefect_defaults

    work = Path(tempfile.mkdtemp(prefix="huanjie-designs-"))
    apply_prefect_defaults(work)
    from bench.engine_county import build_county, no_gates
    from huanjie.flows.prefect_api import check_api, warm_up

    uptime = f"{machine()}; load average {load()}"
    args.cache.mkdir(parents=True, exist_ok=True)
    most = max(args.villages)
    template = args.cache / f"county-{most}.db"
    rows, gates = [], None
    with no_gates():
        if not template.exists():
            print(f"recording the facts of {most} villages (once; kept in {template}) …", flush=True)
            build_county(template.with_suffix(".tmp"), most)
            template.with_suffix(".tmp").rename(template)
    with prefect_api(args.api, work) as api:
        print(f"Prefect API: {api}", flush=True)
        with no_gates():
            check_api()
            warm_up()  # the first flow run pays Prefect's start-up, for no design
            for n in args.villages:
                for design in args.designs:
                    print(f"walking {n} villages: {design} …", flush=True)
                    try:
                        rows.append(walk(template, work, n, design))
                    except Exception as exc:  # e.g. the naive design overwhelming the API server: say so
                        print(f"{design} failed: {exc!r}"[:300], flush=True)
                        rows.append({"design": design, "villages": n, "failed": f"{type(exc).__name__}: {exc}"[:200]})
        if args.gates:
            print("gate decision → next step …", flush=True)
            gates = gate_latency(work, args.gates)
    uptime += f" → {load()}; Prefect API: {'PostgreSQL server on loopback' if args.api != 'ephemeral' else 'ephemeral (SQLite)'}"
    report(rows, gates, uptime, args.json)


NAMES = {"naive": "naive design, async (flow run per village × stage, task per step)",
         "huanjie": "huanjie with Prefect (cases_flow, task per step × batch)",
         "plain": "huanjie, same walk without Prefect"}


def report(rows, gates, uptime, path: Path) -> None:
    by = {(r["design"], r["villages"]): r for r in rows}
    ns = sorted({r["villages"] for r in rows})
    lines = [f"machine: {uptime}",
             "| per village (s wall / s CPU of this process) | " + " | ".join(f"N = {n}" for n in ns) + " |",
             "|---|" + "---|" * len(ns)]
    for design in ("naive", "huanjie", "plain"):
        cells = []
        for n in ns:
            r = by.get((design, n))
            if r is None or "failed" in r:
                cells.append("failed: " + r["failed"][:60] if r else "–")
                continue
            runs = f", {r['flow_runs']} flow / {r['task_runs']} task runs" if "flow_runs" in r else ""
            cells.append(f"{r['per_village']:.2f} / {r['cpu_per_village']:.2f}{runs}, +{r['peak_mb']:.0f} MB")
        lines.append(f"| {NAMES[design]} | " + " | ".join(cells) + " |")
    ratios = {}
    if any(r["design"] == "naive" for r in rows):
        lines.append(f"(naive design: {NAIVE['concurrency']} case chain(s) at once)")
    for n in ns:
        naive, hj, plain = (by.get((d, n)) for d in ("naive", "huanjie", "plain"))
        naive, hj, plain = (r if r and "failed" not in r else None for r in (naive, hj, plain))
        if naive and hj:
            ratios[f"naive/huanjie N={n}"] = naive["seconds"] / hj["seconds"]
        if hj and plain:
            ratios[f"huanjie/plain N={n}"] = hj["seconds"] / plain["seconds"]
    if ratios:
        lines.append("ratios (wall): " + "; ".join(f"{k} = {v:.2f}×" for k, v in ratios.items())
                     + "  (targets: naive/huanjie ≥ 5×, huanjie/plain ≤ 1.5×)")
    if gates:
        lines.append(f"gate decision → next step done, in-process ({gates['samples']} each): huanjie p50 "
                     f"{gates['huanjie_p50'] * 1000:.0f} ms / p95 {gates['huanjie_p95'] * 1000:.0f} ms; naive "
                     f"pause/resume p50 {gates['naive_p50'] * 1000:.0f} ms / p95 {gates['naive_p95'] * 1000:.0f} ms")
    publish(lines, path, uptime=uptime, walks=rows, ratios=ratios, gates=gates)


def test_engine_designs():
    """``./dev bench -k designs``: N = 5 and 4 gate decisions (the full run: no arguments, N = 10 and 30)."""
    main(["--villages", "5", "--gates", "4", "--json", str(RESULTS / "engine_designs-quick.json")])


if __name__ == "__main__":
    main()
