"""Signing in and out of the web app, the start page per role, and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import select

from vault.accounts import client_address, revoke, sign_in
from vault.accounts._web import clear_session_cookie, session_from_cookie, set_session_cookie
from vault.db import DB
from vault.domain.models import User
from vault.errors import VaultError
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
    return render(request, "sign_in.html", next=_safe(next) or "", email="")


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
        tokens = sign_in(db, get_settings(), email=email, password=password,
                         totp=totp.replace(" ", ""), network=client_address(request))  # fmt: skip
    except VaultError as error:
        db.rollback()
        return render(request, "sign_in.html", status=error.status, error=message(request, error),
                      next=_safe(next) or "", email=email)  # fmt: skip
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
        response.set_cookie("lang", lang, max_age=365 * 86400, path="/", samesite="lax",
                            secure=request.url.scheme == "https")  # fmt: skip
    return response
