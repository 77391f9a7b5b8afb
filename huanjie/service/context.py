"""What every service function needs: the store and the clock, built once by the entrypoint."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from huanjie.clock import Clock, SystemClock
from huanjie.settings import StoreSettings


@dataclass
class Context:
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    # The machine's time, for leases between processes (huanjie.service.claims): the campaign
    # clock above may be pinned (HUANJIE_NOW), and a pinned clock never lets a lease expire.
    wall: Clock = field(default_factory=SystemClock)
    lease_seconds: float = 60.0  # a crashed worker's cases are taken up this long after its last renewal


def open_context(settings: StoreSettings | None = None, clock: Clock | None = None) -> Context:
    """Connect to the configured store, migrating it to the newest schema."""
    from huanjie.store.db import make_engine, upgrade

    settings = settings or StoreSettings()
    engine = make_engine(settings.url())
    upgrade(engine)
    return Context(engine=engine, clock=clock or SystemClock())


@dataclass(frozen=True)
class Actor:
    """Who acts: a named user with a role (the CLI's --as, later the web login)."""

    name: str
    role: str
    scope_kind: str = "county"
    scope: str | None = None
    county: str | None = None  # None: every county (the system, a city/provincial auditor)


SYSTEM = Actor(name="system", role="system")
