"""``huanjie demo`` with Prefect (its flows on the temporary API it starts once) beside the same
demo without Prefect (``--no-prefect``), in the same run (issue 13: with Prefect ≤ 30 s here).
Not part of the pass/fail: prints one table and writes JSON.

    .venv/bin/python -m bench.bench_demo [--rounds 1] [--json PATH]

Each demo runs as its own process on a fresh data directory, the way a user runs it (start-up,
the temporary Prefect API server and its start included); timed: wall seconds, the CPU seconds
of the process and its children (the API server), and the peak resident set of the largest.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import RESULTS, publish, load, machine  # noqa: E402

GOAL = 30.0


def run_demo(prefect: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as data:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "HUANJIE_"))}
        env["HUANJIE_DATA_DIR"] = data
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "huanjie", "demo", "--json", *([] if prefect else ["--no-prefect"])],
                              env=env, capture_output=True, text=True, timeout=3600)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise AssertionError(done.stdout[-2000:] + done.stderr[-2000:])
    report = json.loads(done.stdout)
    return {"prefect": prefect, "seconds": seconds, "demo_seconds": report["seconds"],
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "peak_mb": after.ru_maxrss / 1024, "days": report["days"], "records": report["records"], "load": load()}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="pairs of runs (without, then with Prefect)")
    parser.add_argument("--json", type=Path, default=RESULTS / "demo.json")
    args = parser.parse_args(argv)
    rows = []
    for _ in range(args.rounds):
        for prefect in (False, True):
            print(f"huanjie demo {'with' if prefect else 'without'} Prefect …", flush=True)
            rows.append(run_demo(prefect))
    report(rows, args.json)
    return rows


def report(rows: list[dict], path: Path) -> None:
    plain = [r for r in rows if not r["prefect"]]
    lines = [f"machine: {machine()}",
             "| huanjie demo | wall | CPU (with children) | peak memory | ÷ without Prefect | load average | goal |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        base = min(plain, key=lambda p: abs(rows.index(p) - rows.index(r)))  # the same round's baseline
        goal = f"≤ {GOAL:.0f} s: {'yes' if r['seconds'] <= GOAL else 'NO'}" if r["prefect"] else ""
        lines.append(f"| {'with Prefect' if r['prefect'] else 'without Prefect (baseline)'} | {r['seconds']:.1f} s | "
                     f"{r['cpu']:.1f} s | {r['peak_mb']:.0f} MB | {r['seconds'] / base['seconds']:.2f}× | {r['load']} "
                     f"| {goal} |")
    publish(lines, path, machine=machine(), runs=rows)


def test_demo_bench():
    """``./dev bench -k demo``: one pair of runs (the full run: ``--rounds 3``)."""
    main(["--json", str(RESULTS / "demo-quick.json")])


if __name__ == "__main__":
    main()
