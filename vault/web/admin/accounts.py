"""Accounts: create one (with a single-use enrolment link shown once), change its role, switch it off
or on, reset its second factor."""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from consent import ACCOUNT_ROLES, Role
from vault.db import DB, after_commit
from vault.i18n import N_
from vault.organisations import service as admin_service
from vault.organisations.schemas import UserCreate, UserUpdate
from vault.web._page import (
    FormViewer,
    PageViewer,
    Viewer,
    attempt,
    message,
    redirect,
    render,
    words,
)
from vault.web.admin._common import (
    EMAIL,
    _admin,
    _notice,
    _organisations,
    _users,
)
from vault.web.labels import ROLES

router = APIRouter()


# Accounts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Enrolment:
    session_id: uuid.UUID
    expires: float
    user_id: str
    email: str
    name: str
    url: str = dataclasses.field(repr=False)  # the single-use enrolment link
    hours: int = 72
    new: bool = True


_WAITING: dict[str, _Enrolment] = {}
_WAITING_LOCK = threading.Lock()
SHOW_WITHIN = 600.0  # seconds


def _hand_over(db: Session, viewer: Viewer, user: dict[str, Any], *, new: bool) -> str:
    """Keep the enrolment for one look by this administrator, once the change is committed."""
    ticket = secrets.token_urlsafe(24)
    enrolment = _Enrolment(
        viewer.session_id,
        time.monotonic() + SHOW_WITHIN,
        str(user["id"]),
        user["email"],
        user["name"],
        user["enrolment_url"],
        user["enrolment_valid_hours"],
        new,
    )

    def keep() -> None:
        with _WAITING_LOCK:
            now = time.monotonic()
            for old in [k for k, v in _WAITING.items() if v.expires < now]:
                del _WAITING[old]
            _WAITING[ticket] = enrolment

    after_commit(db, keep)
    return ticket


def _take(viewer: Viewer, ticket: str) -> _Enrolment | None:
    with _WAITING_LOCK:
        enrolment = _WAITING.pop(ticket, None)
    if (
        enrolment is None
        or enrolment.session_id != viewer.session_id
        or enrolment.expires < time.monotonic()
    ):
        return None
    return enrolment


