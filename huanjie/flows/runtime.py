"""The store and clock that flow and task runs of this process use (set by the driver)."""

from __future__ import annotations

from contextlib import contextmanager

from huanjie.service.context import Context

_current: Context | None = None


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
    if _current is None:
        raise RuntimeError("flows need huanjie.flows.runtime.using(ctx)")
    return _current
