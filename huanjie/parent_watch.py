"""Run a Python module, and stop it when the process that started it dies.

``python -m huanjie.parent_watch PID -m uvicorn ...`` runs uvicorn as ``python -m uvicorn ...``
would, plus a thread that sends SIGTERM to this process once ``PID`` is no longer its parent
(the parent died, even by ``kill -9``, and the child was re-parented), and exits for good if
the server has not stopped ten seconds later. huanjie.flows.server_lifetime starts Prefect's
ephemeral API server this way: before, a killed ``huanjie run`` or ``worker`` left it running
for minutes. (``prctl(PR_SET_PDEATHSIG)`` would tie it to the *thread* that forked it, which
for Prefect may be a short-lived one.)
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading
import time

POLL = 0.5
GRACE = 10.0


def watch_parent(parent: int) -> None:
    """SIGTERM this process once ``parent`` is no longer its parent; exit if still alive ``GRACE``
    seconds later (also a warm flow run's guard, huanjie.flows.warm_child)."""
    while os.getppid() == parent:
        time.sleep(POLL)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE)
    os._exit(1)


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "-m":
        sys.exit("usage: python -m huanjie.parent_watch PID -m MODULE [ARGS...]")
    parent, module = int(argv[0]), argv[2]
    if os.getppid() != parent:  # the parent is already gone
        sys.exit(1)
    threading.Thread(target=watch_parent, args=(parent,), name="parent-watch", daemon=True).start()
    sys.argv = [module, *argv[3:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
