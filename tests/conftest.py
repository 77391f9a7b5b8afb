from __future__ import annotations

import os

import pytest

from huanjie.clock import MovableClock
from huanjie.service.context import Context
from huanjie.store.db import make_engine
from tests.fixtures import stores as store_backends
from tests.fixtures.postgres import postgres_server
from tests.fixtures.stores import POSTGRESQL, SERVER_VAR, SQLITE

# Fixtures that hand a test a store; a test using any of them (directly or through another
# fixture) is marked ``store`` and runs on each backend's pass.
_STORE_FIXTURES = {"stores", "sqlite_stores", "pg_stores"}


def pytest_addoption(parser):
    parser.addoption("--store", choices=(SQLITE, POSTGRESQL), default=None,
                     help="the backend of every test's store: sqlite (default) or postgresql (a throwaway loopback "
                          "server unless HUANJIE_DATABASE_URL names one)")


def _backend(config) -> str:
    return config.getoption("--store") or (POSTGRESQL if os.environ.get(SERVER_VAR) else SQLITE)


def pytest_configure(config):
    # The session's PostgreSQL server: HUANJIE_DATABASE_URL names it (python -m tests.fixtures.postgres sets it);
    # moved aside so that no test's process falls back on the server's own database.
    url = os.environ.pop("HUANJIE_DATABASE_URL", None)
    if url and url.startswith("postgresql"):
        os.environ[SERVER_VAR] = url
    if config.getoption("--store") == POSTGRESQL and not os.environ.get(SERVER_VAR) \
            and not hasattr(config, "workerinput"):  # xdist's workers inherit the controller's server
        config._pg_server = postgres_server()
        started = config._pg_server.__enter__()
        if started is None:
            raise pytest.UsageError("--store=postgresql: PostgreSQL is not installed (./dev test installs it)")
        os.environ[SERVER_VAR] = started
    # The test session's composition root: Prefect's settings (huanjie.prefect_env) before
    # any test imports Prefect; tests that build their own Context bypass build_context.
    from huanjie.prefect_env import apply_prefect_defaults
    from huanjie.settings import StoreSettings

    apply_prefect_defaults(StoreSettings().data_dir)
    for line in (
        "scale: a multi-process scale-out test (minutes); run by .ci/run as its own pass with HUANJIE_SCALE_TESTS=1",
        "store: the test uses a store (set from its fixtures); the PostgreSQL pass runs only these",
        "sqlite(reason): the test is about SQLite itself (its file, its locking); skipped on the PostgreSQL pass",
        "postgresql: the test is about PostgreSQL itself (on the SQLite pass too, on a throwaway server)",
    ):
        config.addinivalue_line("markers", line)


def pytest_unconfigure(config):
    server = getattr(config, "_pg_server", None)
    if server is not None:
        server.__exit__(None, None, None)


def pytest_collection_modifyitems(config, items):
    """Markers from the fixtures a test uses, then what this pass skips: the SQLite pass runs every test
    (PostgreSQL ones on a throwaway server); the PostgreSQL pass every test that uses a store, except those
    about SQLite itself. Scale-out tests run only when asked (HUANJIE_SCALE_TESTS=1): .ci/run runs them
    after the suites, so each suite stays within its time budget."""
    backend = _backend(config)
    scale = os.environ.get("HUANJIE_SCALE_TESTS") == "1"
    for item in items:
        names = set(item.fixturenames)
        if "sqlite_stores" in names and "stores" not in names:
            item.add_marker(pytest.mark.sqlite)
        if "pg_stores" in names and "stores" not in names:
            item.add_marker(pytest.mark.postgresql)
        if names & _STORE_FIXTURES or item.get_closest_marker("sqlite") or item.get_closest_marker("postgresql"):
            item.add_marker(pytest.mark.store)
        if "scale" in item.keywords and not scale:
            item.add_marker(pytest.mark.skip(reason="scale-out test: set HUANJIE_SCALE_TESTS=1 (.ci/run does)"))
        elif backend == POSTGRESQL and item.get_closest_marker("sqlite"):
            item.add_marker(pytest.mark.skip(reason="SQLite test: runs in the SQLite pass"))
        elif backend == POSTGRESQL and not item.get_closest_marker("store"):
            item.add_marker(pytest.mark.skip(reason="uses no store: the same on every backend, run in the SQLite pass"))


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_stores(tmp_path_factory):
    return store_backends.SqliteStores(tmp_path_factory.mktemp("sqlite-stores"))


@pytest.fixture(scope="session")
def pg_stores():
    if os.environ.get(SERVER_VAR):
        found = store_backends.PostgresStores(os.environ[SERVER_VAR], _worker())
        yield found
        found.close()
        return
    with postgres_server() as url:  # a PostgreSQL test asked for on its own
        if url is None:
            pytest.skip("PostgreSQL is not installed (./dev test installs it)")
        found = store_backends.PostgresStores(url, _worker())
        yield found
        found.close()


@pytest.fixture(scope="session")
def stores(request):
    """The session's backend: where ``db_url`` and ``ctx`` are, and the templates of built worlds."""
    return request.getfixturevalue("pg_stores" if _backend(request.config) == POSTGRESQL else "sqlite_stores")


@pytest.fixture
def clock():
    return MovableClock("2026-08-01T09:00:00")


def _fresh(backend_stores, tmp_path):
    url = backend_stores.fresh(tmp_path)
    yield url
    backend_stores.drop(url)


@pytest.fixture
def db_url(stores, tmp_path):
    """A fresh migrated store on the session's backend."""
    yield from _fresh(stores, tmp_path)


@pytest.fixture
def sqlite_url(sqlite_stores, tmp_path):
    yield from _fresh(sqlite_stores, tmp_path / "sqlite")


@pytest.fixture
def pg_url(pg_stores, tmp_path):
    yield from _fresh(pg_stores, tmp_path)


def _context(url, clock):
    engine = make_engine(url)
    yield Context(engine=engine, clock=clock)
    engine.dispose()


@pytest.fixture
def ctx(db_url, clock):
    yield from _context(db_url, clock)


@pytest.fixture
def sqlite_ctx(sqlite_url, clock):
    yield from _context(sqlite_url, clock)


@pytest.fixture
def pg_ctx(pg_url, clock):
    """A fresh migrated database on the session's PostgreSQL server."""
    yield from _context(pg_url, clock)