def _accounts_page(
    request: Request,
    viewer: Viewer,
    db: Session,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    orgs = _organisations(viewer, db)
    names = {o["id"]: o["name"] for o in orgs}
    users = _users(viewer, db)
    users.sort(key=lambda u: (names.get(u["organisation_id"], ""), u["name"].lower()))
    return render(
        request,
        "admin/accounts.html",
        viewer,
        status=status,
        error=error,
        notice=_notice(request, request.query_params.get("gedaan")),
        heading=N_("Accounts"),
        users=users,
        orgs=orgs,
        org_names=names,
        roles=list(ACCOUNT_ROLES),
        role_names=ROLES,
        form=form or {"organisation": str(viewer.principal.organisation_id), "role": Role.trainer},
    )


@router.get("/beheer/accounts")
def accounts(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _admin(viewer)
    return _accounts_page(request, viewer, db)


def _account_problem(email: str, name: str, role: str) -> str | None:
    """What is wrong with the form (a msgid), or None."""
    if not EMAIL.fullmatch(email):
        return N_("Vul een geldig e-mailadres in.")
    if not name:
        return N_("Vul een naam in.")
    if role not in ACCOUNT_ROLES:
        return N_("Kies een rol.")
    return None


@router.post("/beheer/accounts", response_model=None)
def create_account(
    request: Request,
    viewer: FormViewer,
    db: DB,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    _admin(viewer)
    email, name = email.strip().lower(), name.strip()
    form = {"email": email, "name": name, "role": role}
    problem = _account_problem(email, name, role)
    if problem is not None:
        return _accounts_page(
            request, viewer, db, status=422, error=words(request)(problem), form=form
        )
    body = UserCreate(email=email, name=name, role=Role(role))
    created, error = attempt(
        db,
        lambda: admin_service.create_user(
            db, viewer.principal, body, str(request.base_url)
        ).model_dump(mode="json"),
    )
    if error is not None or created is None:
        return _accounts_page(
            request,
            viewer,
            db,
            status=getattr(error, "status", 400),
            error=message(request, error) if error else None,
            form=form,
        )
    ticket = _hand_over(db, viewer, created, new=True)
    return redirect(f"/beheer/accounts/koppeling/{ticket}")


@router.get("/beheer/accounts/koppeling/{ticket}")
def enrolment(ticket: str, request: Request, viewer: PageViewer) -> HTMLResponse:
    _admin(viewer)
    shown = _take(viewer, ticket)
    if shown is None:
        return render(
            request,
            "admin/enrolment.html",
            viewer,
            status=410,
            shown=None,
            heading=N_("Link al getoond"),
        )
    return render(request, "admin/enrolment.html", viewer, shown=shown, heading=N_("Inschrijflink"))


def _account(viewer: Viewer, db: Session, request: Request, user_id: uuid.UUID) -> dict[str, Any]:
    return admin_service.get_user(db, viewer.principal, user_id).model_dump(mode="json")


def _account_page(
    request: Request,
    viewer: Viewer,
    db: Session,
    user_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    user = _account(viewer, db, request, user_id)
    [listed] = [u for u in _users(viewer, db) if u["id"] == str(user_id)]
    names = {o["id"]: o["name"] for o in _organisations(viewer, db)}
    return render(
        request,
        "admin/account.html",
        viewer,
        status=status,
        error=error,
        notice=_notice(request, request.query_params.get("gedaan")),
        heading=user["name"],
        user=listed,
        organisation=names.get(user["organisation_id"], "–"),
        roles=list(ACCOUNT_ROLES),
        role_names=ROLES,
        own=user_id == viewer.principal.user_id,
    )


@router.get("/beheer/accounts/{user_id}")
def account(user_id: uuid.UUID, request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _admin(viewer)
    return _account_page(request, viewer, db, user_id)


def _patch(
    request: Request, viewer: Viewer, db: Session, user_id: uuid.UUID, patch: UserUpdate
) -> Response:
    _, error = attempt(db, lambda: admin_service.update_user(db, viewer.principal, user_id, patch))
    if error is not None:
        return _account_page(
            request, viewer, db, user_id, status=error.status, error=message(request, error)
        )
    done = "rol" if patch.role is not None else ("aan" if patch.active else "uit")
    return redirect(f"/beheer/accounts/{user_id}?gedaan={done}")


@router.post("/beheer/accounts/{user_id}/rol", response_model=None)
def change_role(
    user_id: uuid.UUID,
    request: Request,
    viewer: FormViewer,
    db: DB,
    role: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    _admin(viewer)
    if role not in ACCOUNT_ROLES:
        return _account_page(
            request,
            viewer,
            db,
            user_id,
            status=422,
            error=words(request)(N_("Kies een rol.")),
        )
    return _patch(request, viewer, db, user_id, UserUpdate(role=Role(role)))


@router.post("/beheer/accounts/{user_id}/actief", response_model=None)
def change_active(
    user_id: uuid.UUID,
    request: Request,
    viewer: FormViewer,
    db: DB,
    active: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    _admin(viewer)
    return _patch(request, viewer, db, user_id, UserUpdate(active=active == "1"))


@router.post("/beheer/accounts/{user_id}/code", response_model=None)
def new_code(user_id: uuid.UUID, request: Request, viewer: FormViewer, db: DB) -> Response:
    _admin(viewer)
    link, error = attempt(
        db,
        lambda: admin_service.reset_enrolment(
            db, viewer.principal, user_id, str(request.base_url)
        ).model_dump(mode="json"),
    )
    if error is not None or link is None:
        return _account_page(
            request,
            viewer,
            db,
            user_id,
            status=getattr(error, "status", 400),
            error=message(request, error) if error else None,
        )
    return redirect(f"/beheer/accounts/koppeling/{_hand_over(db, viewer, link, new=False)}")
