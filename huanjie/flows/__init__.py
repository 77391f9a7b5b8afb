"""Prefect flows over the step catalogue.

Why this shape (measured on this machine, Prefect 3.8.8, no server): an async flow costs
≈0.25 s, a subflow 0.2–2 s, a task ≈5 ms, and 10 concurrent flows on the ephemeral SQLite
API server took 15 s. ``pause_flow_run`` would keep a process per waiting gate and dies with
it; ``suspend_flow_run`` needs a deployment and result storage and replays from the top.
So gates, facts and the audit trail live in our store; a flow runs a *batch* of cases as far
as each can go (to the first step without facts, failing a check, or at an undecided gate)
and ends. A gate decision is one store transaction that wakes the case; the next run
(``huanjie worker`` or ``huanjie run``) carries on from there, idempotently.

Importing this package configures Prefect defaults (own PREFECT_HOME under the data
directory, no analytics, quiet logs) unless the environment already sets them.
"""

import os

from huanjie.settings import StoreSettings

os.environ.setdefault("PREFECT_HOME", str((StoreSettings().data_dir / "prefect").resolve()))
os.makedirs(os.environ["PREFECT_HOME"], exist_ok=True)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
# Our flows are run by our own worker, never scheduled by Prefect: the ephemeral API server
# need not run its scheduling and clean-up services on this machine's two cores.
for _service in ("CANCELLATION_CLEANUP", "FOREMAN", "LATE_RUNS", "SCHEDULER", "PAUSE_EXPIRATIONS", "REPOSSESSOR",
                 "CLEANUP_RECONCILER", "TRIGGERS"):
    os.environ.setdefault(f"PREFECT_SERVER_SERVICES_{_service}_ENABLED", "false")
os.environ.setdefault("PREFECT_TASKS_DEFAULT_NO_CACHE", "true")  # steps are idempotent in our store
# The ephemeral API server takes far longer than Prefect's 20 s default to start on a busy two-core
# machine ("Timed out while attempting to connect to ephemeral Prefect API server").
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
