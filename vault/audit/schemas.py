"""What the privacy officer's audit answers publish: each class names its fields (an allowlist).

Signed documents (checkpoints, a FHIR resource) are passed on as they were signed or defined elsewhere,
so a reader can check a signature over exactly what they received; their fields are documented in
docs/audit-log.md and in FHIR R5.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Checkpoint = dict[
    str, Any
]  # a signed checkpoint as stored (docs/audit-log.md), plus its object name


class AuditRecordPublic(BaseModel):
    """One record of the log, as in the CSV export (times and ids as text, as in the log)."""

    seq: int
    event_id: str
    occurred_at: str = Field(examples=["2026-12-02 09:15:00+00:00"])
    action: str = Field(examples=["stream_open"])
    outcome: str = Field(examples=["allowed"])
    reason: str
    user_id: str | None
    user_name: str
    role: str
    organisation_id: str | None
    on_behalf_of: str | None
    family_id: str | None
    object_id: str | None
    object_type: str | None
    basis: list[str] = Field(examples=[["consent:0b7f…"]])
    network: str | None
    session_id: str | None


class AuditReport(BaseModel):
    """`fmt=json`: the records, oldest first."""

    items: list[AuditRecordPublic]
    total: int


class FhirEntry(BaseModel):
    resource: dict[str, Any] = Field(description="A FHIR R5 AuditEvent resource")


class FhirBundle(BaseModel):
    """`fmt=fhir`: the records as a FHIR R5 Bundle of AuditEvent resources."""

    resourceType: Literal["Bundle"]  # noqa: N815 - FHIR's own field name
    type: Literal["collection"]
    entry: list[FhirEntry]


class Signal(BaseModel):
    """Something for a person to look at, not a verdict."""

    signal: str = Field(examples=["off_hours_streaming"])
    seq: int
    user_id: str | None
    family_id: str | None
    message: str


class Signals(BaseModel):
    items: list[Signal]


class ReviewTask(BaseModel):
    """The period since the last review, its signals and a random sample of footage accesses."""

    model_config = ConfigDict(populate_by_name=True)

    since: str = Field(alias="from")
    until: str
    signals: list[Signal]
    sample: list[AuditRecordPublic]
    last_review: datetime | None
    due_at: datetime
    overdue: bool


class ReviewSignedOff(BaseModel):
    seq: int
    signed_off_by: str
    last_review: datetime | None
    due_at: datetime
    overdue: bool


class VerifyResult(BaseModel):
    """A verification of the chain: `ok` only if the records, the tree and every checkpoint agree."""

    ok: bool
    records: int
    checkpoints: int
    first_bad_seq: int | None
    suspect_range: list[int] | None = Field(description="The first change lies in these records")
    problems: list[str]
    latest_checkpoint: Checkpoint | None
    expected_checkpoint: Checkpoint | None
    start: str | None


class PublicKey(BaseModel):
    algorithm: Literal["Ed25519"]
    key_id: str
    public_key_pem: str
    public_key_hex: str


class InclusionProof(BaseModel):
    seq: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]
    checkpoint: Checkpoint


class ConsistencyProof(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    first: Checkpoint = Field(alias="from")
    second: Checkpoint = Field(alias="to")
    proof: list[str]
