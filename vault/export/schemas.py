"""What the export routes answer: an allowlist of fields. The link's token and the code's hash never
leave; the one answer that hands a link and its code over (`ExportLink`) does so by design, once."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from vault.export.models import ExportStatus


class Progress(BaseModel):
    done: int = Field(description="Opnames omgezet / recordings converted so far")
    total: int


class LeftOut(BaseModel):
    """A recording the trainer chose to leave out when it could not be read or converted."""

    message: str
    message_en: str


class LinkState(BaseModel):
    """The parents' link as the trainer follows it (never the link or the code themselves)."""

    expires_at: datetime | None
    used: bool = Field(description="Opgebruikt / spent: its last allowed complete download ended")
    downloads: int
    downloads_allowed: int


class ExportPublic(BaseModel):
    id: uuid.UUID
    trajectory_id: uuid.UUID
    status: ExportStatus
    progress: Progress
    encrypted: bool
    size: int | None
    sha256: str | None
    error: str | None = Field(
        description="A stable code; `message` says it in Dutch, `message_en` in English"
    )
    message: str | None
    message_en: str | None
    failed_recording_id: str | None
    recording_ids: list[uuid.UUID] | None = Field(
        description="None: every recording of the trajectory"
    )
    skip_failed: bool
    left_out: list[LeftOut]
    created_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    link: LinkState | None
    downloaded_at: datetime | None
    download_failed_at: datetime | None
    handed_over_at: datetime | None
    handed_over_how: str | None


class ExportHandedOver(ExportPublic):
    export_handed_over_on: date = Field(
        description="The trajectory's hand-over date (feeds retention)"
    )


class ExportableRecording(BaseModel):
    id: uuid.UUID
    name: str = Field(
        description="As the trainer knows it: the card's file name, else date and situation"
    )
    recorded_at: datetime
    situation: str
    duration_s: float | None


class ExportLink(BaseModel):
    """The link and the code for the parents: answered once, when made (only hashes are kept)."""

    url: str
    code: str
    expires_at: datetime
    downloads_allowed: int
    note: str


# What the trainer sends ----------------------------------------------------------------------


class ExportIn(BaseModel):
    recording_ids: list[uuid.UUID] | None = None  # None: every recording of the trajectory
    # The download is a plain ZIP over HTTPS behind link + code (ADR 0015); an AES ZIP is made only for
    # a stick (`beeldkluis export --zip`). True is refused rather than quietly ignored.
    encrypted: bool = False
    # A recording that cannot be read or converted fails the package (default), or is left out with a
    # note in the package and on the page.
    skip_failed: bool = False


class HandoverHow(StrEnum):
    usb = "usb"
    download = "download"
    in_person = "in_person"


class HandoverIn(BaseModel):
    how: HandoverHow
