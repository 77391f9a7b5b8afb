"""Benchmark: the county's weekly digest over 10,000 villages must be built in <= 5 s.

Run: python -m pytest bench/bench_digest.py --benchmark-enable

"Built" is what the sweep does before archiving: the villages' summaries, the query of the
step rows it lists, the per-village aggregation (overdue, due in 7/14 days, gates, provisional,
invalidated, stage counts, risk levels and their changes since the last digest) and the HTML,
markdown and robot renderings.
The PDF is left out: for a province-sized county digest it is hundreds of pages, and the
sweep renders it per township. The rows are bulk-inserted straight into a migrated SQLite
file, with the campaign's real plan for the due dates and a seeded mix of states: past steps
88 % done, the rest overdue, waiting at a gate, blocked or reopened; this week's gated steps
25 % waiting; everything later pending. The villages' summaries are then written once, as every
change in a real store keeps them.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import time

import pendulum
import pytest

from huanjie.clock import MovableClock
from huanjie.reminders.digest import build_digest
from huanjie.reminders.render import render_brief, render_html, render_markdown
from huanjie.service.context import Context
from huanjie.steps.env import campaign_env
from huanjie.store.db import make_engine, reading, upgrade
from tests.factories import make_campaign

VILLAGES, TOWNSHIPS = 10_000, 100
LIMIT_SECONDS = 5.0
AS_OF = pendulum.datetime(2026, 8, 24, 8, tz="Asia/Shanghai")
STAMP = "2026-08-20 02:00:00.000000"  # naive UTC, as the store keeps aware times in SQLite


def _insert(path, campaign) -> None:
    env = campaign_env(campaign)
    plan = env.plan()
    steps = env.catalogue.steps()
    rnd = random.Random(20260824)
    today = AS_OF.date()
    db = sqlite3.connect(path)
    with db:
        db.executemany("INSERT INTO township (id, campaign_id, name) VALUES (?,?,?)",
                       [(t + 1, campaign.id, f"第{t + 1:03d}镇") for t in range(TOWNSHIPS)])
        db.executemany("INSERT INTO village (id, campaign_id, township_id, code, name, households, groups) "
                       "VALUES (?,?,?,?,?,?,?)",
                       [(v + 1, campaign.id, v % TOWNSHIPS + 1, f"V{v:05d}", f"第{v:05d}村", 300, 5)
                        for v in range(VILLAGES)])
        cases = [(2 * v + i + 1, campaign.id, v + 1, election) for v in range(VILLAGES)
                 for i, election in enumerate(("party", "vc"))]
        db.executemany("INSERT INTO \"case\" (id, campaign_id, village_id, election, catalogue_version, "
                       "profile_version, calendar_version, launched_at, wake, ran) VALUES (?,?,?,?,?,?,?,?,1,1)",
                       [(*c, campaign.catalogue_version, campaign.profile_version, campaign.calendar_version, STAMP)
                        for c in cases])
        rows = []
        for case_id, _, village_id, election in cases:
            for spec in steps:
                if spec.election != election:
                    continue
                p = plan[spec.key]
                status, invalidated, draw = "pending", False, rnd.random()
                if p.due < today:  # most past steps done; the rest overdue, waiting, blocked or redone
                    if draw < 0.88:
                        status = "done"
                    elif draw < 0.92 and spec.gate:
                        status = "awaiting"
                    elif draw < 0.95:
                        status = "blocked"
                    invalidated = status == "pending" and rnd.random() < 0.05
                elif p.due < today + dt.timedelta(days=7):  # this week: some recorded and waiting
                    status = "awaiting" if spec.gate and draw < 0.25 else ("done" if draw < 0.1 else "pending")
                facts = json.dumps({"risk_level": rnd.choice(("green", "yellow", "red"))}) \
                    if spec.key == "P1.1" and status == "done" else None
                rows.append((case_id, spec.key, status, p.due.isoformat(), p.statutory, p.provisional, "[]", "{}",
                             facts, STAMP if status == "awaiting" else None, "[]", 1, False, False, invalidated))
        db.executemany("INSERT INTO step_state (case_id, step_key, status, due, statutory, provisional, warnings, "
                       "milestones, facts, recorded_at, failures, attempt, late, overdue_noted, invalidated) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.close()


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "digest.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ctx = Context(engine=engine, clock=MovableClock("2026-08-01T09:00:00"))
    campaign = make_campaign(ctx)
    engine.dispose()
    _insert(path, campaign)
    from huanjie.service.summaries import backfill

    backfill(ctx.engine)  # each village's summary, as every write keeps it (service.summaries)
    yield ctx, campaign.code
    engine.dispose()


def _build(ctx, code: str):
    with reading(ctx.engine) as session:
        digest = build_digest(session, campaign_code=code, week="2026-W35", as_of=AS_OF)
    return digest, render_html(digest), render_markdown(digest), render_brief(digest, 30)


def _raw_read(ctx) -> tuple[float, int]:
    """Baseline: the bare read of the county's step rows the derivation starts from (no derivation)."""
    import time

    from huanjie.service.progress_rows import _from_steps, fetch
    from huanjie.store.models import StepState, Village

    started = time.perf_counter()
    with reading(ctx.engine) as session:
        rows = fetch(session, _from_steps(Village.id, StepState.id, StepState.step_key, StepState.status,
                                          StepState.due, StepState.statutory, StepState.provisional,
                                          StepState.invalidated, StepState.note, StepState.recorded_by,
                                          StepState.attempt))
    return time.perf_counter() - started, len(rows)


