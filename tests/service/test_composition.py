"""One composition root: build_context from settings; importing huanjie writes no environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from huanjie.clock import MovableClock, SystemClock
from huanjie.prefect_env import apply_prefect_defaults
from huanjie.service.context import build_context
from huanjie.settings import ClockSettings, EngineSettings, Settings, StoreSettings


@pytest.mark.sqlite(reason="the default store: <data_dir>/huanjie.db when no database URL is set")
def test_build_context_takes_everything_from_the_settings(tmp_path):
    settings = Settings(store=StoreSettings(data_dir=tmp_path), clock=ClockSettings(now="2026-07-20T10:00:00"),
                        engine=EngineSettings(batch_size=7, lease_seconds=30, poll_interval=2))
    ctx = build_context(settings)
    try:
        assert isinstance(ctx.clock, MovableClock) and ctx.clock.now().isoformat().startswith("2026-07-20T10:00:00")
        assert isinstance(ctx.wall, SystemClock)  # leases run on the machine's time even with a pinned clock
        assert (ctx.batch_size, ctx.lease_seconds, ctx.poll_interval) == (7, 30, 2)
        assert (tmp_path / "huanjie.db").exists()
        with ctx.engine.connect() as conn:  # migrated, including this branch's lease columns
            columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info('case')")}
        assert {"lease_owner", "lease_until"} <= columns
    finally:
        ctx.engine.dispose()
    assert isinstance(build_context(Settings(store=StoreSettings(data_dir=tmp_path))).clock, SystemClock)


def test_engine_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HUANJIE_BATCH_SIZE", "50")
    monkeypatch.setenv("HUANJIE_LEASE_SECONDS", "5")
    assert (Settings().engine.batch_size, Settings().engine.lease_seconds) == (50, 5)


def test_prefect_defaults_keep_what_the_operator_set(tmp_path):
    env = {"PREFECT_LOGGING_LEVEL": "DEBUG"}
    apply_prefect_defaults(tmp_path, env)
    assert env["PREFECT_HOME"] == str((tmp_path / "prefect").resolve()) and (tmp_path / "prefect").is_dir()
    assert env["PREFECT_LOGGING_LEVEL"] == "DEBUG"
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"] == "false"
    assert env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "180"


def test_importing_the_cli_and_the_flows_writes_no_environment_and_no_prefect(tmp_path):
    code = ("import json, os, sys; before = dict(os.environ);"
            "import huanjie.cli.main, huanjie.flows, huanjie.flows.driver, huanjie.flows.worker, huanjie.demo.run;"
            "print(json.dumps({'changed': sorted(k for k in os.environ if os.environ.get(k) != before.get(k)),"
            "'prefect': 'prefect' in sys.modules}))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True, timeout=300)
    assert json.loads(out.stdout) == {"changed": [], "prefect": False}
    assert not (tmp_path / "data").exists()  # no PREFECT_HOME made at import either


def test_the_cli_applies_prefect_settings_before_it_runs_a_flow(tmp_path):
    """`huanjie run` builds its context first: Prefect then finds its home under the data dir."""
    code = ("import os; from huanjie.cli.common import context; context();"
            "import prefect.settings as s; print(s.get_current_settings().home)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "HUANJIE_"))}
    env["HUANJIE_DATA_DIR"] = str(tmp_path / "d")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True, timeout=300)
    assert out.stdout.strip() == str((tmp_path / "d" / "prefect").resolve())


def test_a_bad_setting_is_said_in_chinese_with_exit_code_2(tmp_path):
    env = {**os.environ, "HUANJIE_DATA_DIR": str(tmp_path), "HUANJIE_BATCH_SIZE": "abc", "HUANJIE_LEASE_SECONDS": "0",
           "HUANJIE_NOW": "明天", "COLUMNS": "80"}
    out = subprocess.run([sys.executable, "-m", "huanjie", "status"], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 2 and "Traceback" not in out.stderr + out.stdout
    text = out.stderr + out.stdout
    for expected in ("HUANJIE_BATCH_SIZE 的值无效：应为整数", "HUANJIE_LEASE_SECONDS 的值无效：应不小于 1",
                     "HUANJIE_NOW 的值无效：应为 ISO 8601 时间"):
        assert expected in text, text
    assert not (tmp_path / "huanjie.db").exists()  # nothing written
