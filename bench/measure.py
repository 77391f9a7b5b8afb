"""What every benchmark reports beside its figures: wall and CPU time, peak memory, the load."""

from __future__ import annotations

import os
import platform
import threading
import time
from pathlib import Path


def rss(pid: int | str = "self") -> int:
    """Resident set size of a process, in bytes (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    """Resident set size of a process and all its descendants (a worker and its flow-run processes)."""
    from tests.flows.prefect_cluster import children

    return sum(rss(p) for p in [pid, *children(pid)])


class Measure:
    """Wall seconds, this process's CPU seconds and peak memory of a block: the growth of this
    process's resident set (sampled every 20 ms), or, with ``pids``, the peak summed resident set
    of those processes and their descendants."""

    def __init__(self, pids: list[int] | None = None) -> None:
        self.pids = pids

    def _now(self) -> int:
        return sum(tree_rss(p) for p in self.pids) if self.pids else rss()

    def __enter__(self):
        self.start_rss = self.peak = self._now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def _sample(self):
        while not self._stop.wait(0.02 if not self.pids else 0.25):
            self.peak = max(self.peak, self._now())

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.c0
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._now())
        self.mb = ((self.peak if self.pids else self.peak - self.start_rss)) / 2**20


def load() -> str:
    """The load average (1, 5, 15 minutes), to print beside every figure."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.node()}: {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


RESULTS = Path(__file__).resolve().parent / "results"


def publish(lines: list[str], path: Path, **data) -> None:
    """Print a benchmark's table and write its figures (with the time) as JSON to ``path``."""
    import datetime as dt
    import json

    print("\n".join(lines))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), **data},
                               ensure_ascii=False, indent=2))
    print(f"written: {path}")
