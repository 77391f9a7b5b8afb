"""Prefect mode end to end: a Prefect server on loopback with its own PostgreSQL database, two
``huanjie worker`` processes on the work pool, huanjie's store on PostgreSQL.

200 villages in two townships are launched through ``huanjie launch`` (which submits their
flow runs), their first gates (P1.2) are recorded and approved, and every village advances
exactly once: no step done twice, no event doubled, the audit chains intact and the replay
equal to the store. Then one worker is killed with SIGKILL (its flow-run processes too) in the
middle of a batch: the other takes the cases up once the lease has expired and finishes them.
Each township may run one flow run at a time, so the killed run must be marked Crashed for its
township's queue to take the new run (a run left RUNNING would hold the slot for ever).
``huanjie serve`` runs beside the workers until then: gates approved through its HTTP API go on
through flow runs its dispatcher submitted.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlmodel import col, func, select

from huanjie.service.context import Context
from huanjie.settings import PrefectSettings
from huanjie.store.db import reading
from huanjie.store.models import Case, Event, StepState
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import APPROVER, CLERK, COUNTY, RECORDER, VillageDriver, add_staff
from tests.flows.prefect_cluster import prefect_server, start_serve, start_worker, stop_tree, wait_ready, worker_env

NOW = "2026-07-20T10:00:00"
LEASE = 20  # seconds: short, so the killed worker's cases come back within the test
TOWNS = ("城关镇", "东山乡")
EAST = ("东山乡甲", "东山乡乙", "东山乡审批")  # clerk, recorder, approver of the second township
SETTINGS = {"HUANJIE_NOW": NOW, "HUANJIE_LEASE_SECONDS": str(LEASE), "HUANJIE_BATCH_SIZE": "50",
            "HUANJIE_POLL_INTERVAL": "20", "HUANJIE_PREFECT_TOWNSHIP_LIMIT": "1",
            "HUANJIE_PREFECT_WORKER_LIMIT": "1"}


def _staff(ctx) -> None:
    from huanjie.service.users import add_user

    add_staff(ctx, TOWNS[0])
    for name, role in zip(EAST, ("village_clerk", "township_approver", "township_approver"), strict=True):
        add_user(ctx, name=name, role=role, scope_kind="township", scope=TOWNS[1], actor_name=COUNTY)


class Village(VillageDriver):
    def __init__(self, ctx, clock, campaign_code, code, township):
        super().__init__(ctx, clock, campaign_code, code)
        self.staff = (CLERK, RECORDER, APPROVER) if township == TOWNS[0] else EAST

    def record(self, step_key: str, variant=None, **overrides):
        from huanjie.service.records import record_facts

        spec = self.env.catalogue.step(step_key)
        who = self.staff[0] if spec.actor == "village" else self.staff[1]
        facts = self.facts.for_step(step_key, self.clock.today(), variant)
        return record_facts(self.ctx, actor_name=who, village_code=self.village_code, step_key=step_key, facts=facts)

    def approve(self, step_key: str, who=None):
        from huanjie.service.gates import decide_gate

        return decide_gate(self.ctx, actor_name=self.staff[2], village_code=self.village_code, step_key=step_key,
                           approve=True)


def _count(ctx, *where) -> int:
    with reading(ctx.engine) as s:
        return s.exec(select(func.count()).select_from(StepState).where(*where)).one()


def _wait(what: str, done, procs, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        for proc, log in procs:
            assert proc.poll() is None, f"{what}: worker died\n" + log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"{what}: timed out\n{_picture()}\n" + "".join(
            l.read_text()[-2000:] for _, l in procs)
        time.sleep(0.3)


_SEEN = {}


def _picture() -> str:
    """What the store and Prefect's server say, for a failure message."""
    import httpx

    ctx, api = _SEEN["ctx"], _SEEN["api"]
    with reading(ctx.engine) as s:
        steps = s.exec(select(StepState.step_key, StepState.status, func.count()).where(
            col(StepState.step_key).in_(["P1.1", "P1.2", "P1.3"])).group_by(StepState.step_key, StepState.status)).all()
        woken = s.exec(select(func.count()).select_from(Case).where(col(Case.wake) > col(Case.ran))).one()
    try:
        runs = Counter(r["state_type"] for r in httpx.post(f"{api}/flow_runs/filter", json={}, timeout=30).json())
    except Exception as exc:  # noqa: BLE001
        runs = repr(exc)
    return f"steps {sorted(steps)}; woken {woken}; flow runs {runs}"


def _idle(ctx) -> bool:
    with reading(ctx.engine) as s:
        return not s.exec(select(func.count()).select_from(Case).where(
            (col(Case.wake) > col(Case.ran)) | col(Case.lease_owner).is_not(None))).one()


