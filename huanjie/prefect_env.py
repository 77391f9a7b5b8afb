"""Prefect's settings for huanjie, applied by the composition root before Prefect is imported.

Prefect reads its settings from the environment when it is first imported, so these are
environment defaults (a value the operator set wins): its own PREFECT_HOME under the data
directory, no analytics, quiet logs, none of the API server's scheduling services (our flows
are run by our own worker, never scheduled by Prefect: the ephemeral API server need not run
them on this machine's two cores), and a long ephemeral start-up timeout.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

_SERVICES = ("CANCELLATION_CLEANUP", "FOREMAN", "LATE_RUNS", "SCHEDULER", "PAUSE_EXPIRATIONS", "REPOSSESSOR",
             "CLEANUP_RECONCILER", "TRIGGERS")


def prefect_defaults(data_dir: Path, *, worker_query_seconds: float = 0.5) -> dict[str, str]:
    defaults = {
        "PREFECT_HOME": str((data_dir / "prefect").resolve()),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_LOGGING_TO_API_ENABLED": "false",
        "PREFECT_TASKS_DEFAULT_NO_CACHE": "true",  # steps are idempotent in our store
        # The ephemeral API server takes far longer than Prefect's 20 s default to start on a busy
        # two-core machine ("Timed out while attempting to connect to ephemeral Prefect API server").
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        # A Prefect worker (Prefect mode) asks for runs to start this often (Prefect's default 10 s
        # would put up to 10 s between a gate decision and its next step).
        "PREFECT_WORKER_QUERY_SECONDS": f"{worker_query_seconds:g}",
    }
    defaults.update({f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in _SERVICES})
    return defaults


def apply_prefect_defaults(data_dir: Path, environ: MutableMapping[str, str] | None = None, *,
                           worker_query_seconds: float = 0.5) -> None:
    """Set each default the environment does not already set, and create PREFECT_HOME."""
    environ = os.environ if environ is None else environ
    for name, value in prefect_defaults(data_dir, worker_query_seconds=worker_query_seconds).items():
        environ.setdefault(name, value)
    Path(environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
