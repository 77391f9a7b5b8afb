"""Warm-up of a fresh server: what the first users of the day need, prepared on a thread after start.

Right after ``huanjie serve`` starts nothing is derived yet: without warm-up the first round of
users (everyone signing in at 8 am after a restart) each waits for their township's data to be
derived while the others' derivations hold the same two cores. At start ``compile_pages`` compiles
the templates and imports what the pages import on first use; then the thread started here, while
the server already answers, derives each active user's inbox and board (first page, no filters) through the same kept calls a
request makes (service.views: keyed by the newest event id and the day), so what it prepares is
what a request would derive and a change made meanwhile is derived again as always. It only reads
(no write lock); memory stays within the kept stores' own bounds (at most ``users`` users warmed).
"""

from __future__ import annotations

import importlib
import logging
import threading

from huanjie.service.context import Context

log = logging.getLogger(__name__)
# modules the pages import inside functions, on their first request
LAZY = ("huanjie.service.todo", "huanjie.service.status", "huanjie.service.summaries", "huanjie.service.progress_rows",
        "huanjie.service.accounts", "huanjie.audit.timeline", "huanjie.steps.catalogue", "huanjie.web.forms")


def warm_user(ctx: Context, name: str) -> None:
    """Derive what ``name``'s first /inbox and /board derive (the same kept entries)."""
    from huanjie.errors import HuanjieError
    from huanjie.service.views import board_view, kept_todo

    for derive in (kept_todo, board_view):
        try:
            derive(ctx, actor_name=name)
        except HuanjieError:  # a role without an inbox or board: its page shows the refusal as always
            pass


def warm_users(ctx: Context, limit: int) -> list[str]:
    """The active users to warm, at most ``limit``: township users first (the many who each need their own
    township's data), then county-wide, then village users."""
    from sqlmodel import select

    from huanjie.store.db import reading
    from huanjie.store.models import User

    order = {"township": 0, "county": 1, "village": 2}
    with reading(ctx.engine) as session:
        rows = session.exec(select(User.name, User.scope_kind).where(User.active == True)  # noqa: E712
                            .order_by(User.id)).all()
    return [name for name, _ in sorted(rows, key=lambda r: order.get(r[1], 3))][:limit]


def compile_pages() -> None:
    """The templates compiled and the lazily imported modules imported (well under a second; at start)."""
    from huanjie.web.deps import templates

    for module in LAZY:
        importlib.import_module(module)
    for name in templates.list_templates():
        templates.get_template(name)


def prepare(ctx: Context, users: int, stop: threading.Event | None = None) -> int:
    """Up to ``users`` users' inbox and board derived; how many."""
    done = 0
    for name in warm_users(ctx, users):
        if stop is not None and stop.is_set():
            break
        warm_user(ctx, name)
        done += 1
    return done


class WarmUp:
    """``prepare`` on a daemon thread, started after the server's own start; ``close`` stops it between users."""

    def __init__(self, ctx: Context, users: int) -> None:
        self.ctx, self.users = ctx, users
        self.stop = threading.Event()
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._run, name="huanjie-warmup", daemon=True)

    def start(self) -> WarmUp:
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            prepare(self.ctx, self.users, self.stop)
        except Exception:  # the pages derive it themselves on first request; the log says why
            log.exception("warm-up failed")
        finally:
            self.finished.set()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=60)
