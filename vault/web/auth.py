"""Signing in and out of the web app, the start page per role, and the language switch."""

from __future__ import annotations

import json
import secrets
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from vault import audit
from vault.accounts import client_address, revoke, sign_in, sign_in_oidc
from vault.accounts._oidc import OidcRefused, authorization_url, exchange_code
from vault.accounts._web import (
    clear_session_cookie,
    open_value,
    seal_value,
    session_from_cookie,
    set_session_cookie,
)
from vault.db import DB
from vault.domain.models import AuthSession, OidcProvider, Organisation, User
from vault.errors import NotFound, VaultError, note_denial
from vault.settings import get_settings
from vault.web._page import START, FormViewer, message, redirect, render

router = APIRouter()


def _safe(next_path: str | None) -> str | None:
    """Only a path on this site (never `//host` or a scheme) may be a redirect target."""
    if next_path and next_path.startswith("/") and not next_path.startswith(("//", "/\\")):
        return next_path
    return None


@router.get("/", response_model=None)
def home(request: Request, db: DB) -> Response:
    found = session_from_cookie(db, request)
    if found is None:
        return redirect("/aanmelden")
    return redirect(START.get(found[1].role, "/aanmelden"))


@router.get("/aanmelden", response_model=None)
def sign_in_page(request: Request, db: DB, next: str | None = None) -> Response:
    found = session_from_cookie(db, request)
    if found is not None:
        return redirect(_safe(next) or START.get(found[1].role, "/"))
    return render(
        request, "sign_in.html", next=_safe(next) or "", email="", providers=_providers(db)
    )


@router.post("/aanmelden", response_model=None)
def sign_in_submit(
    request: Request,
    db: DB,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    totp: Annotated[str, Form(max_length=16)],
    next: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    try:
        tokens = sign_in(
            db,
            get_settings(),
            email=email,
            password=password,
            totp=totp.replace(" ", ""),
            network=client_address(request),
        )
    except VaultError as error:
        db.rollback()
        note_denial(error, network=client_address(request), route="/aanmelden", method="POST")
        return render(
            request,
            "sign_in.html",
            status=error.status,
            error=message(request, error),
            next=_safe(next) or "",
            email=email,
            providers=_providers(db),
        )
    user = db.exec(select(User).where(User.email == email.strip().lower())).one()
    response = redirect(_safe(next) or START.get(user.role, "/"))
    set_session_cookie(request, response, tokens)
    return response


@router.post("/afmelden", response_model=None)
def sign_out(request: Request, db: DB, viewer: FormViewer) -> Response:
    revoke(db, viewer.session_id, by=viewer.principal)
    response = redirect("/aanmelden?afgemeld=1")
    clear_session_cookie(request, response)
    return response


@router.get("/taal/{lang}", response_model=None)
def switch_language(lang: str, request: Request, next: str = "/") -> RedirectResponse:
    response = redirect(_safe(next) or "/")
    if lang in ("nl", "en"):
        response.set_cookie(
            "lang",
            lang,
            max_age=365 * 86400,
            path="/",
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


# Sign-in through the organisation's identity provider (OIDC authorization code + PKCE).

OIDC_COOKIE = "beeldkluis_oidc"


def _providers(db: DB) -> list[tuple[str, str]]:
    rows = db.exec(
        select(OidcProvider, Organisation).where(OidcProvider.organisation_id == Organisation.id)
    ).all()
    return [(str(p.id), o.name) for p, o in rows]


@router.get("/aanmelden/oidc/{provider_id}", response_model=None)
def oidc_start(
    provider_id: uuid.UUID, request: Request, db: DB, next: str | None = None
) -> Response:
    provider = db.get(OidcProvider, provider_id)
    if provider is None:
        raise NotFound("Deze identiteitsprovider is niet bekend.", "Unknown identity provider.")
    flow = {
        "p": str(provider.id),
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),
        "next": _safe(next) or "",
    }
    target = authorization_url(
        provider,
        str(request.url_for("oidc_callback")),
        state=flow["state"],
        nonce=flow["nonce"],
        verifier=flow["verifier"],
    )
    response = RedirectResponse(target, status_code=303)
    # Lax, not Strict: the provider sends the browser back here from its own site.
    response.set_cookie(
        OIDC_COOKIE,
        seal_value("oidc", json.dumps(flow)),
        max_age=600,
        path="/aanmelden",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/aanmelden/oidc-terug", name="oidc_callback", response_model=None)
def oidc_callback(request: Request, db: DB, code: str = "", state: str = "") -> Response:
    raw = open_value("oidc", request.cookies.get(OIDC_COOKIE))
    flow = json.loads(raw) if raw else None
    provider = db.get(OidcProvider, uuid.UUID(flow["p"])) if flow else None
    network = client_address(request)
    try:
        if (
            flow is None
            or provider is None
            or not code
            or not secrets.compare_digest(state, flow["state"])
        ):
            raise OidcRefused("de aanmelding is verlopen of niet hier begonnen")
        id_token = exchange_code(
            provider, code, str(request.url_for("oidc_callback")), flow["verifier"]
        )
    except OidcRefused as error:
        audit.record(
            db, action="sign_in_failed", outcome="denied", reason=error.code, network=network
        )
        return _refused(request, db, error)
    try:  # sign_in_oidc logs (and commits) its own refusals
        tokens = sign_in_oidc(
            db,
            get_settings(),
            id_token=id_token,
            network=network,
            nonce=flow["nonce"],
            expected=provider,
        )
    except VaultError as error:
        db.rollback()
        return _refused(request, db, error)
    auth = db.get(AuthSession, tokens.session_id)
    user = db.get(User, auth.user_id) if auth else None
    # A page of our own, not a redirect: the browser arrived from the provider's site, and a
    # SameSite=Strict cookie is only sent on a navigation that starts here.
    target = flow["next"] or START.get(user.role if user else "", "/")
    response = render(request, "signed_in.html", target=target)
    set_session_cookie(request, response, tokens)
    response.delete_cookie(OIDC_COOKIE, path="/aanmelden")
    return response


def _refused(request: Request, db: DB, error: VaultError) -> Response:
    response = render(
        request,
        "sign_in.html",
        status=error.status,
        error=message(request, error),
        next="",
        email="",
        providers=_providers(db),
    )
    response.delete_cookie(OIDC_COOKIE, path="/aanmelden")
    return response
