"""The purge's tables: legal holds, purge marks (phase one: blocked for every reader) and tombstones.

A floor below the purge service, so the access seam can read a mark without importing the purge.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel


class LegalHoldRow(SQLModel, table=True):
    """A legal hold: blocks every purge it covers until released or past `until`."""

    __tablename__ = "legal_hold"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    family_id: uuid.UUID = Field(index=True)
    object_ids: str | None = Field(default=None, sa_type=Text)  # JSON list; None = the whole family
    reason: str = Field(max_length=500)
    placed_by: uuid.UUID | None = None
    placed_on: date
    until: date | None = None
    review_on: date | None = None
    released_on: date | None = None


class PurgeMark(SQLModel, table=True):
    """Phase one of a purge: the object is blocked for every reader from `marked_at`."""

    __tablename__ = "purge_mark"

    object_id: uuid.UUID = Field(primary_key=True)
    family_id: uuid.UUID = Field(index=True)
    rule: str = Field(max_length=64)
    reason: str = Field(default="", max_length=500)
    marked_at: datetime


class Tombstone(SQLModel, table=True):
    """What remains of a purged object: opaque id, sizes, ciphertext hash, when and why."""

    __tablename__ = "tombstone"

    object_id: uuid.UUID = Field(primary_key=True)
    family_id: uuid.UUID = Field(index=True)
    kind: str = Field(max_length=16)
    size: int = Field(sa_type=BigInteger)
    ciphertext_size: int = Field(sa_type=BigInteger)
    ciphertext_sha256: str = Field(max_length=64)
    rule: str = Field(max_length=64)
    purged_at: datetime
    certificate: str = Field(default="", max_length=200)
