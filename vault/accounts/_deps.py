"""The request's principal: a valid access token of a live session of an active user."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from vault import audit
from vault.accounts._security import BadToken, read_access_token
from vault.accounts._service import principal_of
from vault.accounts._web import (
    CSRF_HEADER,
    SAFE_METHODS,
    csrf_ok,
    live_session,
    session_from_cookie,
)
from vault.bootstrap import token_secret
from vault.db import DB
from vault.domain.models import AuthSession
from vault.errors import Forbidden
from vault.settings import get_settings

_bearer = HTTPBearer(auto_error=False)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def current_principal(
    request: Request,
    db: DB,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> audit.Principal:
    """A bearer token (API clients) or the web app's session cookie; a cookie alone never changes
    anything without the session's CSRF token in the X-CSRF-Token header."""
    if credentials is None:
        found = session_from_cookie(db, request)
        if found is None or (
            request.method not in SAFE_METHODS
            and not csrf_ok(found[0].id, request.headers.get(CSRF_HEADER))
        ):
            raise BadToken()
        return principal_of(found[1], found[0].id, client_address(request))
    settings = get_settings()
    claims = read_access_token(
        token_secret(settings),
        credentials.credentials,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
    )
    try:
        user_id, session_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
    except (KeyError, ValueError):
        raise BadToken() from None
    found = live_session(db, db.get(AuthSession, session_id))
    if found is None or found[1].id != user_id:
        raise BadToken()
    return principal_of(found[1], session_id, client_address(request))


Principal = Annotated[audit.Principal, Depends(current_principal)]


def require_role(principal: audit.Principal, *roles: str) -> None:
    if principal.role not in roles:
        error = Forbidden(
            "Uw rol geeft geen toegang tot deze functie.", "Your role does not allow this."
        )
        error.actor, error.audit_reason = principal, "role_gate"
        raise error
