"""Creating and managing accounts: every user gets a TOTP secret at creation, shown once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from vault import audit
from vault.accounts._security import hash_password, new_totp_secret, totp_uri
from vault.domain.models import AuthSession, Organisation, Role, User
from vault.errors import Conflict, NotFound


def create_user(
    db: Session,
    *,
    organisation_id: uuid.UUID,
    email: str,
    name: str,
    role: str,
    password: str,
    by: audit.Principal | None = None,
) -> tuple[User, str]:
    """The new user and the otpauth:// URI for their authenticator app (show it once)."""
    email = email.strip().lower()
    if db.exec(select(User).where(User.email == email)).first() is not None:
        raise Conflict(
            "Er bestaat al een account met dit e-mailadres.",
            "An account with this email already exists.",
        )
    secret = new_totp_secret()
    user = User(
        organisation_id=organisation_id,
        email=email,
        name=name,
        role=Role(role),
        password_hash=hash_password(password),
        totp_secret=secret,
    )
    db.add(user)
    db.flush()
    audit.record(
        db,
        action="create",
        outcome="success",
        actor=by,
        object_id=user.id,
        object_type="user",
        detail={"role": role},
    )
    return user, totp_uri(secret, email)


def first_organisation(db: Session, name: str) -> Organisation:
    org = db.exec(select(Organisation).where(Organisation.name == name)).first()
    if org is None:
        org = Organisation(name=name)
        db.add(org)
        db.flush()
    return org


def reset_totp(db: Session, email: str, *, by: audit.Principal | None = None) -> str:
    user = db.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound("Account niet gevonden.", "Account not found.")
    user.totp_secret = new_totp_secret()
    user.totp_last_step = 0
    db.add(user)
    audit.record(
        db,
        action="update",
        outcome="success",
        actor=by,
        object_id=user.id,
        object_type="user",
        detail={"change": "totp_reset"},
    )
    return totp_uri(user.totp_secret, user.email)


def set_active(db: Session, email: str, active: bool, *, by: audit.Principal | None = None) -> User:
    user = db.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound("Account niet gevonden.", "Account not found.")
    user.active = active
    db.add(user)
    audit.record(
        db,
        action="update",
        outcome="success",
        actor=by,
        object_id=user.id,
        object_type="user",
        detail={"active": str(active)},
    )
    return user


@event.listens_for(OrmSession, "before_flush")
def _disabling_ends_sessions(session: OrmSession, _context: Any, _instances: Any) -> None:
    """Disabling an account, by whatever route, ends every session of it for good: its access,
    stream and download tokens stop at their next request, and enabling it again brings none back."""
    for user in session.dirty:
        if isinstance(user, User) and not user.active and inspect(user).attrs.active.history.has_changes():
            table = AuthSession.__table__  # type: ignore[attr-defined]
            session.connection().execute(
                update(table).where(table.c.user_id == user.id, table.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
