from __future__ import annotations

import pytest

from tests.fixtures.stores import SQLITE


@pytest.fixture
def cli_store(stores, tmp_path, monkeypatch):
    """The store of the commands a test runs as processes (tests/cli/test_foundation_cli.huanjie): on SQLite
    the default file under HUANJIE_DATA_DIR, as a user runs them; on PostgreSQL a fresh database named by
    HUANJIE_DATABASE_URL. The URL either way."""
    if stores.backend == SQLITE:
        monkeypatch.delenv("HUANJIE_DATABASE_URL", raising=False)
        yield f"sqlite:///{tmp_path / 'data' / 'huanjie.db'}"
        return
    url = stores.fresh(tmp_path)
    monkeypatch.setenv("HUANJIE_DATABASE_URL", url)
    yield url
    stores.drop(url)
