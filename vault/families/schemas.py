"""What goes into the families' rules and what comes out: each Public class is an allowlist of the
fields that leave the service (a new column is published only once it is named here)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from consent import PersonKind, Phase
from retention import TrajectoryType


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FamilyPublic(_Public):
    id: uuid.UUID
    organisation_id: uuid.UUID
    code: str = Field(examples=["FAM-7QK2MD"])
    created_by: uuid.UUID
    created_at: datetime


class PersonCreate(BaseModel):
    kind: PersonKind = Field(examples=["child"])
    display_name: str = Field(default="", max_length=100, examples=["Kind 1"])
    birth_date: date | None = Field(default=None, examples=["2023-05-17"])
    competent: bool = True


class PersonPublic(_Public):
    id: uuid.UUID
    family_id: uuid.UUID
    kind: str = Field(examples=["child"])
    display_name: str
    birth_date: date | None
    competent: bool


class AuthorityCreate(BaseModel):
    child_id: uuid.UUID
    parent_id: uuid.UUID
    source: str = Field(default="verklaring ouders", examples=["uittreksel gezagsregister"])
    checked_on: date | None = None


class AuthorityPublic(_Public):
    id: uuid.UUID
    family_id: uuid.UUID
    child_id: uuid.UUID
    parent_id: uuid.UUID
    source: str
    checked_on: date | None


class TrajectoryCreate(BaseModel):
    type: TrajectoryType = Field(examples=["k_vht"])
    started_on: date | None = None


class TrajectoryUpdate(BaseModel):
    phase: Phase | None = Field(default=None, examples=["active"])
    closed_on: date | None = None
    follow_up_1_on: date | None = None
    follow_up_2_on: date | None = None
    follow_ups_done: int | None = Field(default=None, ge=0, le=2)
    supervision_done_on: date | None = None


class TrajectoryPublic(_Public):
    id: uuid.UUID
    family_id: uuid.UUID
    type: str = Field(examples=["k_vht"])
    trainer_id: uuid.UUID
    phase: str = Field(examples=["active"])
    started_on: date
    closed_on: date | None
    follow_up_1_on: date | None
    follow_up_2_on: date | None
    follow_ups_done: int
    supervision_done_on: date | None
    export_handed_over_on: date | None
