"""A real ``huanjie serve`` process on a prepared store, and a real browser (Debian chromium)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from huanjie.clock import MovableClock
from huanjie.service.context import Context
from huanjie.store.db import make_engine
from tests.web.world import build_world

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT = 180  # seconds: the machine is shared and busy


@pytest.fixture(scope="session")
def world_db(stores):
    """The built county, once per session (a template on the session's backend); each server gets its own copy."""

    def build(url):
        engine = make_engine(url)
        clock = MovableClock("2026-07-01T09:00:00")
        info = build_world(Context(engine=engine, clock=clock), clock)
        engine.dispose()
        return info

    return stores.template("world", build)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, base: str, db_url: str, info: dict, proc: subprocess.Popen) -> None:
        self.base, self.db_url, self.info, self.proc = base, db_url, info, proc

    def ctx(self) -> Context:
        return Context(engine=make_engine(self.db_url), clock=MovableClock(self.info["now"]))


@contextmanager
def serving(stores, world_db, tmp_path: Path, *flags: str, env: dict | None = None):
    """``huanjie serve`` on a copy of the world, in its own process; ``flags`` as on the command line."""
    source, info = world_db
    db_url = stores.fresh(tmp_path, source)
    try:
        with _serve(db_url, info, tmp_path, flags, env) as server:
            yield server
    finally:
        stores.drop(db_url)


@contextmanager
def _serve(db_url: str, info: dict, tmp_path: Path, flags, env: dict | None):
    port = _free_port()
    env = {**os.environ, "HUANJIE_DATABASE_URL": db_url, "HUANJIE_DATA_DIR": str(tmp_path),
           "HUANJIE_NOW": info["now"], "HUANJIE_LOCK_MINUTES": "15", **(env or {})}
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "huanjie", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--insecure-cookies", "--no-scheduler", *flags],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if httpx.get(base + "/login", timeout=10).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("server did not start:\n" + (tmp_path / "server.log").read_text(errors="replace"))
        time.sleep(0.5)
    try:
        yield Server(base, db_url, info, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def server(stores, world_db, tmp_path):
    with serving(stores, world_db, tmp_path, "--no-prefect") as s:
        yield s


@pytest.fixture
def browser():
    """Playwright's sync API runs its own asyncio loop on this thread, marked running for as long as the
    session lives: ``asyncio.run`` (Prefect flows, the driver) would then fail in any later test. So the
    driver and the browser live for one test only and are stopped (loop closed) when it ends
    (test_event_loop.py proves a later test can call asyncio.run)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (./dev test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # on Linux chromium takes its own words (file chooser, date boxes) from LANGUAGE, not from --lang
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--lang=zh-CN"],
                              env={**os.environ, "LANGUAGE": "zh_CN:zh"},  # LANG stays: UTF-8 file names
                              timeout=START_TIMEOUT * 1000)
        try:
            yield b
        finally:
            b.close()


def new_page(browser, width: int = 1366, height: int = 768, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True,
                                  **options)
    context.set_default_timeout(60_000)  # busy machine
    return context.new_page()


@pytest.fixture
def page(browser):
    pg = new_page(browser)
    yield pg
    pg.context.close()


def login(page, base: str, name: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def page_routes() -> list[tuple[str, set[str]]]:
    """(path, methods) of every page route (the routers the app includes, outside /api/)."""
    from huanjie.web.views import audit, auth, board, county, inbox, village

    return [(r.path, set(r.methods)) for m in (audit, auth, board, county, inbox, village) for r in m.router.routes]
