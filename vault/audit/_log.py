"""The append-only access log (NEN 7513): one record per decision and per change, in a gap-free sequence."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Text, func, text
from sqlmodel import Field, Session, SQLModel, col, select

from vault.audit.merkle import leaf_hash

POLICY_VERSION = "2026-11"


class AuditAction(StrEnum):
    view = "view"
    stream_segment = "stream_segment"
    download = "download"
    export = "export"
    upload = "upload"
    clip = "clip"
    consent_event = "consent_event"
    grant = "grant"
    purge = "purge"
    key_rotation = "key_rotation"
    sign_in = "sign_in"
    sign_in_failed = "sign_in_failed"
    sign_out = "sign_out"
    configuration_change = "configuration_change"
    logging_change = "logging_change"
    audit_read = "audit_read"
    create = "create"
    update = "update"
    delete = "delete"


class Outcome(StrEnum):
    allowed = "allowed"
    denied = "denied"
    success = "success"
    failure = "failure"


# FHIR AuditEvent.action codes: Create, Read, Update, Delete, Execute.
FHIR_ACTION = {
    AuditAction.view: "R",
    AuditAction.stream_segment: "R",
    AuditAction.download: "R",
    AuditAction.export: "R",
    AuditAction.audit_read: "R",
    AuditAction.upload: "C",
    AuditAction.clip: "C",
    AuditAction.create: "C",
    AuditAction.consent_event: "C",
    AuditAction.grant: "C",
    AuditAction.update: "U",
    AuditAction.configuration_change: "U",
    AuditAction.logging_change: "U",
    AuditAction.delete: "D",
    AuditAction.purge: "D",
    AuditAction.key_rotation: "E",
    AuditAction.sign_in: "E",
    AuditAction.sign_in_failed: "E",
    AuditAction.sign_out: "E",
}


@dataclass(frozen=True)
class Principal:
    """Who acts: the signed-in user as the log records them (name at the time of the event)."""

    user_id: uuid.UUID | None
    name: str
    role: str
    organisation_id: uuid.UUID | None = None
    session_id: str | None = None
    network: str | None = None


SYSTEM = Principal(None, "Beeldkluis", "system")


class AuditRecord(SQLModel, table=True):
    """One NEN 7513 log line. Never updated or deleted by the application."""

    __tablename__ = "audit_record"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    event_id: uuid.UUID = Field(unique=True)
    occurred_at: datetime
    recorded_at: datetime
    action: str = Field(max_length=32, index=True)
    fhir_action: str = Field(max_length=1)
    outcome: str = Field(max_length=16)
    reason: str = ""
    user_id: uuid.UUID | None = Field(default=None, index=True)
    user_name: str = ""
    role: str = Field(default="", max_length=32)
    organisation_id: uuid.UUID | None = None
    on_behalf_of: str | None = None
    family_id: uuid.UUID | None = Field(default=None, index=True)
    object_id: str | None = None
    object_type: str | None = None
    basis: str = Field(default="[]", sa_type=Text)
    policy_version: str = POLICY_VERSION
    network: str | None = None
    session_id: str | None = None
    detail: str = Field(default="{}", sa_type=Text)
    leaf_hash: str = Field(max_length=64)

    def canonical(self) -> bytes:
        """The bytes the leaf hash covers: every field but the hash, in a fixed form."""
        return canonical(self.model_dump())

    def compute_leaf(self) -> str:
        return leaf_hash(self.canonical()).hex()


def canonical(fields: Mapping[str, object]) -> bytes:
    """Every field but the hash as sorted, compact JSON (UUIDs as strings, times in ISO 8601): the leaf's
    input. Takes a record's fields or a raw row's columns alike (the streaming verifier reads those)."""
    out = {
        name: (
            str(value)
            if isinstance(value, uuid.UUID)
            else value.isoformat()
            if isinstance(value, datetime)
            else value
        )
        for name, value in fields.items()
        if name != "leaf_hash"
    }
    return json.dumps(out, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# The trigger that makes the table append-only in PostgreSQL (migration 0002).
APPEND_ONLY_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_record is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_record_no_change BEFORE UPDATE OR DELETE ON audit_record
  FOR EACH ROW EXECUTE FUNCTION audit_record_append_only();
"""
DROP_APPEND_ONLY_TRIGGER = """
DROP TRIGGER IF EXISTS audit_record_no_change ON audit_record;
DROP FUNCTION IF EXISTS audit_record_append_only();
"""

_LOCK_KEY = 7513


def _now() -> datetime:
    return datetime.now(UTC)


def record(
    session: Session,
    *,
    action: str,
    outcome: str,
    reason: str = "",
    actor: Principal | None = None,
    family_id: uuid.UUID | None = None,
    object_id: str | uuid.UUID | None = None,
    object_type: str | None = None,
    basis: Sequence[str] = (),
    on_behalf_of: str | None = None,
    network: str | None = None,
    session_id: str | None = None,
    occurred_at: datetime | None = None,
    detail: Mapping[str, str] | None = None,
) -> AuditRecord:
    """Append one record in the caller's transaction (flush, never commit).

    The position is assigned under a lock, so concurrent writers produce one gap-free sequence and
    one consistent tree: an advisory transaction lock on PostgreSQL, the write lock on SQLite
    (transactions there begin immediately, see vault.db).
    """
    actor = actor or SYSTEM
    action = AuditAction(action)
    now = _now()
    row = AuditRecord(
        seq=_next_seq(session),
        event_id=uuid.uuid4(),
        occurred_at=occurred_at or now,
        recorded_at=now,
        action=action,
        fhir_action=FHIR_ACTION[action],
        outcome=Outcome(outcome),
        reason=reason,
        user_id=actor.user_id,
        user_name=actor.name,
        role=actor.role,
        organisation_id=actor.organisation_id,
        on_behalf_of=on_behalf_of,
        family_id=family_id,
        object_id=str(object_id) if object_id is not None else None,
        object_type=object_type,
        basis=json.dumps(list(basis)),
        network=network or actor.network,
        session_id=session_id or actor.session_id,
        detail=json.dumps(dict(detail or {}), sort_keys=True),
        leaf_hash="",
    )
    row.leaf_hash = row.compute_leaf()
    session.add(row)
    return row


def _next_seq(session: Session) -> int:
    """The next position. The first record of a transaction takes the lock and reads the head; the lock is
    held until commit, so later records of the same transaction simply count on."""
    transaction = session.get_transaction()
    cached = session.info.get("audit_seq")
    if cached is not None and cached[0] is transaction:
        seq = int(cached[1])
    else:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        session.flush()  # make pending records of this transaction visible to max()
        last = session.exec(select(func.max(AuditRecord.seq))).one()
        seq = 0 if last is None else last + 1
        transaction = session.get_transaction()
    session.info["audit_seq"] = (transaction, seq + 1)
    return seq


def leaves(session: Session, upto: int | None = None) -> list[bytes]:
    query = select(AuditRecord.leaf_hash).order_by(col(AuditRecord.seq))
    if upto is not None:
        query = query.where(AuditRecord.seq < upto)
    return [bytes.fromhex(h) for h in session.exec(query)]
