"""An export: one parents' package being built, ready for download, handed over, or gone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel


class ExportStatus(StrEnum):
    queued = "queued"
    building = "building"
    ready = "ready"
    failed = "failed"
    cancelled = "cancelled"
    removed = "removed"  # the package object was deleted (after hand-over, on request or on expiry)


class Export(SQLModel, table=True):
    __tablename__ = "export"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    trajectory_id: uuid.UUID = Field(index=True)
    family_id: uuid.UUID = Field(index=True)
    created_by: uuid.UUID
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    recording_ids: str | None = None  # JSON list; None: every recording of the trajectory
    encrypted: bool = True
    status: str = Field(default=ExportStatus.queued, max_length=16)
    done: int = 0  # recordings converted so far
    total: int = 0
    # A stable code (vault.export.messages makes the Dutch and English text from it).
    error: str = Field(default="", max_length=500)
    # What the error concerns, JSON: {"recording_id", "recording" (its name), "reason_nl", "reason_en"}.
    error_detail: str = Field(default="", sa_type=Text)
    # The trainer's choice: leave out a recording that cannot be read or converted (with a note in the
    # package and on the page) instead of failing the whole package.
    skip_failed: bool = False
    # JSON list of error details, one per left-out recording.
    skipped: str = Field(default="[]", sa_type=Text)
    # The lease of the task building it: renewed while it works; a stale one is taken over or failed.
    heartbeat_at: datetime | None = None
    attempt: int = 0
    # The package object the current attempt is writing: a takeover shreds a dead attempt's key.
    partial_object_id: uuid.UUID | None = None
    # The passphrase waits, sealed as a store object under the family key, until the package is built.
    passphrase_object_id: uuid.UUID | None = None
    object_id: uuid.UUID | None = None  # the (AES) ZIP in the encrypted store
    size: int | None = Field(default=None, sa_type=BigInteger)
    sha256: str | None = Field(default=None, max_length=64)
    ready_at: datetime | None = None
    expires_at: datetime | None = None  # the package object is removed then, handed over or not
    # The parents' download link: a random token in the URL and a code passed on separately; hashes only.
    link_token_sha256: str | None = Field(default=None, max_length=64, index=True)
    link_code_hash: str | None = Field(default=None, max_length=200)
    link_expires_at: datetime | None = None
    link_failures: int = 0
    # The link is spent: its last allowed complete download ended (ADR 0015).
    link_used_at: datetime | None = None
    # Complete downloads through the link (the package's last byte went out).
    link_downloads: int = 0
    downloaded_at: datetime | None = None  # the last complete download by the parents ended
    download_failed_at: datetime | None = None  # the parents' download broke off
    handed_over_at: datetime | None = None
    handed_over_how: str | None = Field(default=None, max_length=16)
