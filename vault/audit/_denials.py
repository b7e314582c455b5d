"""Records that must outlive their request: written in their own transaction, floods summarised.

A refused request is rolled back, and with it anything it wrote; a denial is written by
`record_now` in a transaction of its own, after the request's has ended (on SQLite a second writer
inside the request would wait for the request's own lock). `record_denial` adds flood control: per
(network address, kind) at most FLOOD_LIMIT records a minute, then one record saying that further
ones of that minute are counted only, so an attacker cannot fill the log.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from vault.audit._log import record

FLOOD_LIMIT = 20  # records per (address, kind) per minute
log = logging.getLogger(__name__)


class _Flood:
    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], tuple[int, int]] = {}  # key -> (minute, count)
        self._lock = threading.Lock()

    def admit(self, key: tuple[str, str], limit: int) -> int:
        """How many records of this key this minute so far, this one included."""
        minute = int(time.time() // 60)
        with self._lock:
            if len(self._seen) > 10_000:  # forget old minutes
                self._seen = {k: v for k, v in self._seen.items() if v[0] == minute}
            last, count = self._seen.get(key, (minute, 0))
            count = count + 1 if last == minute else 1
            self._seen[key] = (minute, count)
            return count

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


flood = _Flood()


def record_now(**fields: Any) -> None:
    """Write one audit record in its own transaction, committed at once."""
    from vault.db import unit_of_work

    with unit_of_work() as db:
        record(db, **fields)


def record_denial(
    *, kind: str, action: str = "view", network: str | None = None, **fields: Any
) -> bool:
    """A refusal, written now in its own transaction unless its address floods; True if written.

    Never raises: a log that cannot be written (database down) must not change the refusal's answer.
    """
    count = flood.admit((network or "?", kind), FLOOD_LIMIT)
    if count > FLOOD_LIMIT + 1:
        return False
    try:
        if count == FLOOD_LIMIT + 1:
            record_now(
                action=action,
                outcome="denied",
                reason="flood",
                network=network,
                detail={
                    "kind": kind,
                    "limit_per_minute": str(FLOOD_LIMIT),
                    "note": "verdere weigeringen deze minuut niet apart gelogd / further denials this minute not logged one by one",
                },
            )
        else:
            record_now(action=action, outcome="denied", reason=kind, network=network, **fields)
    except SQLAlchemyError as exc:
        log.warning("denial not logged (%s): %s", kind, type(exc).__name__)
        return False
    return True
