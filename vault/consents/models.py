"""The consent domain's tables: consent records with their signatures and events (facts for
`consent.decide`), a gecommitteerde's grants, WOK sessions, and a supervisor's notes on a clip.

Table names and columns are as they were in vault/domain/models.py (no migration).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class ConsentRecordRow(SQLModel, table=True):
    __tablename__ = "consent_record"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    trajectory_id: uuid.UUID = Field(foreign_key="trajectory.id")
    purpose: str = Field(max_length=16)
    recording_ids: str | None = Field(
        default=None, sa_type=Text
    )  # JSON list; None = whole trajectory
    valid_from: datetime
    valid_until: datetime | None = None
    notice_version: str = Field(default="1", max_length=16)
    language: str = Field(default="nl", max_length=8)
    method: str = Field(default="paper_form", max_length=16)
    evidence_object_id: uuid.UUID | None = None
    recorded_by: uuid.UUID = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=_now)


class ConsentSignatureRow(SQLModel, table=True):
    __tablename__ = "consent_signature"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    record_id: uuid.UUID = Field(foreign_key="consent_record.id", index=True)
    person_id: uuid.UUID = Field(foreign_key="person.id")
    capacity: str = Field(max_length=32)
    signed_at: datetime


class ConsentEventRow(SQLModel, table=True):
    """Append-only: withdrawal, expiry, invalidation, re-confirmation."""

    __tablename__ = "consent_event"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    record_id: uuid.UUID = Field(foreign_key="consent_record.id", index=True)
    kind: str = Field(max_length=16)
    at: datetime
    by_person_id: uuid.UUID | None = None  # the family member who reported it
    recording_ids: str | None = Field(default=None, sa_type=Text)
    # The account that recorded it (a trainer); None for events from before migration 0016.
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")


class GrantRow(SQLModel, table=True):
    """A gecommitteerde's time-bound grant for one trainee."""

    __tablename__ = "grant"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    trainee_id: uuid.UUID = Field(foreign_key="user_account.id")
    valid_from: datetime
    valid_until: datetime
    proposed_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    confirmed_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    confirmed_at: datetime | None = None  # in effect only once the trainee confirmed it


class WokSessionRow(SQLModel, table=True):
    __tablename__ = "wok_session"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    title: str = Field(default="", max_length=200)
    starts_at: datetime
    ends_at: datetime
    organiser_id: uuid.UUID = Field(foreign_key="user_account.id")
    participant_ids: str = Field(default="[]", sa_type=Text)
    clip_ids: str = Field(default="[]", sa_type=Text)


class SupervisionNote(SQLModel, table=True):
    """A supervisor's time-stamped remark on a clip, for the trainee; it goes when the clip goes."""

    __tablename__ = "supervision_note"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    clip_id: uuid.UUID = Field(foreign_key="clip.id", index=True)
    author_id: uuid.UUID = Field(foreign_key="user_account.id")
    at_s: float = Field(ge=0)  # the moment in the clip the note is about
    text: str = Field(max_length=4000, sa_type=Text)
    created_at: datetime = Field(default_factory=_now)
