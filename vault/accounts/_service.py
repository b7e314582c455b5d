"""Sign-in, refresh, sign-out: every attempt audited, lock-out after failures, sessions revocable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from vault import audit
from vault.accounts import _limits
from vault.accounts._oidc import verify_id_token
from vault.accounts._security import (
    check_password,
    hash_token,
    issue_access_token,
    new_refresh_token,
    totp_step,
)
from vault.bootstrap import token_secret
from vault.db import keep
from vault.domain.models import AuthSession, OidcProvider, User
from vault.errors import Unauthenticated, VaultError
from vault.settings import Settings


class SignInFailed(Unauthenticated):
    code = "sign_in_failed"
    denial = False  # sign_in logs (and commits) each failure with its reason itself

    def __init__(self) -> None:
        super().__init__(
            "E-mailadres, wachtwoord of code klopt niet.", "Email, password or code is incorrect."
        )


class AccountLocked(VaultError):
    status = 423
    code = "account_locked"
    denial, audit_action = (
        True,
        "sign_in_failed",
    )  # logged by the error handler, in its own transaction

    def __init__(self, until: datetime) -> None:
        super().__init__(
            f"Te veel mislukte pogingen; het account is geblokkeerd tot {until:%H:%M} UTC.",
            f"Too many failed attempts; the account is locked until {until:%H:%M} UTC.",
            locked_until=until.isoformat(),
        )


class TooManyAttempts(VaultError):
    status = 429
    code = "too_many_attempts"
    denial, audit_action = True, "sign_in_failed"

    def __init__(self) -> None:
        super().__init__(
            "Te veel pogingen vanaf dit adres; probeer het over enkele minuten opnieuw.",
            "Too many attempts from this address; try again in a few minutes.",
            retry_after=300,
        )


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime
    session_id: uuid.UUID
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret


def principal_of(
    user: User, session_id: uuid.UUID | str | None = None, network: str | None = None
) -> audit.Principal:
    return audit.Principal(
        user.id,
        user.name,
        user.role,
        user.organisation_id,
        str(session_id) if session_id else None,
        network,
    )


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _open_session(
    db: Session, settings: Settings, user: User, network: str | None, method: str
) -> Tokens:
    refresh = new_refresh_token()
    auth = AuthSession(
        user_id=user.id,
        refresh_hash=hash_token(refresh),
        expires_at=datetime.now(UTC) + timedelta(hours=settings.refresh_token_hours),
        network=network,
        method=method,
    )
    db.add(auth)
    db.flush()
    access, expires = issue_access_token(
        token_secret(settings),
        user_id=user.id,
        session_id=auth.id,
        role=user.role,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        minutes=settings.access_token_minutes,
    )
    return Tokens(access, refresh, expires, auth.id)


def sign_in(
    db: Session, settings: Settings, *, email: str, password: str, totp: str, network: str | None
) -> Tokens:
    """Password and TOTP, both required (NEN 7510). Failures count towards lock-out and are audited."""
    key = network or "unknown"
    if _limits.blocked(db, key, settings.sign_in_rate_per_ip):
        too_many = TooManyAttempts()
        too_many.audit_reason = "rate_limited"
        raise too_many
    user = db.exec(select(User).where(User.email == email.strip().lower())).first()
    now = datetime.now(UTC)
    locked = _aware(user.locked_until) if user else None
    if user is not None and locked is not None and locked > now:
        refused = AccountLocked(locked)
        refused.actor, refused.audit_reason = principal_of(user, network=network), "locked"
        raise refused
    step = None
    if user is not None and user.active and check_password(user.password_hash, password):
        step = totp_step(user.totp_secret, totp, after_step=user.totp_last_step)
    if user is None or step is None:
        _limits.hit(db, key)
        reason = (
            "unknown_user"
            if user is None
            else ("inactive" if not user.active else "bad_credentials")
        )
        if user is not None:
            user.failed_attempts += 1
            if user.failed_attempts >= settings.max_failed_sign_ins:
                user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                user.failed_attempts = 0
            db.add(user)
        audit.record(
            db,
            action="sign_in_failed",
            outcome="denied",
            reason=reason,
            actor=principal_of(user, network=network) if user else None,
            network=network,
        )
        # The failure must be remembered even though the request fails: commit it here, at the boundary.
        keep(db)
        raise SignInFailed()
    user.totp_last_step = step
    user.failed_attempts = 0
    user.locked_until = None
    db.add(user)
    tokens = _open_session(db, settings, user, network, "password+totp")
    audit.record(
        db,
        action="sign_in",
        outcome="success",
        actor=principal_of(user, tokens.session_id, network),
    )
    return tokens


def sign_in_oidc(
    db: Session,
    settings: Settings,
    *,
    id_token: str,
    network: str | None,
    nonce: str | None = None,
    expected: OidcProvider | None = None,
) -> Tokens:
    try:
        provider, claims = verify_id_token(db, id_token, nonce, expected)
    except Unauthenticated as exc:
        audit.record(
            db, action="sign_in_failed", outcome="denied", reason=exc.code, network=network
        )
        keep(db)
        raise
    email = str(claims.get("email", "")).lower()
    user = db.exec(
        select(User).where(User.email == email, User.organisation_id == provider.organisation_id)
    ).first()
    if user is None or not user.active:
        audit.record(
            db, action="sign_in_failed", outcome="denied", reason="no_account", network=network
        )
        keep(db)
        raise SignInFailed()
    tokens = _open_session(db, settings, user, network, "oidc")
    audit.record(
        db,
        action="sign_in",
        outcome="success",
        reason="oidc",
        actor=principal_of(user, tokens.session_id, network),
    )
    return tokens


def _refresh_refused() -> SignInFailed:
    """An unknown, reused, revoked or expired refresh token: logged by the error handler."""
    refused = SignInFailed()
    refused.denial, refused.audit_action, refused.audit_reason = (
        True,
        "sign_in_failed",
        "invalid_refresh_token",
    )
    return refused


def refresh(db: Session, settings: Settings, *, refresh_token: str, network: str | None) -> Tokens:
    """Rotate the refresh token. A token used twice means it was stolen: the whole session ends."""
    digest = hash_token(refresh_token)
    auth = db.exec(select(AuthSession).where(AuthSession.refresh_hash == digest)).first()
    if auth is None:
        reused = db.exec(
            select(AuthSession).where(AuthSession.previous_refresh_hash == digest)
        ).first()
        if reused is not None and reused.revoked_at is None:
            reused.revoked_at = datetime.now(UTC)
            db.add(reused)
            audit.record(
                db,
                action="sign_out",
                outcome="success",
                reason="refresh_token_reused",
                session_id=str(reused.id),
            )
            keep(db)
        raise _refresh_refused()
    expires = _aware(auth.expires_at)
    user = db.get(User, auth.user_id)
    if (
        auth.revoked_at is not None
        or (expires is not None and expires <= datetime.now(UTC))
        or user is None
        or not user.active
    ):
        raise _refresh_refused()
    new = new_refresh_token()
    auth.previous_refresh_hash, auth.refresh_hash = auth.refresh_hash, hash_token(new)
    db.add(auth)
    access, expires_at = issue_access_token(
        token_secret(settings),
        user_id=user.id,
        session_id=auth.id,
        role=user.role,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        minutes=settings.access_token_minutes,
    )
    audit.record(
        db,
        action="sign_in",
        outcome="success",
        reason="session_refreshed",
        actor=principal_of(user, auth.id, network),
    )
    return Tokens(access, new, expires_at, auth.id)


def revoke(
    db: Session, session_id: uuid.UUID, *, by: audit.Principal, reason: str = "sign_out"
) -> None:
    auth = db.get(AuthSession, session_id)
    if auth is not None and auth.revoked_at is None:
        auth.revoked_at = datetime.now(UTC)
        db.add(auth)
        audit.record(
            db,
            action="sign_out",
            outcome="success",
            reason=reason,
            actor=by,
            session_id=str(session_id),
        )
