"""Passwords (argon2id), TOTP with replay protection, and short-lived JWT access tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from jose import JWTError, jwt

from vault.errors import Unauthenticated

_hasher = PasswordHasher()
ALGORITHMS = ["HS256"]  # the one algorithm our own tokens use; anything else is refused
TOTP_ISSUER = "Beeldkluis"
MIN_PASSWORD = 12


class BadToken(Unauthenticated):
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__(
            "Uw sessie is verlopen of ongeldig; meld u opnieuw aan.",
            "Your session expired or is invalid; sign in again.",
        )


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(
            f"wachtwoord moet minstens {MIN_PASSWORD} tekens hebben / password needs {MIN_PASSWORD}+ characters"
        )
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return bool(stored) and _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, *, after_step: int, at: float | None = None) -> int | None:
    """The time step a code belongs to (±1 step of clock drift), if it is newer than `after_step`.

    A code used once cannot be used again: the caller stores the returned step.
    """
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    current = int(now // totp.interval)
    for step in (current - 1, current, current + 1):
        if step > after_step and secrets.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def issue_access_token(
    secret: str,
    *,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    role: str,
    issuer: str,
    audience: str,
    minutes: float,
) -> tuple[str, datetime]:
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=minutes)
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": str(user_id),
        "sid": str(session_id),
        "role": role,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "typ": "access",
    }
    return jwt.encode(claims, secret, algorithm="HS256"), expires


def read_access_token(secret: str, token: str, *, issuer: str, audience: str) -> dict[str, Any]:
    """Decode and check signature, algorithm, expiry, issuer and audience; BadToken otherwise."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in ALGORITHMS:
            raise BadToken()
        claims = jwt.decode(
            token,
            secret,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_sub": True,
                "require_aud": True,
                "require_iss": True,
            },
        )
    except JWTError:
        raise BadToken() from None
    if claims.get("typ") != "access" or "sid" not in claims:
        raise BadToken()
    return dict(claims)
