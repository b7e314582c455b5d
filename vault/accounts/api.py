"""/auth: sign in with password and TOTP (or the organisation's identity provider), refresh, sign out."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from vault.accounts._deps import Principal, client_address
from vault.accounts._service import refresh, revoke, sign_in, sign_in_oidc
from vault.db import DB
from vault.settings import get_settings

router = APIRouter(prefix="/auth", tags=["auth"])


class SignIn(BaseModel):
    email: str = Field(examples=["trainer@ggd.example"])
    password: str = Field(examples=["een lang wachtwoord"])
    totp: str = Field(examples=["123456"], description="Zescijferige code uit de authenticator-app")


class OidcSignIn(BaseModel):
    id_token: str


class Refresh(BaseModel):
    refresh_token: str


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime
    session_id: str


def _out(tokens) -> TokensOut:  # type: ignore[no-untyped-def]
    return TokensOut(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
        session_id=str(tokens.session_id),
    )


@router.post(
    "/sign-in", response_model=TokensOut, summary="Aanmelden met wachtwoord en TOTP / sign in"
)
def post_sign_in(body: SignIn, request: Request, db: DB) -> TokensOut:
    return _out(
        sign_in(
            db,
            get_settings(),
            email=body.email,
            password=body.password,
            totp=body.totp,
            network=client_address(request),
        )
    )


@router.post(
    "/oidc",
    response_model=TokensOut,
    summary="Aanmelden via de organisatie (OIDC) / sign in with OIDC",
)
def post_oidc(body: OidcSignIn, request: Request, db: DB) -> TokensOut:
    return _out(
        sign_in_oidc(db, get_settings(), id_token=body.id_token, network=client_address(request))
    )


@router.post("/refresh", response_model=TokensOut, summary="Sessie verlengen / refresh")
def post_refresh(body: Refresh, request: Request, db: DB) -> TokensOut:
    return _out(
        refresh(
            db, get_settings(), refresh_token=body.refresh_token, network=client_address(request)
        )
    )


@router.post("/sign-out", status_code=204, summary="Afmelden / sign out")
def post_sign_out(principal: Principal, db: DB) -> None:
    import uuid

    revoke(db, uuid.UUID(str(principal.session_id)), by=principal)


@router.get("/me", summary="Wie ben ik / who am I")
def get_me(principal: Principal) -> dict[str, str | None]:
    return {"user_id": str(principal.user_id), "name": principal.name, "role": principal.role,
            "organisation_id": str(principal.organisation_id), "session_id": principal.session_id}  # fmt: skip
