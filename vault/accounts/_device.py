"""The command line signs in by a code its person confirms in the web app (RFC 8628's shape, ADR 0006).

Beeldkluis issues the device code itself; whoever is signed in to the web app (by password and code or
through the organisation's identity provider) types the user code there and confirms. So it works with
any identity provider, or none, and the command line talks to Beeldkluis only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select, update

from vault import audit
from vault.accounts import _limits
from vault.accounts._security import hash_token
from vault.accounts._service import Tokens, TooManyAttempts, _open_session, principal_of
from vault.db import keep
from vault.domain.models import DeviceGrant, User
from vault.errors import VaultError
from vault.settings import Settings

LIFETIME = timedelta(minutes=10)
ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # RFC 8628 section 6.1: no vowels, nothing that reads as a digit
USER_CODE_LENGTH = 8  # 20**8, about 2**34.6, against WRONG_CODES_LIMIT guesses per 5 minutes
WRONG_CODES_LIMIT = 10  # wrong user codes typed from one address per 5 minutes
SLOW_DOWN_S = 5


@dataclass(frozen=True)
class DeviceCode:
    device_code: str
    user_code: str
    expires_in: int
    interval: int


@dataclass(frozen=True)
class Waiting:
    """Not yet confirmed: `authorization_pending`, or `slow_down` for a client that polls too often."""

    code: str
    interval: int


class DeviceRefused(VaultError):
    """The grant cannot give a session (any more): logged by the error handler."""

    status = 400
    denial, audit_action = True, "sign_in_failed"


class ExpiredCode(DeviceRefused):
    code = "expired_token"

    def __init__(self) -> None:
        super().__init__(
            "De code is verlopen; start het aanmelden opnieuw.",
            "The code has expired; start signing in again.",
        )


class AccessDenied(DeviceRefused):
    code = "access_denied"

    def __init__(self) -> None:
        super().__init__(
            "Het aanmelden is in de webapp geweigerd.", "Sign-in was refused in the web app."
        )


class InvalidGrant(DeviceRefused):
    code = "invalid_grant"

    def __init__(self) -> None:
        super().__init__(
            "Deze code is onbekend of al gebruikt; start het aanmelden opnieuw.",
            "This code is unknown or already used; start signing in again.",
        )


class UnknownUserCode(VaultError):
    status = 404
    code = "unknown_user_code"
    denial = False  # logged (and committed) by `decide` itself: it counts towards the limit

    def __init__(self) -> None:
        super().__init__(
            "Deze code is onbekend of verlopen. Controleer de code op uw scherm.",
            "This code is unknown or expired. Check the code on your screen.",
        )


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def normalise(user_code: str) -> str:
    """`bcdf ghjk`, `BCDF-GHJK` and `bcdfghjk` are one code."""
    letters = "".join(c for c in user_code.upper() if c in ALPHABET)
    return f"{letters[:4]}-{letters[4:]}" if len(letters) == USER_CODE_LENGTH else ""


def start(db: Session, settings: Settings, *, network: str | None) -> DeviceCode:
    """A new grant; at most `sign_in_rate_per_ip` per address per 5 minutes."""
    key = f"device:{network or 'unknown'}"
    if _limits.blocked(db, key, settings.sign_in_rate_per_ip):
        too_many = TooManyAttempts()
        too_many.audit_reason = "rate_limited"
        raise too_many
    _limits.hit(db, key)
    device_code = secrets.token_urlsafe(32)
    letters = "".join(secrets.choice(ALPHABET) for _ in range(USER_CODE_LENGTH))
    user_code = normalise(letters)
    db.add(
        DeviceGrant(
            device_hash=hash_token(device_code),
            user_code_hash=hash_token(user_code),
            expires_at=datetime.now(UTC) + LIFETIME,
            network=network,
            interval=settings.device_poll_seconds,
        )
    )
    db.flush()
    return DeviceCode(
        device_code, user_code, int(LIFETIME.total_seconds()), settings.device_poll_seconds
    )


def pending(db: Session, user_code: str) -> DeviceGrant | None:
    """The live, undecided grant of this user code."""
    code = normalise(user_code)
    if not code:
        return None
    grant = db.exec(
        select(DeviceGrant).where(DeviceGrant.user_code_hash == hash_token(code))
    ).first()
    if (
        grant is None
        or grant.approved_at is not None
        or grant.denied_at is not None
        or _aware(grant.expires_at) <= datetime.now(UTC)
    ):
        return None
    return grant


def decide(db: Session, *, user_code: str, approve: bool, by: audit.Principal) -> DeviceGrant:
    """The signed-in person confirms (or refuses) the grant of this user code, once. Wrong codes are
    counted per address (guessing someone else's code) and logged."""
    key = f"device-code:{by.network or 'unknown'}"
    if _limits.blocked(db, key, WRONG_CODES_LIMIT):
        too_many = TooManyAttempts()
        too_many.actor, too_many.audit_reason = by, "rate_limited"
        raise too_many
    grant = pending(db, user_code)
    now = datetime.now(UTC)
    decided = 0
    if grant is not None:
        values = (
            {"user_id": by.user_id, "approved_at": now}
            if approve
            else {"user_id": by.user_id, "denied_at": now}
        )
        decided = db.exec(
            update(DeviceGrant)
            .where(
                col(DeviceGrant.id) == grant.id,
                col(DeviceGrant.approved_at).is_(None),
                col(DeviceGrant.denied_at).is_(None),
            )
            .values(**values)
        ).rowcount
    if grant is None or decided != 1:
        _limits.hit(db, key)
        audit.record(
            db, action="sign_in_failed", outcome="denied", reason="device_code_unknown", actor=by
        )
        keep(db)  # the refusal is remembered even though the request fails (as sign_in does)
        raise UnknownUserCode()
    audit.record(
        db,
        action="sign_in",
        outcome="allowed" if approve else "denied",
        reason="device_approved" if approve else "device_denied",
        actor=by,
        object_type="device_grant",
        object_id=grant.id,
        detail={"client_network": grant.network or ""},
    )
    return grant


def exchange(
    db: Session, settings: Settings, *, device_code: str, network: str | None
) -> Tokens | Waiting:
    """The client's poll: a session once confirmed (the grant is spent by one conditional UPDATE), else
    what to wait for. A poll sooner than the interval adds SLOW_DOWN_S to it (RFC 8628 section 3.5)."""
    grant = db.exec(
        select(DeviceGrant).where(DeviceGrant.device_hash == hash_token(device_code))
    ).first()
    now = datetime.now(UTC)
    if grant is None or grant.used_at is not None:
        raise InvalidGrant()
    if _aware(grant.expires_at) <= now:
        raise ExpiredCode()
    if grant.denied_at is not None:
        raise AccessDenied()
    if grant.approved_at is None:
        too_soon = grant.polled_at is not None and now - _aware(grant.polled_at) < timedelta(
            seconds=grant.interval
        )
        grant.interval += SLOW_DOWN_S if too_soon else 0
        grant.polled_at = now
        db.add(grant)
        return Waiting("slow_down" if too_soon else "authorization_pending", grant.interval)
    spent = db.exec(
        update(DeviceGrant)
        .where(col(DeviceGrant.id) == grant.id, col(DeviceGrant.used_at).is_(None))
        .values(used_at=now)
    ).rowcount
    user = db.get(User, grant.user_id) if grant.user_id else None
    if spent != 1:
        raise InvalidGrant()
    if user is None or not user.active:
        raise AccessDenied()
    tokens = _open_session(db, settings, user, network, "device")
    audit.record(
        db,
        action="sign_in",
        outcome="success",
        reason="device",
        actor=principal_of(user, tokens.session_id, network),
        object_type="device_grant",
        object_id=grant.id,
    )
    return tokens
