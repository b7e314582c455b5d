"""Alembic migrations go up and down on SQLite and PostgreSQL, and match the tables in code."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, func, insert, inspect, select
from sqlalchemy.sql import sqltypes
from sqlmodel import SQLModel

import vault.tables  # noqa: F401 - the whole schema
from vault import migrate
from vault.db import engine_for


def test_migrations_match_the_models(database_url: str) -> None:
    migrate.upgrade(database_url)
    with engine_for(database_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


# --- Up and down with data: every table holds a row at every step, and keeps it. ------------------


def _value(column: Column[Any], n: int) -> Any:
    """A value of the column's type that any check in the schema accepts for a plain row."""
    kind = column.type
    if isinstance(kind, sqltypes.Uuid) or "UUID" in str(kind).upper():
        return uuid.uuid4()
    if isinstance(kind, sqltypes.Boolean):
        return False
    if isinstance(kind, sqltypes.DateTime):
        return datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    if isinstance(kind, sqltypes.Date):
        return date(2026, 1, 2)
    if isinstance(kind, (sqltypes.Integer, sqltypes.Numeric, sqltypes.Float)):
        return n
    if isinstance(kind, sqltypes.LargeBinary):
        return b"\x00" * 4
    if isinstance(kind, sqltypes.JSON):
        return {}
    if isinstance(kind, sqltypes.String):
        length = getattr(kind, "length", None) or 32
        if length == 32 and column.name.endswith("id"):  # SQLite keeps a UUID as CHAR(32)
            return uuid.uuid4().hex
        return f"v{n}"[:length]
    raise AssertionError(f"no test value for {column.table.name}.{column.name}: {kind!r}")