def _no_doubles(ctx) -> Counter:
    with reading(ctx.engine) as s:
        rows = s.exec(select(Event.chain, Event.kind, Event.village_code, Event.election, Event.step_key)
                      .where(col(Event.village_code).is_not(None))).all()
    counts = Counter(rows)
    doubled = {k: n for k, n in counts.items() if n > 1}
    assert not doubled, list(doubled.items())[:10]
    return Counter(kind for _, kind, *_ in rows)


def _audit(env, campaign_code, villages) -> None:
    run = lambda *a: subprocess.run([sys.executable, "-m", "huanjie", *a, "--as", COUNTY],  # noqa: E731
                                    env=env, capture_output=True, text=True, timeout=600)
    verify = run("audit", "verify", "--campaign", campaign_code)
    assert verify.returncode == 0 and "全部完整" in verify.stdout, verify.stdout + verify.stderr


def _replay_equal(ctx, villages) -> None:
    from huanjie.audit.check import check_village

    for v in villages:
        assert check_village(ctx, village_code=v.village_code, actor_name=COUNTY) == [], v.village_code


@pytest.mark.scale
def test_two_prefect_workers_advance_200_villages_once_and_survive_a_kill(pg_ctx, clock, pg_url, tmp_path):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from huanjie.flows.deploy import submit

    ctx = pg_ctx
    clock.set(NOW)
    campaign = make_campaign(ctx)
    rows = [(f"K{i:03d}", f"第{i}村", TOWNS[i % 2]) for i in range(200)]
    make_villages(ctx, campaign, rows)
    _staff(ctx)

    with prefect_server(pg_url, tmp_path) as api:
        _SEEN.update(ctx=ctx, api=api)
        workers, serve = [], None
        try:
            env = worker_env(api, pg_url, tmp_path, "cli", **SETTINGS)
            launch = subprocess.run([sys.executable, "-m", "huanjie", "launch", "--campaign", campaign.code, "--all",
                                     "--as", COUNTY], env=env, capture_output=True, text=True, timeout=600)
            assert launch.returncode == 0 and "已启动 200 个村" in launch.stdout, launch.stdout + launch.stderr
            assert _idle(ctx)  # launched cases with nothing to move are marked run without a flow run
            villages = [Village(ctx, clock, campaign.code, code, town) for code, _, town in rows]
            for v in villages:  # the first steps up to the first gate, before the workers start:
                v.record("P1.1")  # their dispatchers then submit them in batches of 50 per township
                v.record("P1.2")
            workers += [start_worker(api, pg_url, tmp_path, name, actor=COUNTY, **SETTINGS) for name in ("w1", "w2")]
            # its dispatcher looks more often than the workers' (20 s): it submits most of what is woken below
            serve = start_serve(api, pg_url, tmp_path, **SETTINGS, HUANJIE_WEB_WORKER_INTERVAL="3")
            wait_ready(workers)
            _wait("first gates reached", lambda: _count(ctx, StepState.step_key == "P1.2",
                                                       StepState.status == "awaiting") == 200, workers, 600)
            prefect_ctx = Context(engine=ctx.engine, clock=ctx.clock, batch_size=50, lease_seconds=LEASE,
                                  prefect=PrefectSettings(api_url=api, township_limit=1))
            by_web = [villages[0], villages[1]]  # one of each township, approved through serve's HTTP API
            for v in villages[2:]:
                v.approve("P1.2")
            for v in by_web:
                _approve_by_web(ctx, serve[2], v)
            with temporary_settings({PREFECT_API_URL: api}):  # as `huanjie gate approve` does in Prefect mode
                submit(prefect_ctx, [c for v in villages for c in v.case_ids])
            _wait("gates approved, next steps", lambda: _count(ctx, StepState.step_key == "P1.2",
                                                              StepState.status == "done") == 200, workers, 600)
            _wait("runs marked", lambda: _idle(ctx), workers, 120)
            kinds = _no_doubles(ctx)
            assert kinds["step.done"] == 400, kinds  # P1.1 and P1.2 of each village, each once
            assert _completed_runs_of(api, serve[0].pid), serve[1].read_text()[-3000:]  # serve's dispatcher submitted
            stop_tree(serve[0], sig=15)
            assert serve[0].returncode is not None and "Traceback" not in serve[1].read_text(), serve[1].read_text()[-3000:]
            _audit(env, campaign.code, villages)

            # one worker killed with SIGKILL in the middle of a batch
            for v in villages[:100]:
                v.record("P1.3")
            in_batch = _leased_midway(ctx, workers)
            victim, run_id = _worker_running(api, workers, in_batch)
            held = _leases(ctx, in_batch["cases"])
            stop_tree(victim[0])  # the worker and its flow-run processes: no lease is released
            survivor = [w for w in workers if w is not victim]
            expires = max(until for _, until in held.values())
            assert dt.datetime.now(dt.timezone.utc) < expires
            _wait("the killed worker's cases taken over", lambda: _leases(ctx, in_batch["cases"]) != held
                  and all(owner != held[c][0] for c, (owner, _) in _leases(ctx, in_batch["cases"]).items()),
                  survivor, 300)
            taken_at = dt.datetime.now(dt.timezone.utc)
            assert taken_at >= expires - dt.timedelta(seconds=1), (taken_at, expires)  # not before the lease expired
            assert _run_state(api, run_id) == "CRASHED"  # marked before its cases were claimed again
            _wait("the rest of P1.3", lambda: _count(ctx, StepState.step_key == "P1.3", StepState.status == "done")
                  == 100, survivor, 600)
            _wait("runs marked", lambda: _idle(ctx), survivor, 120)
            kinds = _no_doubles(ctx)
            assert kinds["step.done"] == 500, kinds
            _audit(env, campaign.code, villages)
            _replay_equal(ctx, villages)
        finally:
            for proc, _ in workers:
                stop_tree(proc, sig=15)
            if serve is not None:
                stop_tree(serve[0], sig=15)


