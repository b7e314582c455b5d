"""A resumable upload's durable state: enough to continue after a restart, and never any plaintext."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class Upload(SQLModel, table=True):
    """One tus upload. `committed` counts plaintext bytes whose ciphertext is stored: in the parts of
    `etags`, in a tail object of `tail` bytes and, for the last `carry` bytes, in a carry object
    sealed apart (ADR 0010). `claim` is the PATCH receiving bytes now,
    until `claim_until` (Unix milliseconds): a claim left by a process that died runs out."""

    __tablename__ = "upload"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    trajectory_id: uuid.UUID = Field(foreign_key="trajectory.id")
    family_id: uuid.UUID
    object_id: uuid.UUID
    object_name: str = Field(max_length=80)
    length: int = Field(sa_type=BigInteger)
    committed: int = Field(default=0, sa_type=BigInteger)
    header: str = Field(default="", sa_type=Text)  # base64 of the object header (no key material)
    backend_upload_id: str = Field(default="", max_length=200)
    etags: str = Field(default="[]", sa_type=Text)
    tail: int = Field(default=0, sa_type=BigInteger)
    carry: int = Field(default=0, sa_type=BigInteger)  # of `committed`: held back, sealed apart
    claim: str = Field(default="", max_length=32)
    claim_until: int = Field(default=0, sa_type=BigInteger)
    meta: str = Field(default="{}", sa_type=Text)
    status: str = Field(
        default="uploading", max_length=16
    )  # uploading, verifying, stored, rejected
    reason: str = Field(default="", max_length=200)
    sha256: str = Field(default="", max_length=64)
    recording_id: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
