"""The tables not yet in a domain package of their own: organisations and accounts, supervision notes,
consent records, grants and WOK sessions.

Families, people, gezag and trajectories live in `vault/families/models.py`; recordings and clips in
`vault/recordings/models.py`. Names follow the field: *gezag* is parental authority; an *opleider*
supervises trainees; a *WOK* is a regional peer meeting of trainers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Re-exported for the modules of the slices still moving (vault/access.py, vault/api/consents.py,
# vault/api/admin.py and the consent, WOK and supervisor pages, issue #21): they import these names from
# here until their own packages land; new code imports them from their homes.
from vault.families.models import Authority as Authority
from vault.families.models import Family as Family
from vault.families.models import Person as Person
from vault.families.models import Trajectory as Trajectory
from vault.recordings.models import Clip as Clip
from vault.recordings.models import Recording as Recording


def _now() -> datetime:
    return datetime.now(UTC)


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


class SupervisionNote(SQLModel, table=True):
    """A supervisor's time-stamped remark on a clip, for the trainee; it goes when the clip goes."""

    __tablename__ = "supervision_note"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    clip_id: uuid.UUID = Field(foreign_key="clip.id", index=True)
    author_id: uuid.UUID = Field(foreign_key="user_account.id")
    at_s: float = Field(ge=0)  # the moment in the clip the note is about
    text: str = Field(max_length=4000, sa_type=Text)
    created_at: datetime = Field(default_factory=_now)


# Consent and grants (facts for consent.decide) ----------------------------------------------------


class ConsentRecordRow(SQLModel, table=True):
    __tablename__ = "consent_record"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    family_id: uuid.UUID = Field(foreign_key="family.id", index=True)
    trajectory_id: uuid.UUID = Field(foreign_key="trajectory.id")
    purpose: str = Field(max_length=16)
    recording_ids: str | None = Field(
        default=None, sa_type=Text
    )  # JSON list; None = whole trajectory
    valid_from: datetime
    valid_until: datetime | None = None
    notice_version: str = Field(default="1", max_length=16)
    language: str = Field(default="nl", max_length=8)
    method: str = Field(default="paper_form", max_length=16)
    evidence_object_id: uuid.UUID | None = None
    recorded_by: uuid.UUID = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=_now)


class ConsentSignatureRow(SQLModel, table=True):
    __tablename__ = "consent_signature"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    record_id: uuid.UUID = Field(foreign_key="consent_record.id", index=True)
    person_id: uuid.UUID = Field(foreign_key="person.id")
    capacity: str = Field(max_length=32)
    signed_at: datetime


class ConsentEventRow(SQLModel, table=True):
    """Append-only: withdrawal, expiry, invalidation, re-confirmation."""

    __tablename__ = "consent_event"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    record_id: uuid.UUID = Field(foreign_key="consent_record.id", index=True)
    kind: str = Field(max_length=16)
    at: datetime
    by_person_id: uuid.UUID | None = None
    recording_ids: str | None = Field(default=None, sa_type=Text)


class GrantRow(SQLModel, table=True):
    """A gecommitteerde's time-bound grant for one trainee."""

    __tablename__ = "grant"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    trainee_id: uuid.UUID = Field(foreign_key="user_account.id")
    valid_from: datetime
    valid_until: datetime
    proposed_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    confirmed_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    confirmed_at: datetime | None = None  # in effect only once the trainee confirmed it


class WokSessionRow(SQLModel, table=True):
    __tablename__ = "wok_session"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    title: str = Field(default="", max_length=200)
    starts_at: datetime
    ends_at: datetime
    organiser_id: uuid.UUID = Field(foreign_key="user_account.id")
    participant_ids: str = Field(default="[]", sa_type=Text)
    clip_ids: str = Field(default="[]", sa_type=Text)
