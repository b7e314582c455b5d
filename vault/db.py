"""The database engine and the unit of work: one request or task is one transaction, committed at the boundary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from vault.settings import get_settings

AfterCommit = Callable[[], None]


_engines: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per database URL for the life of the process."""
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = _create(url)
    return engine


def dispose_engines() -> None:
    """Close every pool (tests, and a worker child after fork)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def _create(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Connection) -> None:
            # Take the write lock at the start, so concurrent writers (API and worker processes)
            # queue instead of failing on a lock upgrade; WAL readers are not blocked.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def get_engine() -> Engine:
    return engine_for(get_settings().effective_database_url)


def after_commit(session: Session, callback: AfterCommit) -> None:
    """Run `callback` only once the unit of work has committed (e.g. enqueue a Celery task)."""
    session.info.setdefault("after_commit", []).append(callback)


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """Open a session, commit at the end (or roll back on error), then run the after-commit hooks.

    Application code only flushes; this boundary is the one place that commits.
    """
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        session.info.pop("after_commit", None)
        raise
    else:
        for callback in session.info.pop("after_commit", []):
            callback()
    finally:
        session.close()


def keep(session: Session) -> None:
    """Commit now what this request decided and logged, because it is about to fail: a refusal, a
    failed sign-in or a failure is remembered although the request's unit of work will not commit it
    (ADR 0006). One of the two places besides `unit_of_work` that commit, each named for its reason."""
    session.commit()


def release(session: Session) -> None:
    """Commit now, before slow work (ffmpeg, a worker, a body streaming in): what is decided and logged
    is kept, and no transaction (on SQLite, the write lock) waits for the work."""
    session.commit()


def get_session() -> Iterator[Session]:
    """FastAPI dependency: the request-scoped unit of work."""
    with unit_of_work() as session:
        yield session


# Commit before the response is sent (scope="function"): a client is never told "done" for a
# transaction that has not committed, and a failing commit becomes the error the client sees.
DB = Annotated[Session, Depends(get_session, scope="function")]
