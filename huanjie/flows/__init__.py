"""Prefect flows over the step catalogue.

Why this shape (measured on this machine, Prefect 3.8.8, no server): an async flow costs
≈0.25 s, a subflow 0.2–2 s, a task ≈5 ms, and 10 concurrent flows on the ephemeral SQLite
API server took 15 s. ``pause_flow_run`` would keep a process per waiting gate and dies with
it; ``suspend_flow_run`` needs a deployment and result storage and replays from the top.
So gates, facts and the audit trail live in our store; a flow runs a *batch* of cases as far
as each can go (to the first step without facts, failing a check, or at an undecided gate)
and ends. A gate decision is one store transaction that wakes the case; the next run
(``huanjie worker`` or ``huanjie run``) carries on from there, idempotently.

Importing this package changes nothing in the process: Prefect's settings are applied by
the composition root (huanjie.service.context.build_context, huanjie.prefect_env) before
Prefect is first imported.
"""
