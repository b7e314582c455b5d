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
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one, which a referenced table
            # with rows cannot survive while foreign keys are enforced. The pragma works only outside
            # a transaction; the keys are checked once the migrations are done, before they commit.
            connection.exec_driver_sql("COMMIT")
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the migrations stay one transaction
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left rows pointing nowhere: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run()
