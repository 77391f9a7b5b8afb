"""The flow moves on its own: commands say what moves a step, workers beat, Prefect outages are explained."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from huanjie.errors import Conflict
from huanjie.service.follow_up import next_move
from huanjie.service.gates import decide_gate
from huanjie.service.workers import beat, live_workers, register_worker, stop_worker
from tests.fixtures.scenario import APPROVER, COUNTY, VillageDriver, launched_county

NOW = "2026-07-20T10:00:00"


@pytest.fixture
def driver(ctx, clock):
    clock.set(NOW)
    campaign = launched_county(ctx)
    return VillageDriver(ctx, clock, campaign.code, "V001")


def test_approving_a_step_that_has_not_run_says_what_is_needed(ctx, driver):
    for key in ("P1.1", "P1.3", "P2.1", "P2.2", "P2.3"):
        driver.record(key)
    with pytest.raises(Conflict) as caught:
        decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=True)
    error = caught.value
    assert "流程尚未运行到审批环节" in error.message and "待办" in error.message
    assert "pending" not in str(error)  # labels, not codes
    text = " ".join(p.message for p in error.problems)
    assert "P2.2" in text and "已填报，待流程运行" in text  # it waits for earlier recorded steps

    move = next_move(ctx, village_code="V001", step_key="P2.3", wait_seconds=0)
    assert move.needs_run and move.workers == 0
    assert "huanjie run" in move.message and "huanjie worker" in move.message and "没有运行中的工作进程" in move.message

    driver.run()
    move = next_move(ctx, village_code="V001", step_key="P2.3", wait_seconds=0)
    assert move.status_label == "等待审批" and APPROVER in move.holds[0]["text"] and not move.needs_run
    assert move.message == ""
    decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=True)
    move = next_move(ctx, village_code="V001", step_key="P2.3", wait_seconds=0)
    assert move.status_label == "已完成"
    assert [(s["step"], s["holds"][0]["kind"]) for s in move.next_steps] == [("P3.1", "facts")]
    with pytest.raises(Conflict, match="已完成"):
        decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=True)


def test_a_gate_without_facts_says_they_are_missing(ctx, driver):
    with pytest.raises(Conflict) as caught:
        decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=True)
    assert "尚未填报事实" in caught.value.message
    assert "P2.2" in caught.value.problems[0].message  # and what it waits for


def test_heartbeats_tell_live_workers_from_stopped_and_silent_ones(ctx, clock):
    from huanjie.clock import MovableClock, SystemClock

    assert live_workers(ctx) == []
    worker = register_worker(ctx)
    assert [w.id for w in live_workers(ctx)] == [worker]
    later = MovableClock(SystemClock().now().add(seconds=60))
    assert live_workers(ctx, wall=later) == []  # silent for a minute: taken for dead
    beat(ctx, worker, state="ready", wall=later)
    assert [w.state for w in live_workers(ctx, wall=later)] == ["ready"]
    stop_worker(ctx, worker, wall=later)
    assert live_workers(ctx, wall=later) == []


def test_a_running_worker_picks_a_woken_village_up(ctx, clock, db_url, tmp_path, driver):
    env = {**os.environ, "HUANJIE_DATABASE_URL": db_url, "HUANJIE_NOW": NOW, "PREFECT_HOME": str(tmp_path / "pf")}
    log = open(tmp_path / "worker.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "huanjie", "worker", "--interval", "0.25", "--as", COUNTY], env=env,
                            stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 240  # Prefect's temporary server starts slowly on a busy machine
        while not [w for w in live_workers(ctx) if w.state == "ready"]:
            assert proc.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker never became ready"
            time.sleep(0.2)
        [worker] = live_workers(ctx)
        assert worker.pid == proc.pid
        driver.record("P1.1")
        started = time.monotonic()
        move = next_move(ctx, village_code="V001", step_key="P1.1", wait_seconds=120)
        took = time.monotonic() - started
        assert move.ran and move.status_label == "已完成" and move.message == ""
        print(f"\nworker picked the woken village up and ran it in {took:.2f} s")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0, (tmp_path / "worker.log").read_text()[-3000:]
    assert live_workers(ctx) == []  # it marked itself stopped


def test_run_with_an_unreachable_prefect_api_ends_with_a_chinese_message(ctx, db_url, tmp_path, driver):
    driver.record("P1.1")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HUANJIE_DATABASE_URL": db_url, "HUANJIE_NOW": NOW, "PREFECT_HOME": str(tmp_path / "pf"),
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
    proc = subprocess.run([sys.executable, "-m", "huanjie", "run", "--as", COUNTY], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    err = proc.stderr.replace("\n", "")  # rich wraps at 80 columns
    assert "无法连接 Prefect 服务器" in err and "已重试 4 次" in err and "均已保存" in err
    assert driver.states()["P1.1"].status == "pending"  # nothing ran, nothing lost: the next run carries on
