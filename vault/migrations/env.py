"""Alembic environment: migrations run against the configured database, tables from vault.tables."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import vault.tables  # noqa: F401 - registers every table on SQLModel.metadata
from vault.db import engine_for
from vault.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    url = config.attributes.get("url") or get_settings().effective_database_url
    engine = engine_for(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
