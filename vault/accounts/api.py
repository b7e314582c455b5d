"""/auth: sign in with password and TOTP (or the organisation's identity provider), refresh, sign out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import select

from vault.accounts import _device
from vault.accounts._deps import Principal, client_address
from vault.accounts._service import Tokens, refresh, revoke, sign_in, sign_in_oidc
from vault.db import DB
from vault.domain.models import OidcProvider, Organisation
from vault.errors import problem
from vault.routes import operation_ids, problems
from vault.settings import get_settings

router = APIRouter(prefix="/auth", tags=["auth"], generate_unique_id_function=operation_ids("auth"))


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


def _out(tokens: Tokens) -> TokensOut:
    return TokensOut(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
        session_id=str(tokens.session_id),
    )


@router.post(
    "/sign-in",
    response_model=TokensOut,
    summary="Aanmelden met wachtwoord en TOTP / sign in",
    responses=problems(401, 422, 423, 429),
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
    responses=problems(401, 422, 429),
)
def post_oidc(body: OidcSignIn, request: Request, db: DB) -> TokensOut:
    return _out(
        sign_in_oidc(db, get_settings(), id_token=body.id_token, network=client_address(request))
    )


@router.post(
    "/refresh",
    response_model=TokensOut,
    summary="Sessie verlengen / refresh",
    responses=problems(401, 422),
)
def post_refresh(body: Refresh, request: Request, db: DB) -> TokensOut:
    return _out(
        refresh(
            db, get_settings(), refresh_token=body.refresh_token, network=client_address(request)
        )
    )


class Methods(BaseModel):
    password: bool = True
    device: bool = Field(
        default=True, description="POST /auth/device: confirm a code in the web app"
    )
    providers: list[str] = Field(
        description="Organisations that sign in through their identity provider"
    )


class DeviceCodeOut(BaseModel):
    device_code: str
    user_code: str = Field(examples=["BCDF-GHJK"])
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


class DeviceToken(BaseModel):
    device_code: str = Field(max_length=200)


class Waiting(BaseModel):
    """A problem+json body: `authorization_pending` or `slow_down` (poll again after `interval` s)."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    detail_en: str
    interval: int | None = None


@router.get("/methods", response_model=Methods, summary="Manieren van aanmelden / sign-in methods")
def get_methods(db: DB) -> Methods:
    rows = db.exec(
        select(Organisation.name).where(OidcProvider.organisation_id == Organisation.id)
    ).all()
    return Methods(providers=sorted(set(rows)))


@router.post(
    "/device",
    response_model=DeviceCodeOut,
    summary="Aanmelden van de opdrachtregel beginnen / start a command-line sign-in",
    responses=problems(429),
)
def post_device(request: Request, db: DB) -> DeviceCodeOut:
    settings = get_settings()
    code = _device.start(db, settings, network=client_address(request))
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    return DeviceCodeOut(
        device_code=code.device_code,
        user_code=code.user_code,
        verification_uri=f"{base}/apparaat",
        verification_uri_complete=f"{base}/apparaat?code={code.user_code}",
        expires_in=code.expires_in,
        interval=code.interval,
    )


WAITING = {
    "authorization_pending": (
        "Nog niet bevestigd in de webapp.",
        "Not confirmed in the web app yet.",
    ),
    "slow_down": (
        "Te vaak gevraagd; wacht langer tussen de vragen.",
        "Polled too often; wait longer.",
    ),
}


# 400: still waiting (`authorization_pending`, `slow_down`: poll again after `interval` s) or refused
# (`expired_token`, `access_denied`, `invalid_grant`), as RFC 8628 names them.
DEVICE_TOKEN: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "Nog niet bevestigd of geweigerd / not confirmed yet, or refused",
        "content": {"application/problem+json": {"schema": Waiting.model_json_schema()}},
    },
    **problems(422, 429),
}


@router.post(
    "/device/token",
    response_model=TokensOut,
    responses=DEVICE_TOKEN,
    summary="Sessie voor de opdrachtregel ophalen / exchange a confirmed code",
)
def post_device_token(body: DeviceToken, request: Request, db: DB) -> TokensOut | JSONResponse:
    outcome = _device.exchange(
        db, get_settings(), device_code=body.device_code, network=client_address(request)
    )
    if isinstance(outcome, Tokens):
        return _out(outcome)
    return problem(400, outcome.code, *WAITING[outcome.code], interval=outcome.interval)


@router.post("/sign-out", status_code=204, summary="Afmelden / sign out", responses=problems(401))
def post_sign_out(principal: Principal, db: DB) -> None:
    import uuid

    revoke(db, uuid.UUID(str(principal.session_id)), by=principal)


class Me(BaseModel):
    user_id: str
    name: str
    role: str
    organisation_id: str = Field(description="'None' (text) without an organisation")
    session_id: str | None


@router.get("/me", summary="Wie ben ik / who am I", response_model=Me, responses=problems(401))
def get_me(principal: Principal) -> dict[str, str | None]:
    return {
        "user_id": str(principal.user_id),
        "name": principal.name,
        "role": principal.role,
        "organisation_id": str(principal.organisation_id),
        "session_id": principal.session_id,
    }
