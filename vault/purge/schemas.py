"""What the retention answers take and publish: each Public class names its fields (an allowlist)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class HoldIn(BaseModel):
    family_id: uuid.UUID
    reason: str = Field(
        min_length=3, max_length=500, examples=["Klacht in behandeling bij de klachtencommissie"]
    )
    object_ids: list[uuid.UUID] | None = None
    until: date | None = None
    review_on: date | None = None


class PlanItem(BaseModel):
    object_id: uuid.UUID
    kind: str = Field(examples=["original"])
    due: date
    rule: str = Field(description="The rule's stable code", examples=["export_expires"])
    event: str = Field(
        description="What happened that ends it (a code)", examples=["package_expires"]
    )
    event_on: date = Field(description="The day it happened (or will)")
    purpose: str | None = Field(description="The purpose the event concerns, if one")
    reason: str = Field(description="The reason in words, in the request's language")
    rule_text: str = Field(description="The rule in words, in the request's language")
    blocked_by: list[uuid.UUID] = Field(description="The legal holds that keep it")


class RetentionPlan(BaseModel):
    family_id: uuid.UUID
    items: list[PlanItem]
    undated: list[uuid.UUID] = Field(description="Objects without a date yet (an open trajectory)")
    text: list[str] = Field(
        description="The plan in words, one line per object, in the request's language"
    )


class LegalHoldPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    family_id: uuid.UUID
    object_ids: str | None = Field(description="A JSON list of object ids; none: the whole family")
    reason: str
    placed_by: uuid.UUID | None
    placed_on: date
    until: date | None
    review_on: date | None
    released_on: date | None


class TombstonePublic(BaseModel):
    """What remains of a purged object: opaque id, sizes, ciphertext hash, when and why."""

    model_config = ConfigDict(from_attributes=True)

    object_id: uuid.UUID
    family_id: uuid.UUID
    kind: str
    size: int
    ciphertext_size: int
    ciphertext_sha256: str
    rule: str
    purged_at: datetime
    certificate: str


class Tombstones(BaseModel):
    items: list[TombstonePublic]


class CertificateItem(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    object_id: str
    kind: str
    size: int
    ciphertext_size: int
    ciphertext_sha256: str
    rule: str
    versions_deleted: int


class DeletionCertificate(BaseModel):
    """A signed deletion certificate as written to the WORM bucket: every field as signed (text stays
    text), and a field this class does not name is passed on too, so the signature still checks out."""

    model_config = ConfigDict(extra="allow", strict=True)

    type: str = Field(examples=["beeldkluis-deletion-certificate-v1"])
    certificate_id: str
    family_id: str
    purged_at: str
    items: list[CertificateItem]
    family_key_shredded: bool
    key_id: str
    signature: str
