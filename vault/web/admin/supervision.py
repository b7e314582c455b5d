"""Supervision links and gecommitteerde grants: proposed here, in effect once the trainee confirms."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlmodel import Session, col, select

from consent import ACCOUNT_ROLES
from vault.consents.models import GrantRow
from vault.db import DB
from vault.domain.models import SupervisionLink, User
from vault.i18n import N_
from vault.organisations import service as admin_service
from vault.organisations.schemas import GrantCreate, SupervisionLinkCreate
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
    _admin,
    _notice,
    _users,
    _uuid,
)

router = APIRouter()


# Supervision links and gecommitteerde grants ----------------------------------------------------


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, clock.min, tzinfo=UTC)


def _window(
    first: str, last: str, *, required: bool
) -> tuple[tuple[datetime | None, datetime | None], str | None]:
    """A validity period from two date fields, `last` included (stored as the next day's start)."""
    start, end = _day(first) if first.strip() else None, _day(last) if last.strip() else None
    if (first.strip() and start is None) or (last.strip() and end is None):
        return (None, None), N_("Vul een geldige datum in.")
    if required and (start is None or end is None):
        return (None, None), N_("Vul een begin- en einddatum in.")
    if start is not None and end is not None and end < start:
        return (None, None), N_("De einddatum ligt vóór de begindatum.")
    return (
        _start_of(start) if start else None,
        _start_of(end + timedelta(days=1)) if end else None,
    ), None


def _supervision_page(
    request: Request,
    viewer: Viewer,
    db: Session,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    users = _users(viewer, db)
    names = {u["id"]: u["name"] for u in users}
    now = datetime.now(UTC)

    def state(start: datetime | None, end: datetime | None) -> str:
        start = start.replace(tzinfo=UTC) if start and start.tzinfo is None else start
        end = end.replace(tzinfo=UTC) if end and end.tzinfo is None else end
        return "later" if start and now < start else ("over" if end and now >= end else "now")

    def row(item: SupervisionLink | GrantRow, who: uuid.UUID) -> dict[str, Any]:
        last = item.valid_until - timedelta(days=1) if item.valid_until else None
        return {
            "trainee": names.get(str(item.trainee_id), "–"),
            "who": names.get(str(who), "–"),
            "first": item.valid_from,
            "last": last,
            "state": state(item.valid_from, item.valid_until) if item.confirmed_at else "proposed",
        }

    # Links and grants of this organisation's trainees (the API's own listing); the person on the other
    # side may work for another organisation.
    def named(ids: set[uuid.UUID]) -> None:
        for user in db.exec(
            select(User).where(col(User.id).in_(ids - {uuid.UUID(i) for i in names}))
        ):
            names[str(user.id)] = user.name

    listed = [db.get(SupervisionLink, i.id) for i in admin_service.list_links(db, viewer.principal)]
    given = [db.get(GrantRow, i.id) for i in admin_service.list_grants(db, viewer.principal)]
    named({s.opleider_id for s in listed if s} | {g.user_id for g in given if g})
    links = [row(s, s.opleider_id) for s in listed if s]
    grants = [row(g, g.user_id) for g in given if g]
    by_role = {
        role: [u for u in users if u["role"] == role and u["active"]] for role in ACCOUNT_ROLES
    }
    return render(
        request,
        "admin/supervision.html",
        viewer,
        status=status,
        error=error,
        notice=_notice(request, request.query_params.get("gedaan")),
        heading=N_("Begeleiding"),
        links=sorted(links, key=lambda r: (r["trainee"], r["who"])),
        grants=sorted(grants, key=lambda r: (r["trainee"], r["who"])),
        by_role=by_role,
        form=form or {},
    )


@router.get("/beheer/begeleiding")
def supervision(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _admin(viewer)
    return _supervision_page(request, viewer, db)


def _refused(
    request: Request, viewer: Viewer, db: Session, form: dict[str, str], problem: str | None
) -> HTMLResponse:
    """The form again, with what was typed and what is wrong with it (a msgid)."""
    return _supervision_page(
        request,
        viewer,
        db,
        status=422,
        form=form,
        error=words(request)(problem) if problem else None,
    )


@router.post("/beheer/begeleiding", response_model=None)
def create_link(
    request: Request,
    viewer: FormViewer,
    db: DB,
    trainee: Annotated[str, Form(max_length=64)] = "",
    opleider: Annotated[str, Form(max_length=64)] = "",
    first: Annotated[str, Form(max_length=16)] = "",
    last: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    _admin(viewer)
    form = {"trainee": trainee, "opleider": opleider, "first": first, "last": last}
    (start, end), problem = _window(first, last, required=False)
    trainee_id, opleider_id = _uuid(trainee), _uuid(opleider)
    if trainee_id is None or opleider_id is None:
        problem = N_("Kies een trainer en een opleider.")
    if problem is not None or trainee_id is None or opleider_id is None:
        return _refused(request, viewer, db, form, problem)
    body = SupervisionLinkCreate(
        trainee_id=trainee_id, opleider_id=opleider_id, valid_from=start, valid_until=end
    )
    _, error = attempt(db, lambda: admin_service.propose_link(db, viewer.principal, body))
    if error is not None:
        return _supervision_page(
            request, viewer, db, status=error.status, form=form, error=message(request, error)
        )
    return redirect("/beheer/begeleiding?gedaan=koppeling")


@router.post("/beheer/begeleiding/opdracht", response_model=None)
def create_assignment(
    request: Request,
    viewer: FormViewer,
    db: DB,
    trainee: Annotated[str, Form(max_length=64)] = "",
    gecommitteerde: Annotated[str, Form(max_length=64)] = "",
    first: Annotated[str, Form(max_length=16)] = "",
    last: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    _admin(viewer)
    form = {
        "g_trainee": trainee,
        "gecommitteerde": gecommitteerde,
        "g_first": first,
        "g_last": last,
    }
    (start, end), problem = _window(first, last, required=True)
    trainee_id, user_id = _uuid(trainee), _uuid(gecommitteerde)
    if trainee_id is None or user_id is None:
        problem = N_("Kies een gecommitteerde en een trainer.")
    if problem is not None or trainee_id is None or user_id is None or start is None or end is None:
        return _refused(request, viewer, db, form, problem)
    try:
        body = GrantCreate(
            user_id=user_id, trainee_id=trainee_id, valid_from=start, valid_until=end
        )
    except ValidationError:
        return _refused(request, viewer, db, form, N_("Vul een geldige datum in."))
    _, error = attempt(db, lambda: admin_service.propose_grant(db, viewer.principal, body))
    if error is not None:
        return _supervision_page(
            request, viewer, db, status=error.status, form=form, error=message(request, error)
        )
    return redirect("/beheer/begeleiding?gedaan=opdracht")
