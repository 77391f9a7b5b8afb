"""The full-size benchmarks of issue 13, one after another, each in a process of its own (on a
quiet machine: about an hour). Each prints its table and writes its JSON into bench/results.

    .venv/bin/python -m bench.full [names…]     (names: demo launch designs workers; default all)
"""

from __future__ import annotations

import subprocess
import sys

RUNS = {"demo": ["bench.bench_demo", "--rounds", "3"],
        "launch": ["bench.bench_launch"],  # 300 / 3,000 / 20,000 villages, SQLite and PostgreSQL
        "designs": ["bench.bench_engine_designs"],  # N = 10 and 30, 8 gate decisions, Prefect server on PostgreSQL
        "workers": ["bench.bench_workers"]}  # 300 villages, in-process and 1 / 2 / 4 workers, 10 gate decisions


def main(names: list[str]) -> int:
    failed = []
    for name in names or list(RUNS):
        print(f"===== {name}", flush=True)
        if subprocess.run([sys.executable, "-m", *RUNS[name]]).returncode != 0:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
