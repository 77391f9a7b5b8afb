"""The context flow and task runs of this process use.

A driver that runs flows in its own process hands its context in (``using``). A flow run that
a Prefect worker started in a process of its own has no driver: ``current`` then builds the
context once for the process from its settings (``build_context(load_settings())``: the
worker's HUANJIE_* environment, which its flow-run processes inherit).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from huanjie.service.context import Context

_current: Context | None = None
_built: Context | None = None
_lock = threading.Lock()


@contextmanager
def using(ctx: Context):
    from huanjie.flows.server_lifetime import install

    install()  # a killed run or worker must not leave Prefect's API server behind
    global _current
    previous, _current = _current, ctx
    try:
        yield ctx
    finally:
        _current = previous


def current() -> Context:
    """The driver's context, or else this process's own, built from its settings once."""
    if _current is not None:
        return _current
    global _built
    with _lock:
        if _built is None:
            from huanjie.service.context import build_context
            from huanjie.settings import load_settings

            _built = build_context(load_settings())
    return _built
