"""Alembic environment: migrations run against the engine Planbot hands in."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def _engine():  # type: ignore[no-untyped-def]
    """The engine is handed in by `storage.db.upgrade` (settings stay in the layers above storage)."""
    engine = context.config.attributes.get("connection_engine")
    if engine is None:
        raise RuntimeError("run migrations with `planbot db upgrade` (it passes the database in), not alembic directly")
    return engine


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            # One transaction for the whole upgrade, on SQLite too (it has transactional
            # DDL; Alembic assumes not): the version is read and every migration applied
            # under one write lock, so processes starting together on a new file cannot
            # both apply the same migration.
            transactional_ddl=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
