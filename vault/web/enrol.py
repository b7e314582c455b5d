"""The person's own steps in the administration plane (ADR 0002, separation of duties):

- `/inschrijven/{token}`: the single-use enrolment link an administrator handed over. The person
  chooses a password and enrols their own authenticator app; the QR code is shown to them only.
- `/mijn-begeleiding`: a trainer confirms the supervision links and gecommitteerde grants an
  administrator proposed for them. Until then they open no footage.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from consent import Role
from vault.accounts import enrol, enrolling
from vault.accounts._security import new_totp_secret, totp_uri
from vault.db import DB
from vault.domain.models import User
from vault.i18n import N_
from vault.organisations import service as organisations
from vault.web._page import (
    FormViewer,
    PageViewer,
    attempt,
    message,
    redirect,
    render,
    require,
    words,
)

router = APIRouter()


def _enrol_page(
    request: Request, user: User, secret: str, *, status: int = 200, error: str | None = None
) -> HTMLResponse:
    uri = totp_uri(secret, user.email)
    return render(
        request,
        "enrol.html",
        status=status,
        error=error,
        name=user.name,
        email=user.email,
        qr=segno.make(uri, error="m").svg_data_uri(scale=5, border=4),
        secret=secret,
        grouped=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )


def _gone(request: Request) -> HTMLResponse:
    _ = words(request)
    return render(
        request,
        "error.html",
        status=410,
        title=N_("Link verlopen"),
        text=_("Deze link is al gebruikt of verlopen; vraag uw beheerder om een nieuwe."),
    )


@router.get("/inschrijven/{token}")
def enrolment(token: str, request: Request, db: DB) -> HTMLResponse:
    user = enrolling(db, token[:200])
    return _gone(request) if user is None else _enrol_page(request, user, new_totp_secret())


@router.post("/inschrijven/{token}", response_model=None)
def enrol_submit(
    token: str,
    request: Request,
    db: DB,
    password: Annotated[str, Form(max_length=1024)] = "",
    secret: Annotated[str, Form(max_length=64)] = "",
    totp: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    user = enrolling(db, token[:200])
    if user is None:
        return _gone(request)
    done, error = attempt(db, lambda: enrol(db, token, password=password, secret=secret, code=totp))
    if error is not None or done is None:
        if error is not None and error.status == 404:
            return _gone(request)
        return _enrol_page(
            request,
            user,
            secret if len(secret) == 32 else new_totp_secret(),
            status=getattr(error, "status", 422),
            error=message(request, error) if error else None,
        )
    return redirect("/aanmelden?ingeschreven=1")


# The trainer confirms ---------------------------------------------------------------------------


@router.get("/mijn-begeleiding")
def my_supervision(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    require(viewer, Role.trainer)
    rows: list[dict[str, Any]] = []
    for kind, listing in (
        ("koppeling", organisations.list_links),
        ("opdracht", organisations.list_grants),
    ):
        rows += [
            {**item.model_dump(mode="json"), "kind": kind} for item in listing(db, viewer.principal)
        ]
    ids = {uuid.UUID(str(r.get("opleider_id") or r.get("user_id"))) for r in rows}
    names = {u.id: (u.name, u.role) for u in db.exec(select(User).where(col(User.id).in_(ids)))}
    for r in rows:
        r["who"], r["role"] = names.get(
            uuid.UUID(str(r.get("opleider_id") or r.get("user_id"))), ("–", "")
        )
    return render(
        request,
        "my_supervision.html",
        viewer,
        rows=rows,
        confirmed=request.query_params.get("bevestigd") == "1",
        heading=N_("Mijn begeleiding"),
    )


@router.post("/mijn-begeleiding/{kind}/{row_id}", response_model=None)
def confirm(kind: str, row_id: uuid.UUID, request: Request, viewer: FormViewer, db: DB) -> Response:
    require(viewer, Role.trainer)
    confirm_one = organisations.confirm_link if kind == "koppeling" else organisations.confirm_grant
    _, error = attempt(db, lambda: confirm_one(db, viewer.principal, row_id))
    if error is not None:
        return render(
            request,
            "error.html",
            viewer,
            status=error.status,
            title=N_("Dat lukt niet"),
            text=message(request, error),
        )
    return redirect("/mijn-begeleiding?bevestigd=1")
