"""Creating and managing accounts.

An administrator never learns another account's second factor: a new account (and an account whose
code is reset) gets a single-use enrolment link that expires after `ENROLMENT_HOURS`. Only the
SHA-256 of its token is stored, so it works across API processes and cannot be read back; the person
it is for opens it, chooses a password and enrols their own authenticator app.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from consent import account_role
from vault import audit
from vault.accounts._security import (
    hash_password,
    hash_token,
    new_totp_secret,
    totp_step,
    totp_uri,
)
from vault.accounts._tenant import InvalidField
from vault.domain.models import AuthSession, Organisation, User
from vault.errors import Conflict, NotFound

ENROLMENT_HOURS = 72
ENROLMENT_PATH = "/inschrijven/"
SECRET = re.compile(r"[A-Z2-7]{32}")


def _unique(db: Session, email: str) -> str:
    email = email.strip().lower()
    if db.exec(select(User).where(User.email == email)).first() is not None:
        raise Conflict(
            "Er bestaat al een account met dit e-mailadres.",
            "An account with this email already exists.",
        )
    return email


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
    """An enrolled account with its otpauth:// URI: for seeding tests and fixtures on the server
    only. Administrators and the CLI create accounts with `invite_user`."""
    email = _unique(db, email)
    secret = new_totp_secret()
    user = User(
        organisation_id=organisation_id,
        email=email,
        name=name,
        role=account_role(role),
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


def _new_enrolment(user: User) -> str:
    """Open a fresh enrolment for `user`: no password and no second factor until it is used."""
    token = secrets.token_urlsafe(32)
    user.password_hash, user.totp_secret, user.totp_last_step = "", "", 0
    user.enrolment_hash = hash_token(token)
    user.enrolment_expires_at = datetime.now(UTC) + timedelta(hours=ENROLMENT_HOURS)
    return token


def invite_user(
    db: Session,
    *,
    organisation_id: uuid.UUID,
    email: str,
    name: str,
    role: str,
    by: audit.Principal | None = None,
) -> tuple[User, str]:
    """A new account and the token of its single-use enrolment link (hand the link over)."""
    user = User(
        organisation_id=organisation_id,
        email=_unique(db, email),
        name=name,
        role=account_role(role),
    )
    token = _new_enrolment(user)
    db.add(user)
    db.flush()
    audit.record(
        db,
        action="create",
        outcome="success",
        actor=by,
        object_id=user.id,
        object_type="user",
        detail={"role": role, "enrolment": "link"},
    )
    return user, token


def new_enrolment(db: Session, user: User, *, by: audit.Principal | None = None) -> str:
    """A new enrolment link for an existing account (a lost phone): the old password and second
    factor stop working at once."""
    token = _new_enrolment(user)
    db.add(user)
    audit.record(
        db,
        action="update",
        outcome="success",
        actor=by,
        object_id=user.id,
        object_type="user",
        detail={"change": "enrolment_link"},
    )
    return token


def enrolment_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}{ENROLMENT_PATH}{token}"


def enrolling(db: Session, token: str) -> User | None:
    """The account an unused, unexpired enrolment token belongs to."""
    user = db.exec(select(User).where(User.enrolment_hash == hash_token(token))).first()
    expires = user.enrolment_expires_at if user else None
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    if user is None or not user.active or expires is None or expires <= datetime.now(UTC):
        return None
    return user


GONE = (
    "Deze link is al gebruikt of verlopen; vraag uw beheerder om een nieuwe.",
    "This link was used already or has expired; ask your administrator for a new one.",
)


def enrol(db: Session, token: str, *, password: str, secret: str, code: str) -> User:
    """Finish an enrolment: the password and the authenticator secret the person chose, checked with a
    code from their app. Single-use even when two requests race (one conditional update)."""
    user = enrolling(db, token)
    if user is None:
        raise NotFound(*GONE)
    try:
        password_hash = hash_password(password)
    except ValueError:
        raise InvalidField(
            "password",
            "Het wachtwoord moet minstens 12 tekens hebben.",
            "The password needs at least 12 characters.",
        ) from None
    step = totp_step(secret, code.strip(), after_step=0) if SECRET.fullmatch(secret) else None
    if step is None:
        raise InvalidField(
            "totp",
            "De code uit de authenticator-app klopt niet; probeer de volgende.",
            "The code from the authenticator app is wrong; try the next one.",
        )
    done = db.exec(
        update(User)
        .where(col(User.id) == user.id, col(User.enrolment_hash) == hash_token(token))
        .values(
            password_hash=password_hash,
            totp_secret=secret,
            totp_last_step=step,
            enrolment_hash=None,
            enrolment_expires_at=None,
            failed_attempts=0,
        )
    )
    if done.rowcount != 1:
        raise NotFound(*GONE)
    db.refresh(user)
    audit.record(
        db,
        action="update",
        outcome="success",
        actor=audit.Principal(user.id, user.name, user.role, user.organisation_id),
        object_id=user.id,
        object_type="user",
        detail={"change": "enrolled"},
    )
    return user


def first_organisation(db: Session, name: str) -> Organisation:
    org = db.exec(select(Organisation).where(Organisation.name == name)).first()
    if org is None:
        org = Organisation(name=name)
        db.add(org)
        db.flush()
    return org


def _by_email(db: Session, email: str) -> User:
    user = db.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound("Account niet gevonden.", "Account not found.")
    return user


def reset_totp(db: Session, email: str, *, by: audit.Principal | None = None) -> str:
    """The token of a new enrolment link for the account with this address (CLI)."""
    return new_enrolment(db, _by_email(db, email), by=by)


def set_active(db: Session, email: str, active: bool, *, by: audit.Principal | None = None) -> User:
    user = _by_email(db, email)
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
        if (
            isinstance(user, User)
            and not user.active
            and inspect(user).attrs.active.history.has_changes()
        ):
            table = AuthSession.__table__  # type: ignore[attr-defined]  # SQLModel's stubs do not declare __table__; every table=True class has one at run time
            session.connection().execute(
                update(table)
                .where(table.c.user_id == user.id, table.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
