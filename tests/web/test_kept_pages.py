"""Pages kept rendered between requests (web.deps.kept): each session gets its own CSRF token, and a
kept page follows every change, the day, and (the village's pages) every event."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from huanjie.service.accounts import AccountSettings, login
from huanjie.service.gates import decide_gate
from huanjie.web.app import create_app
from huanjie.web.settings import WebSettings
from tests.web.world import APPROVER, PASSWORD, build_world

CSRF = re.compile(r'name="csrf" value="([^"]*)"')
STATUS = re.compile(r'<dt>状态</dt><dd><span class="status status-(\w+)"')


@pytest.fixture
def client(ctx, clock):
    from huanjie.service.views import _kept

    build_world(ctx, clock)
    _kept.clear()
    app = create_app(ctx, WebSettings(worker=False, scheduler=False, secure_cookies=False))
    with TestClient(app) as c:
        yield c


def _session(ctx) -> tuple[dict, str]:
    token, info = login(ctx, name=APPROVER, password=PASSWORD, settings=AccountSettings())
    return {"hj_session": token}, info.csrf


def _page(client, path: str, cookies: dict) -> str:
    client.cookies.clear()
    r = client.get(path, cookies=cookies)
    assert r.status_code == 200, (path, r.status_code)
    return r.text


def test_one_rendering_serves_each_session_with_its_own_csrf_token(ctx, client, monkeypatch):
    (first, first_csrf), (second, second_csrf) = _session(ctx), _session(ctx)
    pages = ["/inbox", "/board", "/village/V001", "/village/V001/step/P2.3"]
    shown = {path: _page(client, path, first) for path in pages}
    import huanjie.web.views.board as board_route
    import huanjie.web.views.inbox as inbox_route
    import huanjie.web.views.village as village_route

    def derived_again(**_kw):
        raise AssertionError("a kept page was derived again")

    for module, name in ((inbox_route, "kept_todo"), (board_route, "board_view"), (village_route, "village_page")):
        monkeypatch.setattr(module, name, derived_again)
    for path in pages:
        again = _page(client, path, second)
        tokens = set(CSRF.findall(again))
        assert tokens == {second_csrf}, path  # the logout form at least; never the other session's
        assert again == shown[path].replace(first_csrf, second_csrf)


def test_a_kept_page_follows_a_decision_and_the_day(ctx, clock, client):
    cookies, _ = _session(ctx)
    gates = re.compile(r"/village/V001/step/(P\d\.\d)")
    assert "P2.3" in gates.findall(_page(client, "/inbox", cookies))
    assert STATUS.findall(_page(client, "/village/V001/step/P2.3", cookies)) == ["awaiting"]
    decide_gate(ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=True)
    assert "P2.3" not in gates.findall(_page(client, "/inbox", cookies))
    assert STATUS.findall(_page(client, "/village/V001/step/P2.3", cookies)) == ["done"]
    board = _page(client, "/board", cookies)
    today = clock.today()
    assert f"今天 {today}" in board
    clock.advance(days=1)
    cookies, _ = _session(ctx)  # yesterday's session has timed out
    assert f"今天 {clock.today()}" in _page(client, "/board", cookies)
