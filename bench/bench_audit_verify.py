"""Benchmark: `huanjie audit verify` over 1,000,000 events must run at >= 200,000 events/s.

Run: python -m pytest bench/bench_audit_verify.py --benchmark-only
(pyproject's addopts carry --benchmark-skip, which --benchmark-enable does not override.)

The events are bulk-inserted straight into a migrated SQLite file, hashed with the store's own
reference encoding (huanjie.store.events.event_hash), so the benchmark also checks that the
verifier's fast encoding agrees with it on a million rows.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from huanjie.audit.verify import verify
from huanjie.clock import MovableClock
from huanjie.service.context import Context
from huanjie.store.db import make_engine, upgrade
from huanjie.store.events import GENESIS, EventDraft, event_hash

TOTAL = 1_000_000
REQUIRED_RATE = 200_000
CHAINS = {"HJ2026-001": TOTAL - 2_000, "system": 2_000}
START = dt.datetime(2026, 8, 1, 1, 0, tzinfo=dt.timezone.utc)
LAUNCH_STEPS = {f"P{s}.{i}": {"due": "2026-09-01", "provisional": False, "statutory": i == 2}
                for s in range(1, 7) for i in range(1, 4)}


def _draft(i: int) -> EventDraft:
    """A mix like a real county's chain: mostly step events, ~1% large launch payloads."""
    village = f"V{i % 5000:04d}"
    at = START + dt.timedelta(seconds=i)
    if i % 100 == 0:
        return EventDraft("case.launched", "县换届办", "county_office", at, village_code=village, election="party",
                          payload={"catalogue_version": "2026.1", "profile": "national", "profile_version": "2020.1",
                                   "calendar_version": "cn-holidays:2020-2026", "steps": LAUNCH_STEPS,
                                   "anchors": {"D_P": "2026-09-15", "D_V": "2026-10-12"}})
    step = f"P{i % 6 + 1}.{i % 3 + 1}"
    kind = ("step.recorded", "deadline.moved", "gate.decided", "step.done")[i % 4]
    payload = {"step.recorded": {"facts": {"date": "2026-08-05", "应到会": 35, "实到会": 30 + i % 5,
                                           "委员候选人": ["张三", "李四", "王五"]}, "failures": [], "attempt": 1},
               "deadline.moved": {"from": "2026-09-01", "to": "2026-09-02", "provisional": False,
                                  "reason": "依据 P2.3 的实际完成日 2026-08-20"},
               "gate.decided": {"decision": "approve", "reason": None, "attempt": 1, "gate": "township"},
               "step.done": {"done_on": "2026-08-20", "due": "2026-09-01", "late": False, "attempt": 1}}[kind]
    return EventDraft(kind, "李村干", "village_clerk", at, payload=payload, village_code=village, election="party",
                      step_key=step)


def _insert(db: sqlite3.Connection, chain: str, count: int) -> None:
    prev, rows = GENESIS, []
    for seq in range(1, count + 1):
        d = _draft(seq)
        digest = event_hash(chain, seq, d, prev)
        rows.append((chain, seq, d.kind, d.actor, d.role, d.at.strftime("%Y-%m-%d %H:%M:%S.%f"), d.village_code,
                     d.election, d.step_key, json.dumps(d.payload), prev, digest))
        prev = digest
        if len(rows) == 50_000 or seq == count:
            db.executemany("INSERT INTO event (chain, seq, kind, actor, role, at, village_code, election, step_key, "
                           "payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            rows.clear()
    db.execute("INSERT INTO chain_head (chain, seq, hash) VALUES (?,?,?)", (chain, count, prev))


@pytest.fixture(scope="module")
def million_events(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "audit.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    db = sqlite3.connect(path)
    with db:
        for chain, count in CHAINS.items():
            _insert(db, chain, count)
    db.close()
    engine = make_engine(f"sqlite:///{path}")
    yield Context(engine=engine, clock=MovableClock("2026-11-01T09:00:00"))
    engine.dispose()


def test_verify_a_million_events(benchmark, million_events):
    report = benchmark.pedantic(lambda: verify(million_events), rounds=3, iterations=1, warmup_rounds=1)
    assert report.intact and report.events == TOTAL
    # the fastest round: other processes on a shared machine only ever add time
    rate = TOTAL / benchmark.stats.stats.min
    benchmark.extra_info["events_per_second"] = round(rate)
    print(f"\naudit verify: {rate:,.0f} events/s over {TOTAL:,} events")
    assert rate >= REQUIRED_RATE, f"audit verify ran at {rate:,.0f} events/s, below {REQUIRED_RATE:,}"