def _fill(engine: Engine, done: dict[str, dict[str, Any]]) -> None:
    """Insert one row into every table that has none yet, parents first, pointing at their rows."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.begin() as conn:
        for table in meta.sorted_tables:
            if table.name == "alembic_version" or table.name in done:
                continue
            row: dict[str, Any] = {}
            for n, column in enumerate(table.columns):
                if column.foreign_keys:
                    target = next(iter(column.foreign_keys)).column
                    row[column.name] = done[target.table.name][target.name]
                elif column.primary_key and column.autoincrement is True:
                    continue  # the database numbers it
                elif column.nullable and not column.primary_key:
                    continue
                else:
                    row[column.name] = _value(column, n + 1)
            conn.execute(insert(table).values(**row))
            done[table.name] = dict(conn.execute(select(table)).mappings().one())


def _counts(engine: Engine) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in meta.sorted_tables
            if t.name != "alembic_version"
        }


def test_every_step_up_and_down_keeps_the_rows_of_every_table(database_url: str) -> None:
    """Each revision in turn: fill every table, step up, and every row is still there; then step
    back down to the start, and the rows of every table that remains are kept at every step."""
    config = migrate.alembic_config(database_url)
    revisions = [
        r.revision for r in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))
    ]
    engine = engine_for(database_url)
    done: dict[str, dict[str, Any]] = {}
    before: dict[str, int] = {}
    history: list[dict[str, int]] = []
    for revision in revisions:
        migrate.upgrade(database_url, revision)
        after = _counts(engine)
        lost = {name: n for name, n in before.items() if name in after and after[name] < n}
        assert not lost, f"{revision} lost rows: {lost}"
        _fill(engine, done)
        before = _counts(engine)
        assert all(before.values()), (
            f"{revision}: empty tables {[t for t, n in before.items() if not n]}"
        )
        history.append(before)
    for revision, expected in zip(reversed(revisions[:-1]), reversed(history[:-1]), strict=True):
        migrate.downgrade(database_url, revision)
        now = _counts(engine)
        lost = {name: (now.get(name), n) for name, n in expected.items() if now.get(name, 0) < n}
        assert not lost, f"down to {revision} lost rows: {lost}"
    migrate.downgrade(database_url, "base")
    migrate.upgrade(database_url)
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())


def test_a_clip_before_0019_becomes_a_fragment_without_a_kijkrichting(database_url: str) -> None:
    """A clip cut before the fragments (issue #23) reads as one with no codes, kijkrichting or stills and
    no place in the review; going back down keeps the clip itself."""
    migrate.upgrade(database_url, "0018_event_recorded_by")
    engine = engine_for(database_url)
    _fill(engine, {})
    migrate.upgrade(database_url, "0019_clip_kijkrichting")
    meta = MetaData()
    meta.reflect(engine)
    clip = meta.tables["clip"]
    with engine.begin() as conn:
        row = conn.execute(select(clip)).mappings().one()
        assert (row["codes"], row["kijkrichting"], row["stills"], row["review_position"]) == (
            "[]",
            "",
            "[]",
            None,
        )
        conn.execute(
            clip.update().values(
                codes='["initiatief"]',
                kijkrichting="Kijk naar Sam.",
                stills="[3]",
                review_position=1,
            )
        )
    migrate.downgrade(database_url, "0018_event_recorded_by")
    assert _counts(engine)["clip"] == 1
    assert "kijkrichting" not in {c["name"] for c in inspect(engine).get_columns("clip")}


def test_a_clip_before_0021_has_no_anonymised_copy_and_keeps_itself_going_down(
    database_url: str,
) -> None:
    """A fragment from before issue #24 has no anonymised copy; one that has a copy keeps its other
    columns going back down (the link alone goes)."""
    migrate.upgrade(database_url, "0020_annotation_comments")
    engine = engine_for(database_url)
    _fill(engine, {})
    migrate.upgrade(database_url, "0021_clip_anonymised")
    meta = MetaData()
    meta.reflect(engine)
    clip = meta.tables["clip"]
    copy = uuid.uuid4()
    with engine.begin() as conn:
        row = conn.execute(select(clip)).mappings().one()
        assert row["anonymised_object_id"] is None
        conn.execute(
            clip.update().values(
                anonymised_object_id=copy.hex if database_url.startswith("sqlite") else copy,
                kijkrichting="Kijk naar Sam.",
            )
        )
        assert (
            uuid.UUID(str(conn.execute(select(clip.c.anonymised_object_id)).scalar_one())) == copy
        )
    migrate.downgrade(database_url, "0020_annotation_comments")
    assert _counts(engine)["clip"] == 1
    assert "anonymised_object_id" not in {c["name"] for c in inspect(engine).get_columns("clip")}
    with engine.begin() as conn:
        assert conn.execute(select(clip.c.kijkrichting)).scalar_one() == "Kijk naar Sam."


def test_a_clip_before_0022_mutes_nothing_and_keeps_itself_going_down(database_url: str) -> None:
    """A fragment from before the muted spans has none (an empty list, not NULL); going back down, the
    spans alone go and the clip keeps its anonymised copy and its other columns."""
    migrate.upgrade(database_url, "0021_clip_anonymised")
    engine = engine_for(database_url)
    _fill(engine, {})
    migrate.upgrade(database_url, "0022_clip_mute")
    meta = MetaData()
    meta.reflect(engine)
    clip = meta.tables["clip"]
    copy = uuid.uuid4()
    with engine.begin() as conn:
        assert conn.execute(select(clip.c.mute)).scalar_one() == "[]"
        conn.execute(
            clip.update().values(
                mute="[[1.0, 1.5]]",
                anonymised_object_id=copy.hex if database_url.startswith("sqlite") else copy,
            )
        )
    migrate.downgrade(database_url, "0021_clip_anonymised")
    assert _counts(engine)["clip"] == 1
    assert "mute" not in {c["name"] for c in inspect(engine).get_columns("clip")}
    with engine.begin() as conn:
        kept = conn.execute(select(clip.c.anonymised_object_id)).scalar_one()
        assert uuid.UUID(str(kept)) == copy
