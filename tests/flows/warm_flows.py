"""Flows for tests/flows/test_warm_worker.py: each writes what its process is to a file."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

from prefect import flow


def _note(out: str) -> None:
    Path(out).write_text(json.dumps({"pid": os.getpid(), "ppid": os.getppid(),
                                     "preloaded": "huanjie.flows.warm_child" in sys.modules}))


@flow(name="warm-note")
def note(out: str) -> None:
    _note(out)


@flow(name="warm-crash")
def crash(out: str) -> None:
    _note(out)
    os.kill(os.getpid(), signal.SIGKILL)


@flow(name="warm-linger")
def linger(out: str) -> None:
    _note(out)
    time.sleep(600)
