"""The walk without Prefect: CPU per village, this checkout beside a baseline checkout, same run.

Run: python bench/bench_walk.py [--villages 10] [--rounds 3] [--baseline /work/main]

Each round walks a copy of one recorded county (bench/engine_county.py: every step's facts
present, no gates) through all 47 steps with ``run_woken(..., prefect=False)``, once with each
checkout's code, alternating, each in a fresh process (``<checkout>/.venv/bin/python``, so the
baseline runs its own code). Prefect is imported before the clock starts (a worker imports it
once). Prints CPU and wall seconds per village (median and least of the rounds: on a shared
machine the least is the one least inflated by the others' load), the ratio baseline / this,
and the load average; writes bench/results/walk.json. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, ".")
from huanjie.prefect_env import apply_prefect_defaults
apply_prefect_defaults(Path(sys.argv[2]))
import prefect  # noqa: F401  (imported once by a worker: not part of the walk)
from bench.engine_county import all_done, copy_county, no_gates
from huanjie.flows.driver import run_woken
from huanjie.service.claims import woken_cases
with no_gates():
    ctx = copy_county(Path(sys.argv[1]), Path(sys.argv[2]) / "walk.db")
    ctx.batch_size = 200
    todo = woken_cases(ctx)
    c0, t0 = time.process_time(), time.perf_counter()
    run_woken(ctx, prefect=False, todo=todo, check=False)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    done, total = all_done(ctx, [c for c, _ in todo])
print(json.dumps({"cpu": cpu, "wall": wall, "done": done, "total": total}))
"""


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def walk_once(checkout: Path, template: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="huanjie-walk-") as work:
        out = subprocess.run([str(checkout / ".venv" / "bin" / "python"), "-c", CHILD, str(template), work],
                             cwd=checkout, capture_output=True, text=True, check=True)
    row = json.loads(out.stdout.strip().splitlines()[-1])
    assert row["done"] == row["total"], row
    return row


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, default=Path("/work/main"), help="the checkout measured beside")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "huanjie-bench")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "walk.json")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    template = args.cache / f"walk-county-{args.villages}.db"
    if not template.exists():
        sys.path.insert(0, str(ROOT))
        from bench.engine_county import build_county, no_gates

        print(f"recording the facts of {args.villages} villages (once; kept in {template}) …", flush=True)
        with no_gates():
            build_county(template.with_suffix(".tmp"), args.villages)
        template.with_suffix(".tmp").rename(template)
    before = _uptime()
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    for n in range(args.rounds):
        for name, checkout in (("baseline", args.baseline), ("this", ROOT)):
            row = walk_once(checkout, template)
            runs[name].append(row)
            print(f"round {n + 1} {name:8}: {row['cpu'] / args.villages:.3f} s CPU, "
                  f"{row['wall'] / args.villages:.3f} s wall per village", flush=True)
    result = {"villages": args.villages, "steps": runs["this"][0]["total"], "baseline_checkout": str(args.baseline),
              "uptime_before": before, "uptime_after": _uptime()}
    for name, rows in runs.items():
        result[name] = {"cpu_per_village": statistics.median(r["cpu"] for r in rows) / args.villages,
                        "cpu_min_per_village": min(r["cpu"] for r in rows) / args.villages,
                        "wall_per_village": statistics.median(r["wall"] for r in rows) / args.villages}
    result["cpu_ratio"] = result["baseline"]["cpu_per_village"] / result["this"]["cpu_per_village"]
    print(f"\nwalk without Prefect, {args.villages} villages × 47 steps, median of {args.rounds} rounds")
    print(f"{'':10}{'CPU s/village':>15}{'(least)':>9}{'wall s/village':>16}")
    for name in ("baseline", "this"):
        r = result[name]
        print(f"{name:10}{r['cpu_per_village']:>15.3f}{r['cpu_min_per_village']:>9.3f}{r['wall_per_village']:>16.3f}")
    print(f"baseline / this (CPU): {result['cpu_ratio']:.2f}×   goal: this ≤ 0.5 s")
    print(f"load: {before}  →  {result['uptime_after']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
