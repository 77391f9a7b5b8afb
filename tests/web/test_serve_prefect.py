"""``huanjie serve`` with its worker in Prefect mode (the default): a gate approved through the HTTP API
moves the next step through a Prefect flow run, with nothing else started. Prefect's ephemeral API
server is slow to start on a busy two-core machine, so every wait here is minutes long."""

from __future__ import annotations

import sqlite3
import time

import httpx
from sqlalchemy import text

from huanjie.service.accounts import create_token
from huanjie.store.db import make_engine, reading
from tests.web.conftest import serving
from tests.web.world import APPROVER, COUNTY

MOVE_TIMEOUT = 480  # seconds: the first round also starts Prefect's ephemeral API server


def _status(server, village: str, step: str) -> str:
    engine = make_engine(server.db_url)
    try:
        with reading(engine) as s:
            return s.execute(text("SELECT s.status FROM step_state s JOIN \"case\" c ON c.id = s.case_id JOIN village v "
                                  "ON v.id = c.village_id WHERE v.code = :v AND s.step_key = :k"),
                             {"v": village, "k": step}).scalar_one()
    finally:
        engine.dispose()


def test_serve_in_prefect_mode_moves_the_next_step_after_an_approval(stores, world_db, tmp_path):
    env = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "420",
           "PREFECT_HOME": str(tmp_path / "prefect")}  # a Prefect of its own, to count its flow runs
    with serving(stores, world_db, tmp_path, env=env) as server:  # no --no-prefect: the worker runs Prefect flows
        assert _status(server, "V001", "P3.1") == "pending"  # recorded while P2.3 waits
        token = create_token(server.ctx(), name=APPROVER, actor_name=COUNTY, label="测试")
        api = httpx.Client(base_url=server.base, timeout=120, headers={"Authorization": f"Bearer {token}"})
        ok = api.post("/api/villages/V001/steps/P2.3/decision", json={"decision": "approve"})
        assert ok.status_code == 200 and ok.json()["status"] == "done", ok.text
        deadline = time.monotonic() + MOVE_TIMEOUT
        while _status(server, "V001", "P3.1") != "done":
            assert server.proc.poll() is None, (tmp_path / "server.log").read_text(errors="replace")
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text(errors="replace")
            time.sleep(1)
        page = api.get("/api/villages/V001").json()
        assert next(s for s in page["steps"] if s["step"] == "P3.1")["status"] == "done"
    # it went through Prefect: the server's own Prefect home holds the flow runs of this round
    with sqlite3.connect(tmp_path / "prefect" / "prefect.db") as conn:
        runs = conn.execute("SELECT count(*) FROM flow_run WHERE state_type = 'COMPLETED'").fetchone()[0]
    assert runs >= 1
