"""The unit of work commits at the boundary and runs after-commit hooks only after a commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from vault.db import after_commit, engine_for, unit_of_work


def test_commit_then_hooks(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'u.db'}")
    ran: list[str] = []
    with unit_of_work(engine) as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.execute(text("INSERT INTO t VALUES (1)"))
        after_commit(session, lambda: ran.append("queued"))
        assert ran == []
    assert ran == ["queued"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1


def test_error_rolls_back_and_drops_hooks(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'u.db'}")
    with unit_of_work(engine) as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    ran: list[str] = []

    def failing_request() -> None:
        with unit_of_work(engine) as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            after_commit(session, lambda: ran.append("queued"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_request()
    assert ran == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
