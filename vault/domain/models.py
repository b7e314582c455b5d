"""The accounts' tables: organisations, users, sessions, supervision links, identity providers and
retention policies. The other domains keep their tables in their own packages: `vault/families/`,
`vault/recordings/`, `vault/consents/` (the floors: docs/architecture.md)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel


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
    network: str | None = Field(
        default=None, max_length=64
    )  # the client's address, shown when confirming
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
