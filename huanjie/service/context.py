"""What every service function needs: the store and the clock, built once by the entrypoint."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from huanjie.clock import Clock, SystemClock
from huanjie.settings import PrefectSettings, Settings


@dataclass
class Context:
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    # The machine's time, for leases between processes (huanjie.service.claims): the campaign
    # clock above may be pinned (HUANJIE_NOW), and a pinned clock never lets a lease expire.
    wall: Clock = field(default_factory=SystemClock)
    lease_seconds: float = 60.0  # a crashed worker's cases are taken up this long after its last renewal
    batch_size: int = 200  # cases claimed and run together in one flow run
    poll_interval: float = 0.25  # seconds between a worker's rounds
    # Where flow runs go (huanjie.flows.deploy): None or no API URL, this process runs them itself
    prefect: PrefectSettings | None = None

    @property
    def wakeup(self):
        """Cases woken in this process (huanjie.service.wakeup): the in-process worker runs them at once."""
        from huanjie.service.wakeup import wakeup_for

        return wakeup_for(self.engine)

    @property
    def submits(self) -> bool:
        """Flow runs are submitted to the Prefect work pool (PREFECT_API_URL is set)."""
        return self.prefect is not None and self.prefect.submits


def build_context(settings: Settings | None = None, *, clock: Clock | None = None) -> Context:
    """The composition root: the one place a Context is built (the CLI, the worker, the demo, the
    web server, and a flow run in a Prefect worker's process through huanjie.flows.runtime). Applies Prefect's
    settings before Prefect is imported, connects to the store and migrates it to the newest
    schema. ``clock`` overrides the settings' clock (the demo moves its own)."""
    from huanjie.clock import MovableClock
    from huanjie.prefect_env import apply_prefect_defaults
    from huanjie.store.db import make_engine, upgrade

    if settings is None:
        from huanjie.settings import load_settings

        settings = load_settings()
    apply_prefect_defaults(settings.store.data_dir, worker_query_seconds=settings.prefect.query_seconds)
    engine = make_engine(settings.store.url())
    upgrade(engine)
    if clock is None:
        clock = MovableClock(settings.clock.now) if settings.clock.now else SystemClock()
    return Context(engine=engine, clock=clock, lease_seconds=settings.engine.lease_seconds,
                   batch_size=settings.engine.batch_size, poll_interval=settings.engine.poll_interval,
                   prefect=settings.prefect)


@dataclass(frozen=True)
class Actor:
    """Who acts: a named user with a role (the CLI's --as, later the web login)."""

    name: str
    role: str
    scope_kind: str = "county"
    scope: str | None = None
    county: str | None = None  # None: every county (the system, a city/provincial auditor)


SYSTEM = Actor(name="system", role="system")
