"""The browser's session: an opaque cookie naming a revocable AuthSession, and a CSRF token tied to it.

The cookie holds a random 256-bit value whose SHA-256 is the session's `refresh_hash`; no JWT ever
reaches the browser. Over HTTPS (and always in production) it is `__Host-beeldkluis`: Secure,
HttpOnly, SameSite=Strict, path /. On plain http://127.0.0.1 (the embedded default) browsers refuse
Secure cookies, so it is `beeldkluis` with the same flags minus Secure. Every request checks the
session in the database, so signing out or a revocation takes effect at once.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response
from sqlmodel import Session, select

from vault import audit
from vault.accounts._security import hash_token
from vault.accounts._service import Tokens, principal_of
from vault.bootstrap import token_secret
from vault.db import keep
from vault.domain.models import AuthSession, User
from vault.settings import Environment, get_settings

SECURE_COOKIE = "__Host-beeldkluis"
PLAIN_COOKIE = "beeldkluis"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or get_settings().environment is Environment.production


def set_session_cookie(request: Request, response: Response, tokens: Tokens) -> None:
    secure = _secure(request)
    response.set_cookie(
        SECURE_COOKIE if secure else PLAIN_COOKIE,
        tokens.refresh_token,
        max_age=get_settings().refresh_token_hours * 3600,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    secure = _secure(request)
    response.delete_cookie(
        SECURE_COOKIE if secure else PLAIN_COOKIE,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def live_session(db: Session, auth: AuthSession | None) -> tuple[AuthSession, User] | None:
    """The session and its user if the session is neither revoked nor expired and the user is active."""
    if auth is None or auth.revoked_at is not None or _aware(auth.expires_at) <= datetime.now(UTC):
        return None
    user = db.get(User, auth.user_id)
    return (auth, user) if user is not None and user.active else None


def session_from_cookie(db: Session, request: Request) -> tuple[AuthSession, User] | None:
    """The live session the cookie names. One left unused for WEB_IDLE_MINUTES is ended (and logged),
    as NEN 7510 asks of a screen left open; use moves its clock on (written at most once a minute)."""
    value = request.cookies.get(SECURE_COOKIE) or (
        None if _secure(request) else request.cookies.get(PLAIN_COOKIE)
    )
    if not value:
        return None
    auth = db.exec(select(AuthSession).where(AuthSession.refresh_hash == hash_token(value))).first()
    found = live_session(db, auth)
    if found is None:
        return None
    auth, user = found
    now = datetime.now(UTC)
    seen = _aware(auth.last_seen_at or auth.created_at)
    if now - seen > timedelta(minutes=get_settings().web_idle_minutes):
        auth.revoked_at = now
        db.add(auth)
        audit.record(
            db,
            action="sign_out",
            outcome="success",
            reason="idle",
            actor=principal_of(user, auth.id),
            session_id=str(auth.id),
        )
        keep(db)  # ended even though this request is sent to the sign-in page
        return None
    if now - seen > timedelta(minutes=1):
        auth.last_seen_at = now
        db.add(auth)
    return auth, user


def csrf_token(session_id: uuid.UUID | str) -> str:
    """Per session, derived (nothing stored): HMAC of the session id under the token secret."""
    key = hashlib.sha256(b"csrf:" + token_secret(get_settings()).encode()).digest()
    return hmac.new(key, str(session_id).encode(), hashlib.sha256).hexdigest()


def csrf_ok(session_id: uuid.UUID | str, supplied: str | None) -> bool:
    return bool(supplied) and hmac.compare_digest(csrf_token(session_id), supplied or "")


def seal_value(purpose: str, value: str) -> str:
    """`value` with an HMAC tag bound to `purpose` (for short-lived cookies the server must trust)."""
    key = hashlib.sha256(f"{purpose}:".encode() + token_secret(get_settings()).encode()).digest()
    return value + "." + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def open_value(purpose: str, sealed: str | None) -> str | None:
    if not sealed or "." not in sealed:
        return None
    value = sealed.rsplit(".", 1)[0]
    return value if hmac.compare_digest(seal_value(purpose, value), sealed) else None
