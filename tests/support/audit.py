"""The access log's test helpers: a known actor and family, appends, raw SQL past the triggers, checkpoints."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlmodel import Session

from keys import SigningKey
from vault.audit import (
    Principal,
    checkpoint,
    record,
)
from vault.db import engine_for
from vault.store import LocalBackend

ALICE = Principal(uuid.uuid4(), "Alice Opleider", "opleider", uuid.uuid4(), "sess-1", "10.0.0.8")


FAMILY = uuid.uuid4()


def append(url: str, n: int, **fields: object) -> None:
    with Session(engine_for(url)) as session:
        for i in range(n):
            record(
                session,
                action="view",
                outcome="allowed",
                actor=ALICE,
                family_id=FAMILY,
                object_id=f"obj-{i}",
                object_type="recording",
                basis=[f"consent:{i}"],
                **fields,  # type: ignore[arg-type]  # fields of several types
            )
        session.commit()


def raw(url: str, sql: str) -> None:
    with engine_for(url).connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_record DISABLE TRIGGER audit_record_no_change"))
        conn.execute(text(sql))
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_record ENABLE TRIGGER audit_record_no_change"))
        conn.commit()


def cp(url: str, backend: LocalBackend, key: SigningKey) -> dict[str, object]:
    with Session(engine_for(url)) as session:
        head = checkpoint(session, backend, key)
        session.commit()
    return head
