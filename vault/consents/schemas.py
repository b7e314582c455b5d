"""What enters and what leaves the consent domain. The Public classes are an allowlist: a column that is
not named here never reaches a client."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

import consent

# The overview writes its moments with isoformat() (as the parents' package does); typed as text in
# RFC 3339 form so the answer stays byte for byte what it was.
Moment = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class SignatureCreate(BaseModel):
    person_id: uuid.UUID
    capacity: consent.Capacity
    signed_at: datetime


class SignatureAdd(BaseModel):
    """A signature the record still lacks; its capacity is the one the rules require."""

    person_id: uuid.UUID
    signed_at: datetime


class ConsentCreate(BaseModel):
    purpose: consent.Purpose = Field(examples=["supervision"])
    trajectory_id: uuid.UUID
    recording_ids: list[uuid.UUID] | None = Field(
        default=None, description="Leeg: alle opnames van het traject"
    )
    valid_from: datetime
    valid_until: datetime | None = None
    notice_version: str = "1"
    language: str = "nl"
    method: consent.Method = consent.Method.paper_form
    signatures: list[SignatureCreate]


class ConsentEventCreate(BaseModel):
    kind: consent.EventKind = Field(examples=["withdrawn"])
    by_person_id: uuid.UUID | None = None
    recording_ids: list[uuid.UUID] | None = Field(
        default=None, description="Alleen deze opnames (gedeeltelijke intrekking)"
    )


class WokSessionCreate(BaseModel):
    title: str = Field(default="", max_length=200, examples=["WOK regio Noord, november"])
    starts_at: datetime
    ends_at: datetime
    participant_ids: list[uuid.UUID]


class MissingSignaturePublic(BaseModel):
    person_id: uuid.UUID | None
    capacity: consent.Capacity
    message: str


class OverviewEventPublic(BaseModel):
    kind: consent.EventKind
    at: Moment
    by_person_id: uuid.UUID | None = Field(
        default=None, description="Wie het meldde (de trainer legt het vast)"
    )
    recorded_by: str | None = Field(
        default=None, description="Naam van wie het vastlegde / name of who recorded it"
    )
    recording_ids: list[uuid.UUID] | None


class ConsentPublic(BaseModel):
    """One consent record as the family's trainer and parents read it, with its status at a moment."""

    id: uuid.UUID
    purpose: consent.Purpose
    trajectory_id: uuid.UUID
    recording_ids: list[uuid.UUID] | None
    valid_from: Moment
    valid_until: Moment | None
    status: consent.ConsentStatus
    evidence: bool = Field(description="Er is een getekend formulier / a signed form is stored")
    missing_signatures: list[MissingSignaturePublic]
    events: list[OverviewEventPublic]


class ConsentList(BaseModel):
    items: list[ConsentPublic]


class ConsentEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    record_id: uuid.UUID
    kind: consent.EventKind
    at: datetime
    by_person_id: uuid.UUID | None
    recording_ids: str | None = Field(description="JSON-lijst / JSON list of recording ids")


class EvidencePublic(BaseModel):
    evidence_object_id: uuid.UUID
    size: int
    sha256: str


class WokSessionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    organiser_id: uuid.UUID
    participant_ids: str = Field(description="JSON-lijst / JSON list of user ids")
    clip_ids: str = Field(description="JSON-lijst / JSON list of clip ids")
