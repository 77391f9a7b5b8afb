"""Gate decision → next step done, in-process without Prefect (``huanjie serve``'s worker), p50/p95.

Run: python bench/bench_gate_latency.py [--samples 6] [--busy 6] [--interval 0.25]

A village waits at its first gate (P2.3) with the next step's facts recorded (P3.1); the
decision is made in this process, as the web server's request thread makes it, and the clock
runs until P3.1 is done. Measured side by side in one run:

- direct: the decision, then that case's walk called at once in the same thread (the raw cost);
- poll: the worker's polling loop alone (the old in-process worker: it looks every
  ``--interval`` seconds and walks every woken case, in batches);
- prompt: the same loop with the prompt lane (huanjie.flows.worker.PromptLane), which the
  decision wakes on commit;
- poll / prompt, busy: while the worker walks other villages whose facts were just recorded
  (``--busy`` villages per decision), as on a day many villages report at once.

Prints one table (each figure beside the direct baseline as a ratio) and the load average;
writes bench/results/gate_latency.json. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST = ("P1.1", "P1.3", "P2.1", "P2.2", "P2.3")  # up to the first gate
NEXT = "P3.1"


def _county(work: Path, villages: int):
    from huanjie.clock import MovableClock
    from huanjie.service.context import Context
    from huanjie.service.village_csv import VillageRow
    from huanjie.service.villages import save_villages
    from huanjie.store.db import make_engine, upgrade
    from tests.factories import make_campaign
    from tests.fixtures.scenario import VillageDriver, add_staff, launch_all

    engine = make_engine(f"sqlite:///{work / 'gates.db'}")
    upgrade(engine)
    ctx = Context(engine=engine, clock=MovableClock("2026-07-01T09:00:00"))
    campaign = make_campaign(ctx)
    save_villages(ctx, campaign_code=campaign.code,
                  rows=[VillageRow(i, f"G{i:04d}", f"村{i}", "城关镇", 300, 6) for i in range(villages)])
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    return ctx, [VillageDriver(ctx, ctx.clock, campaign.code, f"G{i:04d}") for i in range(villages)]


def _status(ctx, case_id: int, key: str) -> str:
    from sqlmodel import select

    from huanjie.store.db import reading
    from huanjie.store.models import StepState

    with reading(ctx.engine) as s:
        return s.exec(select(StepState.status).where(StepState.case_id == case_id, StepState.step_key == key)).one()


class Worker:
    """The in-process worker of ``huanjie serve`` without Prefect: its polling loop on a thread
    (huanjie.web.background), with or without the prompt lane."""

    def __init__(self, ctx, *, interval: float, prompt: bool) -> None:
        from huanjie.flows.worker import PromptLane

        self.ctx, self.interval = ctx, interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.prompt = PromptLane(ctx, owner="bench-prompt") if prompt else None

    def __enter__(self):
        self.ctx.wakeup.wait(0)  # what setting up woke
        if self.prompt:
            self.prompt.start()
        self.thread.start()
        return self

    def _loop(self) -> None:
        from huanjie.flows.driver import run_woken

        while not self.stop.is_set():
            run_woken(self.ctx, prefect=False)
            self.stop.wait(self.interval)

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=600)
        if self.prompt:
            self.prompt.close()


def _wait_done(ctx, case_id: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while _status(ctx, case_id, NEXT) != "done":
        assert time.monotonic() < deadline, f"{NEXT} of case {case_id} not done"
        time.sleep(0.005)


def _at_gate(ctx, drivers) -> None:
    from huanjie.flows.driver import run_cases

    for d in drivers:
        for key in (*FIRST, NEXT):
            d.record(key)
    run_cases(ctx, [c for d in drivers for c in d.case_ids], prefect=False)
    for d in drivers:
        assert d.states()["P2.3"].status == "awaiting"


def _decide(ctx, driver, *, direct: bool = False) -> float:
    from huanjie.flows.driver import run_cases
    from tests.fixtures.scenario import APPROVER

    party = driver.states()["P2.3"].case_id
    started = time.perf_counter()
    driver.approve("P2.3", who=APPROVER)
    if direct:
        run_cases(ctx, [party], prefect=False)
    _wait_done(ctx, party)
    return time.perf_counter() - started


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=6, help="decisions timed per design")
    parser.add_argument("--busy", type=int, default=6, help="villages recorded just before each busy decision")
    parser.add_argument("--interval", type=float, default=0.25, help="the polling loop's interval (serve's default)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "gate_latency.json")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="huanjie-gates-"))
    from huanjie.prefect_env import apply_prefect_defaults

    apply_prefect_defaults(work)
    import prefect  # noqa: F401  (the worker imported it long ago)

    idle = ("direct", "poll", "prompt")
    busy = ("poll, busy", "prompt, busy")
    gated = args.samples * (len(idle) + len(busy))
    ctx, drivers = _county(work, gated + args.samples * len(busy) * args.busy)
    deciders, extra = drivers[:gated], drivers[gated:]
    print(f"{len(deciders)} villages to their gate …", flush=True)
    _at_gate(ctx, deciders)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    times: dict[str, list[float]] = {}
    groups = iter(deciders[i:i + args.samples] for i in range(0, gated, args.samples))
    busy_groups = iter(extra[i:i + args.busy] for i in range(0, len(extra), args.busy))
    for design in (*idle, *busy):
        print(f"{design} …", flush=True)
        group = next(groups)
        if design == "direct":
            times[design] = [_decide(ctx, d, direct=True) for d in group]
            continue
        with Worker(ctx, interval=args.interval, prompt=design.startswith("prompt")):
            times[design] = []
            for d in group:
                if design.endswith("busy"):
                    others = next(busy_groups)
                    for o in others:  # each record wakes its village: the worker starts walking
                        for key in FIRST:
                            o.record(key)
                times[design].append(_decide(ctx, d))
    after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    base = statistics.median(times["direct"])
    result = {"samples": args.samples, "busy": args.busy, "interval": args.interval, "uptime_before": uptime,
              "uptime_after": after, "designs": {}}
    print(f"\ngate decision → {NEXT} done, in-process without Prefect, {args.samples} decisions each")
    print(f"{'design':16}{'p50 ms':>9}{'p95 ms':>9}{'p50 / direct':>14}")
    for design, xs in times.items():
        p50, p95 = statistics.median(xs), _pct(xs, 0.95)
        result["designs"][design] = {"p50": p50, "p95": p95, "ratio_to_direct": p50 / base, "all": xs}
        print(f"{design:16}{p50 * 1000:>9.0f}{p95 * 1000:>9.0f}{p50 / base:>13.2f}×")
    print(f"goal: prompt p50 ≤ 300 ms\nload: {uptime}  →  {after}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    ctx.engine.dispose()
    return result


if __name__ == "__main__":
    main()
