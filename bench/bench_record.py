"""Benchmark: ``record`` of V3.2 for a village of 400 registered voters, with every check and
the dry run of its documents (D18, the 400-name voter list), must take <= 1 s warm.

Run: ./dev bench (or python -m pytest bench/bench_record.py -o addopts= -s)

Shown beside a baseline measured in the same run: a one-fact ``--merge`` record of the same
step — the same transaction, checks and document dry run over facts already checked. Also
timed: recording V3.1, the list itself (400 entries typed, each 身份证号 checked).
"""

from __future__ import annotations

import time

from tests.facts.conftest import walk_to
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import VillageDriver, add_staff, launch_all

LIMIT_SECONDS = 1.0
ROUNDS = 5


def _best(fn) -> float:
    fn()  # warm
    times = []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def test_record_v32_with_400_voters(tmp_path):
    from huanjie.clock import MovableClock
    from huanjie.service.context import Context
    from huanjie.store.db import make_engine, upgrade

    clock = MovableClock("2026-07-01T09:00:00")
    engine = make_engine(f"sqlite:///{tmp_path / 'huanjie.db'}")
    upgrade(engine)
    ctx = Context(engine=engine, clock=clock)
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    driver = VillageDriver(ctx, clock, campaign.code, "V001")
    walk_to(driver, "V3.1")
    v31 = _best(lambda: driver.record("V3.1"))  # 400 voters, each 身份证号 checked (re-recorded while pending)
    walk_to(driver, "V3.2")
    assert len(driver.states()["V3.1"].facts["voters"]) == 400
    from huanjie.service.records import record_facts
    from tests.fixtures.scenario import CLERK

    p11 = driver.states()["P1.1"]
    v32 = _best(lambda: driver.record("V3.2"))
    # baseline: a one-fact correction of the same step in the same case
    baseline = _best(lambda: record_facts(ctx, actor_name=CLERK, village_code="V001", step_key="V3.2",
                                          facts={"published": True}, merge=True))
    result = driver.record("V3.2")
    assert result.failures == [] and result.status == "pending"
    print(f"\nrecord V3.2 (400 voters, checks + D18 dry run): {v32:.3f} s; "
          f"baseline record of one fact (merge) in the same run: {baseline:.3f} s; limit {LIMIT_SECONDS} s; "
          f"V3.1 (the 400-voter list itself): {v31:.3f} s (P1.1 done on {p11.done_on})")
    assert v31 <= LIMIT_SECONDS
    assert v32 <= LIMIT_SECONDS