def _full(ctx, code: str):
    """Baseline: the same digest from every village's full rows (service.progress_rows.load_progress)."""
    from huanjie.reminders import digest as digest_module
    from huanjie.service.progress_rows import load_progress

    def every_row(session, catalogue, today, *, campaign_id, township, until):
        return load_progress(session, catalogue, today, campaign_id=campaign_id, township=township)

    listed, digest_module.listed_villages = digest_module.listed_villages, every_row
    try:
        started, cpu = time.perf_counter(), time.process_time()
        digest = _build(ctx, code)[0]
        return time.perf_counter() - started, time.process_time() - cpu, digest
    finally:
        digest_module.listed_villages = listed


def test_county_digest_of_10000_villages(benchmark, county):
    ctx, code = county
    raw = [_raw_read(ctx) for _ in range(3)]
    full_s, full_cpu, full = _full(ctx, code)
    digest, html, markdown, brief = benchmark.pedantic(lambda: _build(ctx, code), rounds=3, iterations=1,
                                                       warmup_rounds=1)
    raw_s = sorted(r[0] for r in raw)[1]
    assert digest.as_dict() == full.as_dict()  # only the listed rows read, the same digest
    cpu = time.process_time()  # on a busy machine: the process's own CPU time, beside the wall time
    _build(ctx, code)
    cpu_s = time.process_time() - cpu
    assert digest.villages == VILLAGES and digest.overdue and digest.gates and digest.due_7
    assert sum(digest.risk_counts.values()) == VILLAGES
    assert "第00042村" in html and "第00042村" in markdown and len(brief) < 8_000
    seconds = benchmark.stats.stats.median
    benchmark.extra_info["seconds"] = round(seconds, 3)
    print(f"\ncounty digest: {VILLAGES:,} villages in {seconds:.2f} s (HTML {len(html) // 1024:,} KiB; "
          f"{len(digest.overdue):,} overdue, {len(digest.gates):,} gates, {len(digest.due_7):,} + "
          f"{len(digest.due_14):,} due within 7 / 14 days); baseline: the bare read of its {raw[0][1]:,} step rows "
          f"{raw_s:.2f} s, the digest {seconds / raw_s:.1f}× that; the same digest from every village's full rows "
          f"{full_s:.2f} s ({seconds / full_s:.2f}×); CPU time of one digest {cpu_s:.2f} s, from every row "
          f"{full_cpu:.2f} s ({cpu_s / full_cpu:.2f}×)")
    assert seconds <= LIMIT_SECONDS, f"the digest took {seconds:.2f} s, over {LIMIT_SECONDS} s"
