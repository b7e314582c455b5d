"""The domain's tables: organisations and accounts, families and their people, trajectories, footage, consent.

Names follow the field: a *Trajectory* is one VHT/VIB trajectory of a family; *gezag* is parental
authority; an *opleider* supervises trainees; a *WOK* is a regional peer meeting of trainers.
Families are known by an opaque id and a pseudonymous code; names are kept only where needed and
never reach object storage or the audit log.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from consent import Phase, Purpose


def _now() -> datetime:
    return datetime.now(UTC)


class Situation(StrEnum):
    bath = "bath"
    play = "play"
    meal = "meal"
    review_with_parents = "review_with_parents"
    other = "other"


class RemovalReason(StrEnum):
    """Why a trainer takes a recording out again. A short list on purpose: the audit log that keeps the
    reason is append-only and never purged, so it must never hold free text (a name, a diagnosis)."""

    wrong_family = "wrong_family"
    imported_by_mistake = "imported_by_mistake"
    failed_recording = "failed_recording"
    duplicate = "duplicate"


# The purposes a clip may be tagged with: every consent purpose but research.
CLIP_TAGS = (Purpose.review, Purpose.supervision, Purpose.wok, Purpose.teaching)


# Accounts ---------------------------------------------------------------------------------------


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=_now)


class User(SQLModel, table=True):
    """A professional's account. Password hash and TOTP secret never leave this row."""

    __tablename__ = "user_account"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=32)
    active: bool = True
    password_hash: str = Field(default="", max_length=200, repr=False)
    totp_secret: str = Field(default="", max_length=64, repr=False)
    totp_last_step: int = 0
    failed_attempts: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=_now)
    # A single-use enrolment link (ADR 0002): only the SHA-256 of its token is kept, until it is used.
    enrolment_hash: str | None = Field(default=None, max_length=64, unique=True, repr=False)
    enrolment_expires_at: datetime | None = None


class SupervisionLink(SQLModel, table=True):
    """Trainee → opleider ("meester-gezel"). Proposed by an administrator of the trainee's
    organisation; in effect only once the trainee confirmed it (`confirmed_at`)."""

    __tablename__ = "supervision_link"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    trainee_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    opleider_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    proposed_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    confirmed_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    confirmed_at: datetime | None = None


class RetentionPolicyRow(SQLModel, table=True):
    """An organisation's own retention periods for one trajectory type (else the built-in default).

    `periods` is JSON: {"keep_after_closure": [months, days], ...} with the field names of
    `retention.RetentionPolicy`; a missing field keeps the default.
    """

    __tablename__ = "retention_policy"
    __table_args__ = (UniqueConstraint("organisation_id", "trajectory_type"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    trajectory_type: str = Field(max_length=16)
    periods: str = Field(default="{}", sa_type=Text)
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=_now)


class AuthSession(SQLModel, table=True):
    """A signed-in session; every access token names one and stops working when it is revoked."""

    __tablename__ = "auth_session"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    refresh_hash: str = Field(max_length=64, index=True, repr=False)
    previous_refresh_hash: str = Field(default="", max_length=64, repr=False)
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime
    revoked_at: datetime | None = None
    network: str | None = Field(default=None, max_length=64)
    method: str = Field(default="password+totp", max_length=32)
    last_seen_at: datetime | None = None  # browser sessions end after WEB_IDLE_MINUTES without use


class DeviceGrant(SQLModel, table=True):
    """A command-line sign-in waiting for its person (RFC 8628's shape, ADR 0006): the client holds the
    device code, the person types the user code in the web app where they are signed in and confirms.
    Only hashes are kept; the grant expires, is spent once, and its client may poll only so often."""

    __tablename__ = "device_grant"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    device_hash: str = Field(max_length=64, unique=True, repr=False)
    user_code_hash: str = Field(max_length=64, unique=True, repr=False)
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime
    network: str | None = Field(default=None, max_length=64)  # the client's address, shown when confirming
    interval: int = 5  # seconds between polls; each poll that comes sooner adds 5 (slow_down)
    polled_at: datetime | None = None
    user_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    approved_at: datetime | None = None
    denied_at: datetime | None = None
    used_at: datetime | None = None


class OidcProvider(SQLModel, table=True):
    """An organisation's identity provider (Entra ID, Keycloak): ID tokens are checked against its JWKS."""

    __tablename__ = "oidc_provider"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    issuer: str = Field(max_length=500, unique=True)
    client_id: str = Field(max_length=200)
    jwks_uri: str = Field(default="", max_length=500)
    jwks: str = Field(default="", sa_type=Text)  # a pinned JWKS document, used instead of jwks_uri
    require_mfa: bool = True


# Families ---------------------------------------------------------------------------------------


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


class Recording(SQLModel, table=True):
    __tablename__ = "recording"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    trajectory_id: uuid.UUID = Field(foreign_key="trajectory.id", index=True)
    recorded_at: datetime
    situation: str = Field(default=Situation.other, max_length=32)
    duration_s: float | None = None
    source_device: str = Field(default="", max_length=100)
    original_object_id: uuid.UUID | None = None
    proxy_object_id: uuid.UUID | None = (
        None  # 720p H.264 CFR, upright, stripped: segments start faster
    )
    probe: str = Field(default="{}", sa_type=Text)
    created_at: datetime = Field(default_factory=_now)


class Clip(SQLModel, table=True):
    __tablename__ = "clip"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    recording_id: uuid.UUID = Field(foreign_key="recording.id", index=True)
    start_s: float
    end_s: float
    title: str = Field(default="", max_length=200)
    purpose: str = Field(default=Purpose.review, max_length=16)
    created_by: uuid.UUID = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=_now)


# Consent records, signatures, events, grants, WOK sessions and supervision notes live in
# vault/consents/models.py. Re-exported here until vault/access.py and vault/api/families.py import them
# from their own home (issue #21, slices ACCESS and FAM).
from vault.consents.models import (  # noqa: E402
    ConsentEventRow,
    ConsentRecordRow,
    ConsentSignatureRow,
    GrantRow,
    SupervisionNote,
    WokSessionRow,
)

__all__ = [
    "CLIP_TAGS", "AuthSession", "Authority", "Clip", "ConsentEventRow", "ConsentRecordRow",
    "ConsentSignatureRow", "Family", "GrantRow", "OidcProvider", "Organisation", "Person", "Recording",
    "RemovalReason", "RetentionPolicyRow", "Situation", "SupervisionLink", "SupervisionNote", "Trajectory",
    "User", "WokSessionRow", "pseudonym",
]  # fmt: skip
