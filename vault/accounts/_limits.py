"""Attempts counted per address in the database, so every API process behind a balancer sees the same
count (issue #20: no state in one process). Fixed windows: a key's hits in the current window and the
one before it, the older one weighted by how much of it still falls within the last `window` seconds
(the sliding-window estimate of nginx and Cloudflare). Keys are hashed: the table keeps no address."""

from __future__ import annotations

import hashlib
import time

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, delete, select

WINDOW_SECONDS = 300


class AttemptCount(SQLModel, table=True):
    __tablename__ = "attempt_count"

    key: str = Field(primary_key=True, max_length=64)  # sha256 of the limit's name and the address
    window: int = Field(primary_key=True)  # seconds since the epoch // WINDOW_SECONDS
    hits: int = 0


def _key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _now() -> tuple[int, float]:
    moment = time.time() / WINDOW_SECONDS
    return int(moment), moment - int(moment)


def blocked(db: Session, name: str, limit: int) -> bool:
    """Whether `name` (e.g. the address) reached `limit` failed attempts in the last window."""
    window, elapsed = _now()
    rows = dict(
        db.exec(
            select(AttemptCount.window, AttemptCount.hits).where(
                AttemptCount.key == _key(name), col(AttemptCount.window) >= window - 1
            )
        ).all()
    )
    return rows.get(window, 0) + rows.get(window - 1, 0) * (1 - elapsed) >= limit


def hit(db: Session, name: str) -> None:
    """Count one attempt, in the caller's transaction (committed even when the request fails)."""
    window, _ = _now()
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(AttemptCount).values(key=_key(name), window=window, hits=1)
    db.exec(
        upsert.on_conflict_do_update(
            index_elements=["key", "window"], set_={"hits": AttemptCount.hits + 1}
        )
    )
    db.exec(delete(AttemptCount).where(col(AttemptCount.window) < window - 1))
