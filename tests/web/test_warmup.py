"""The warm-up of a fresh server (web.warmup): it prepares exactly what a request derives, and the
server answers while it runs."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from huanjie.service import views
from huanjie.service.todo import todo_list
from huanjie.web import warmup
from huanjie.web.app import create_app
from huanjie.web.settings import WebSettings
from tests.web.world import APPROVER, COUNTY, build_world


def _board(view) -> tuple:
    return (view.total, view.matching, dict(view.risk_counts), dict(view.state_counts),
            {k: dict(c) for k, c in view.stage_counts.items()}, [(r.code, r.state, r.risk) for r in view.rows])


def test_warmup_prepares_what_a_request_derives(ctx, clock):
    build_world(ctx, clock)
    views._kept.clear()
    names = warmup.warm_users(ctx, 100)
    assert APPROVER in names and COUNTY in names
    assert warmup.prepare(ctx, 100) == len(names)
    for name in (APPROVER, COUNTY):
        assert ("todo", name, None, None, None, None) in {k[2:] for k in views._kept._entries}  # kept by the warm-up
        warmed = views.kept_todo(ctx, actor_name=name)
        assert warmed == todo_list(ctx, actor_name=name)
        warmed_board = _board(views.board_view(ctx, actor_name=name))
        views._kept.clear()
        assert warmed_board == _board(views.board_view(ctx, actor_name=name))
        assert warmed_board[0] > 0
        views._kept.clear()
        warmup.prepare(ctx, 100)


def test_warmup_is_bounded(ctx, clock):
    build_world(ctx, clock)
    assert len(warmup.warm_users(ctx, 1)) == 1
    assert warmup.warm_users(ctx, 1)[0] != COUNTY  # township users come first


def test_server_answers_while_warming(ctx, clock, monkeypatch):
    build_world(ctx, clock)
    views._kept.clear()
    release, started = threading.Event(), threading.Event()
    warmed = []

    def slow(ctx, name):
        started.set()
        assert release.wait(120)
        warmed.append(name)

    monkeypatch.setattr(warmup, "warm_user", slow)
    app = create_app(ctx, WebSettings(worker=False, scheduler=False, secure_cookies=False))
    with TestClient(app) as client:
        assert started.wait(120)
        assert client.get("/login").status_code == 200  # ready while the warm-up is held
        assert not app.state.warmup.finished.is_set()
        release.set()
        assert app.state.warmup.finished.wait(120)
    assert warmed
