"""The request's principal: a valid access token of a live session of an active user."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from vault import audit
from vault.accounts._security import BadToken, read_access_token
from vault.accounts._service import principal_of
from vault.bootstrap import token_secret
from vault.db import DB
from vault.domain.models import AuthSession, User
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
    if credentials is None:
        raise BadToken()
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
    auth = db.get(AuthSession, session_id)
    user = db.get(User, user_id)
    if (
        auth is None
        or auth.user_id != user_id
        or auth.revoked_at is not None
        or user is None
        or not user.active
    ):
        raise BadToken()
    expires = (
        auth.expires_at.replace(tzinfo=UTC) if auth.expires_at.tzinfo is None else auth.expires_at
    )
    if expires <= datetime.now(UTC):
        raise BadToken()
    return principal_of(user, session_id, client_address(request))


Principal = Annotated[audit.Principal, Depends(current_principal)]


def require_role(principal: audit.Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(
            "Uw rol geeft geen toegang tot deze functie.", "Your role does not allow this."
        )
