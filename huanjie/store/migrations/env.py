"""Alembic environment: migrations run programmatically from huanjie.store.db.upgrade."""

from alembic import context
from sqlmodel import SQLModel

import huanjie.store.models  # noqa: F401  (registers the tables)
import huanjie.store.reminder_models  # noqa: F401  (the reminders' tables)
import huanjie.store.document_models  # noqa: F401  (rendered documents, 文号 counters)
import huanjie.store.worker_models  # noqa: F401  (worker heartbeats)
import huanjie.store.account_models  # noqa: F401  (passwords, web sessions, API tokens)
import huanjie.store.summary_models  # noqa: F401  (villages' derived summaries)

target_metadata = SQLModel.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