def _leases(ctx, case_ids) -> dict[int, tuple[str | None, dt.datetime | None]]:
    with reading(ctx.engine) as s:
        rows = s.exec(select(Case.id, Case.lease_owner, Case.lease_until).where(col(Case.id).in_(case_ids))).all()
    return {case_id: (owner, until.replace(tzinfo=dt.timezone.utc) if until and until.tzinfo is None else until)
            for case_id, owner, until in rows}


def _leased_midway(ctx, workers) -> dict:
    """A batch some of whose P1.3 steps are done and some not, while its lease is held."""
    deadline = time.monotonic() + 300
    while True:
        with reading(ctx.engine) as s:
            rows = s.exec(select(Case.id, Case.lease_owner, StepState.status).join(StepState, StepState.case_id == Case.id)
                          .where(col(Case.lease_owner).is_not(None), StepState.step_key == "P1.3")).all()
        by_owner: dict[str, list] = {}
        for case_id, owner, status in rows:
            by_owner.setdefault(owner, []).append((case_id, status))
        for owner, cases in by_owner.items():
            done = sum(1 for _, status in cases if status == "done")
            if 0 < done < len(cases) - 2:
                return {"owner": owner, "cases": [c for c, _ in cases]}
        for proc, log in workers:
            assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "no batch was seen midway"
        time.sleep(0.05)


def _worker_running(api, workers, batch):
    """The worker whose flow-run process runs the batch (by the flow run's parameters)."""
    import httpx

    from tests.flows.prefect_cluster import children

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = httpx.post(f"{api}/flow_runs/filter", json={"flow_runs": {"state": {"type": {"any_": ["RUNNING"]}}}},
                          timeout=30).json()
        for run in runs:
            if run["parameters"].get("owner") == batch["owner"] and run.get("infrastructure_pid"):
                pid = int(str(run["infrastructure_pid"]).rsplit(":", 1)[-1])
                for worker in workers:
                    if pid in children(worker[0].pid):
                        return worker, run["id"]
        time.sleep(0.2)
    raise AssertionError("the batch's flow run was not found on either worker")


def _run_state(api, run_id) -> str:
    import httpx

    return httpx.get(f"{api}/flow_runs/{run_id}", timeout=30).json()["state_type"]


def _approve_by_web(ctx, base: str, village) -> None:
    import httpx

    from huanjie.service.accounts import create_token

    token = create_token(ctx, name=village.staff[2], actor_name=COUNTY, label="测试")
    answer = httpx.post(f"{base}/api/villages/{village.village_code}/steps/P1.2/decision", json={"decision": "approve"},
                        headers={"Authorization": f"Bearer {token}"}, timeout=120)
    assert answer.status_code == 200 and answer.json()["status"] == "done", answer.text


def _completed_runs_of(api, pid: int) -> int:
    """Completed flow runs a process submitted (its owner name, a tag of each run, holds its pid)."""
    import httpx

    runs = httpx.post(f"{api}/flow_runs/filter", json={"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}},
                      timeout=30).json()
    return sum(1 for r in runs for tag in r["tags"] if tag.startswith("submit:") and tag.split(":")[2] == str(pid))
