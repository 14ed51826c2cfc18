"""Alembic environment: the target metadata is the SQLModel metadata of ledger.store.models."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, Engine, engine_from_config, event, pool
from sqlmodel import SQLModel

import ledger.store.models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def _transactional_sqlite_ddl(engine: Engine) -> None:
    """Make CREATE/ALTER part of the migration's transaction on SQLite.

    pysqlite opens a transaction only before INSERT/UPDATE/DELETE, so each DDL statement used to
    commit on its own: a kill -9 during the first migration left some tables and an empty
    alembic_version, and every later upgrade failed with "table ... already exists".
    """

    @event.listens_for(engine, "connect")
    def _driver_does_not_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def run_migrations_online() -> None:
    """Run migrations on a live connection, all of them in one transaction."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    if connectable.dialect.name == "sqlite":
        _transactional_sqlite_ddl(connectable)
    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, transactional_ddl=True
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
