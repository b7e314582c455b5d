"""Alembic migrations go up and down on SQLite and PostgreSQL, and match the tables in code."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import vault.tables  # noqa: F401 - the whole schema
from vault import migrate
from vault.db import engine_for


def test_up_down_up(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = engine_for(database_url)
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    migrate.downgrade(database_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(database_url)
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())


def test_migrations_match_the_models(database_url: str) -> None:
    migrate.upgrade(database_url)
    with engine_for(database_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
