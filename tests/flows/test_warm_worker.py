"""``huanjie worker`` runs each flow run in a warm process: forked from its forkserver, which
imported Prefect and huanjie once (huanjie.flows.warm_worker), not a fresh interpreter per
run. A run that crashes is reported Crashed and the worker goes on; a worker killed with
SIGKILL leaves no flow-run process behind."""

from __future__ import annotations

import json
import os
import signal
import time

import httpx
from prefect.deployments.runner import EntrypointType

from huanjie.settings import PrefectSettings
from tests.factories import make_campaign
from tests.fixtures.scenario import COUNTY
from tests.flows import warm_flows
from tests.flows.prefect_cluster import prefect_server, start_worker, stop_tree, wait_ready

TIMEOUT = 600  # seconds: generous, the machine may be loaded


def _deploy(api: str, flow_) -> str:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}):
        flow_.to_deployment(name="warm-test", entrypoint_type=EntrypointType.MODULE_PATH,
                            work_pool_name=PrefectSettings().work_pool).apply()
    return f"{flow_.name}/warm-test"


def _submit(api: str, name: str, out) -> str:
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api}):
        return str(run_deployment(name, parameters={"out": str(out)}, timeout=0).id)


def _state(api: str, run_id: str) -> str:
    return httpx.get(f"{api}/flow_runs/{run_id}", timeout=30).json()["state_type"]


def _wait_for(what: str, done, worker) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not done():
        proc, log = worker
        assert proc.poll() is None, f"{what}: worker died\n" + log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"{what}: timed out\n" + log.read_text()[-3000:]
        time.sleep(0.5)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is dead too
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_runs_are_forked_warm_a_crash_is_reported_and_a_killed_worker_leaves_no_child(pg_url, pg_ctx, tmp_path):
    from huanjie.service.users import add_user

    make_campaign(pg_ctx)  # the worker's county office needs a county
    add_user(pg_ctx, name=COUNTY, role="county_office", scope_kind="county", scope=None)
    with prefect_server(pg_url, tmp_path) as api:
        worker = start_worker(api, pg_url, tmp_path, "w1", actor=COUNTY)
        try:
            wait_ready([worker])
            note, crash, linger = (_deploy(api, f) for f in (warm_flows.note, warm_flows.crash, warm_flows.linger))

            outs = [tmp_path / f"note{i}.json" for i in range(2)]
            runs = [_submit(api, note, out) for out in outs]
            _wait_for("note runs", lambda: all(_state(api, r) == "COMPLETED" for r in runs), worker)
            seen = [json.loads(out.read_text()) for out in outs]
            assert all(s["preloaded"] for s in seen)  # imported before the run, by the forkserver
            assert seen[0]["ppid"] == seen[1]["ppid"] != worker[0].pid  # both forked by one standing process
            assert seen[0]["pid"] != seen[1]["pid"]  # each run in a process of its own

            crashed = _submit(api, crash, tmp_path / "crash.json")
            _wait_for("crash run", lambda: _state(api, crashed) == "CRASHED", worker)
            after = _submit(api, note, tmp_path / "after.json")  # the worker goes on
            _wait_for("run after the crash", lambda: _state(api, after) == "COMPLETED", worker)

            lingering = _submit(api, linger, tmp_path / "linger.json")
            _wait_for("lingering run", lambda: (tmp_path / "linger.json").exists(), worker)
            child = json.loads((tmp_path / "linger.json").read_text())["pid"]
            os.kill(worker[0].pid, signal.SIGKILL)
            deadline = time.monotonic() + TIMEOUT
            while _alive(child):
                assert time.monotonic() < deadline, "the flow-run process outlived its worker"
                time.sleep(0.5)
            assert lingering
        finally:
            stop_tree(worker[0])
