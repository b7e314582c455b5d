"""The families' tables: a family (known by an opaque id and a pseudonym, FAM-XXXXXX), its people, gezag
(parental authority of one parent over one child) and its trajectories (one VHT/VIB trajectory each).

Names are kept only where needed and never reach object storage or the audit log.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime

from sqlmodel import Field, SQLModel

from consent import Phase


def _now() -> datetime:
    return datetime.now(UTC)


def pseudonym() -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "FAM-" + "".join(secrets.choice(alphabet) for _ in range(6))


class Family(SQLModel, table=True):
    __tablename__ = "family"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    code: str = Field(default_factory=pseudonym, max_length=16, unique=True)
    created_by: uuid.UUID = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=_now)


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    kind: str = Field(max_length=16)
    display_name: str = Field(default="", max_length=100)
    birth_date: date | None = None
    competent: bool = True


class Authority(SQLModel, table=True):
    """Gezag of one parent over one child, with where it was learned and when it was checked."""

    __tablename__ = "authority"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    child_id: uuid.UUID = Field(foreign_key="person.id")
    parent_id: uuid.UUID = Field(foreign_key="person.id")
    source: str = Field(default="verklaring ouders", max_length=100)
    checked_on: date | None = None


class Trajectory(SQLModel, table=True):
    __tablename__ = "trajectory"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    type: str = Field(max_length=16)
    trainer_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    phase: str = Field(default=Phase.intake, max_length=16, index=True)
    started_on: date = Field(default_factory=lambda: _now().date())
    closed_on: date | None = None
    follow_up_1_on: date | None = None
    follow_up_2_on: date | None = None
    follow_ups_done: int = 0
    supervision_done_on: date | None = None
    export_handed_over_on: date | None = None
