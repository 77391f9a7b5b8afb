"""Prefect's ephemeral API server lives no longer than the process that needs it.

Prefect 3 starts it as a child process (``SubprocessASGIServer``) and stops it at exit; a
``kill -9`` of ``huanjie run`` or ``worker`` skips that, and the server, re-parented to PID 1,
kept running. ``install`` makes Prefect start it through huanjie.parent_watch, which stops it
as soon as its parent is gone.
"""

from __future__ import annotations

import os

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from prefect.server.api import server

    cls = getattr(server, "SubprocessASGIServer", None)
    original = getattr(cls, "_run_uvicorn_command", None)
    if original is None:  # another Prefect version: leave it as it is
        return

    def _run_uvicorn_command(self):
        real_popen = server.subprocess.Popen

        def popen(args, **kwargs):
            if list(args[1:3]) == ["-m", "uvicorn"]:
                args = [args[0], "-m", "huanjie.parent_watch", str(os.getpid()), *args[1:]]
            return real_popen(args, **kwargs)

        server.subprocess = _Subprocess(popen)
        try:
            return original(self)
        finally:
            server.subprocess = _real_subprocess

    cls._run_uvicorn_command = _run_uvicorn_command
    _installed = True


import subprocess as _real_subprocess  # noqa: E402


class _Subprocess:
    """The ``subprocess`` module as Prefect's server module sees it, with our Popen."""

    def __init__(self, popen) -> None:
        self.Popen = popen

    def __getattr__(self, name):
        return getattr(_real_subprocess, name)
