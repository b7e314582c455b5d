"""The administrator's start page (their organisation at a glance) and the organisations page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from consent import ACCOUNT_ROLES
from vault.db import DB
from vault.i18n import N_
from vault.web._page import (
    PageViewer,
    Viewer,
    render,
)
from vault.web.admin._common import (
    _admin,
    _notice,
    _organisations,
    _users,
)
from vault.web.labels import ROLES

router = APIRouter()


# Start ------------------------------------------------------------------------------------------


@router.get("/beheer")
def start(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _admin(viewer)
    users = _users(viewer, db)
    rows = []
    for org in _organisations(viewer, db):
        mine = [u for u in users if u["organisation_id"] == org["id"]]
        counts = {
            role: sum(1 for u in mine if u["role"] == role and u["active"])
            for role in ACCOUNT_ROLES
        }
        rows.append(
            {
                "org": org,
                "counts": counts,
                "inactive": sum(1 for u in mine if not u["active"]),
                "locked": sum(1 for u in mine if u["locked"]),
            }
        )
    return render(
        request,
        "admin/start.html",
        viewer,
        heading=N_("Beheer"),
        rows=rows,
        roles=list(ACCOUNT_ROLES),
        role_names=ROLES,
    )


# Organisations ----------------------------------------------------------------------------------


def _organisations_page(
    request: Request, viewer: Viewer, db: Session, *, status: int = 200, error: str | None = None
) -> HTMLResponse:
    users = _users(viewer, db)
    orgs = _organisations(viewer, db)
    for org in orgs:
        org["users"] = sum(1 for u in users if u["organisation_id"] == org["id"])
    return render(
        request,
        "admin/organisations.html",
        viewer,
        status=status,
        error=error,
        notice=_notice(request, request.query_params.get("gedaan")),
        heading=N_("Organisaties"),
        orgs=orgs,
    )


@router.get("/beheer/organisaties")
def organisations(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _admin(viewer)
    return _organisations_page(request, viewer, db)
