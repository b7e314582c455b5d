"""Trainer pages: the parents' package: build, progress, link and hand-over.

Every step calls the export service (vault.export.service), as the API does, so each is decided and
logged by the access seam the same way. The parents' link and code are shown once, in the answer to the
POST that made them (with the hand-over sheet to print), and never stored readable (ADR 0015).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from consent import Role
from vault.db import DB
from vault.errors import Conflict, NotFound, VaultError
from vault.export import service as exports
from vault.export.api import download
from vault.export.schemas import ExportIn, HandoverHow
from vault.families import service as families
from vault.families.schemas import TrajectoryPublic
from vault.i18n import N_
from vault.routes import dump
from vault.web._page import (
    FormViewer,
    PageViewer,
    Viewer,
    attempt,
    message,
    notice,
    redirect,
    render,
    require,
)
from vault.web.labels import TYPES
from vault.web.labels import exports as package_labels

router = APIRouter()

DONE: dict[str, str] = {
    "geannuleerd": N_("Het pakket is geannuleerd."),
    "verwijderd": N_("Het pakket is verwijderd."),
    "overgedragen": N_(
        "De overdracht is vastgelegd. Dat telt mee voor het bewaren en verwijderen."
    ),
}


def _url(trajectory_id: uuid.UUID, done: str | None = None) -> str:
    return f"/trajecten/{trajectory_id}/pakket" + (f"?gedaan={done}" if done else "")


def _page(
    request: Request,
    viewer: Viewer,
    db: Session,
    trajectory_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
    **shown_once: Any,
) -> HTMLResponse:
    require(viewer, Role.trainer)
    p = viewer.principal
    trajectory = dump(families.get_trajectory(db, p, trajectory_id), TrajectoryPublic)
    rows, refused = attempt(db, lambda: exports.list_exports(db, p, trajectory_id))
    packages = [exports.view(e) for e in rows or []]
    choices = exports.exportable(db, p, trajectory_id) if not refused else []
    busy = [e for e in packages if e["status"] in ("queued", "building")]
    return render(
        request,
        "export/package.html",
        viewer,
        status=status,
        heading=N_("Pakket voor de ouders"),
        trajectory=trajectory,
        types=TYPES,
        exports=packages,
        choices=choices,
        names={c["id"]: c["name"] for c in choices},
        busy=busy,
        refused=message(request, refused) if refused else None,
        statuses=package_labels.STATUSES,
        badges=package_labels.BADGES,
        how=package_labels.HOW,
        now=datetime.now(UTC).isoformat(),
        notice=notice(request, DONE, request.query_params.get("gedaan")),
        error=error,
        **shown_once,
    )


def _mine(
    db: Session, viewer: Viewer, trajectory_id: uuid.UUID, export_id: uuid.UUID
) -> dict[str, Any]:
    """The export, which must belong to the trajectory in the URL (the service decides and logs access)."""
    view = exports.view(exports.get(db, viewer.principal, export_id))
    if view["trajectory_id"] != str(trajectory_id):
        raise NotFound("Pakket niet gevonden.", "Export not found.")
    return view


def _refused(
    request: Request, viewer: Viewer, db: Session, trajectory_id: uuid.UUID, error: VaultError
) -> HTMLResponse:
    return _page(
        request, viewer, db, trajectory_id, status=error.status, error=message(request, error)
    )


@router.get("/trajecten/{trajectory_id}/pakket")
def package(request: Request, trajectory_id: uuid.UUID, viewer: PageViewer, db: DB) -> HTMLResponse:
    return _page(request, viewer, db, trajectory_id)


@router.post("/trajecten/{trajectory_id}/pakket", response_model=None)
def build(
    request: Request,
    trajectory_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    keuze: Annotated[str, Form()] = "",
    opname: Annotated[list[uuid.UUID] | None, Form()] = None,
    weglaten: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Start building, with the recordings the trainer ticked (`keuze`: the form offered a choice; none
    ticked is refused, not read as "all"). A plain ZIP: the parents' download is protected by the link
    and the code, the package by the store's encryption (ADR 0015)."""
    require(viewer, Role.trainer)
    chosen = list(opname or []) if keuze == "ja" else None
    body = ExportIn(recording_ids=chosen, skip_failed=weglaten == "ja")
    _, error = attempt(db, lambda: exports.create(db, viewer.principal, trajectory_id, body))
    if error:
        return _refused(request, viewer, db, trajectory_id, error)
    return _page(request, viewer, db, trajectory_id, status=200, started=True)


@router.post("/trajecten/{trajectory_id}/pakket/{export_id}/annuleren", response_model=None)
def remove(
    request: Request, trajectory_id: uuid.UUID, export_id: uuid.UUID, viewer: FormViewer, db: DB
) -> HTMLResponse | RedirectResponse:
    """Cancel a package being built, or remove a finished one."""
    require(viewer, Role.trainer)

    def run() -> str:
        was = _mine(db, viewer, trajectory_id, export_id)["status"]
        exports.cancel(db, viewer.principal, export_id)
        return "geannuleerd" if was in ("queued", "building") else "verwijderd"

    done, error = attempt(db, run)
    if error:
        return _refused(request, viewer, db, trajectory_id, error)
    return redirect(_url(trajectory_id, done))


@router.get("/trajecten/{trajectory_id}/pakket/{export_id}/download", response_model=None)
def fetch(
    request: Request, trajectory_id: uuid.UUID, export_id: uuid.UUID, viewer: PageViewer, db: DB
) -> Response:
    """The trainer's own download (to put on a USB stick; resumable); refusals become the error page."""
    require(viewer, Role.trainer)
    _mine(db, viewer, trajectory_id, export_id)
    return download(export_id, principal=viewer.principal, db=db, request=request)


@router.post("/trajecten/{trajectory_id}/pakket/{export_id}/link", response_model=None)
def link(
    request: Request, trajectory_id: uuid.UUID, export_id: uuid.UUID, viewer: FormViewer, db: DB
) -> HTMLResponse:
    """A new link and code for the parents (it replaces an earlier one), shown once, with the hand-over
    sheet to print: link (and its QR code), code, what to do, until when, what is inside."""
    require(viewer, Role.trainer)

    def run() -> tuple[dict[str, Any], exports.NewLink]:
        view = _mine(db, viewer, trajectory_id, export_id)
        return view, exports.create_link(db, viewer.principal, export_id, str(request.base_url))

    made, error = attempt(db, run)
    if error or made is None:
        return _refused(request, viewer, db, trajectory_id, error or NotFound("?", "?"))
    view, link = made
    sheet = {
        "url": link.url,
        "code": link.code,
        "expires_at": link.expires_at,
        "downloads": link.downloads_allowed,
        "size": view["size"] or 0,
        "recordings": view["progress"]["total"] - len(view["left_out"]),
        "trainer": viewer.principal.name,
        "qr": segno.make(link.url, error="m").svg_data_uri(scale=4, border=2),
    }
    return _page(request, viewer, db, trajectory_id, link_for=str(export_id), sheet=sheet)


@router.post("/trajecten/{trajectory_id}/pakket/{export_id}/overdracht", response_model=None)
def handed_over(
    request: Request,
    trajectory_id: uuid.UUID,
    export_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    how: Annotated[str, Form()],
) -> HTMLResponse | RedirectResponse:
    require(viewer, Role.trainer)

    def run() -> None:
        if how not in package_labels.HOW:
            raise Conflict("Kies hoe het pakket is overgedragen.", "Choose how it was handed over.")
        _mine(db, viewer, trajectory_id, export_id)
        exports.handover(db, viewer.principal, export_id, HandoverHow(how))

    _, error = attempt(db, run)
    if error:
        return _refused(request, viewer, db, trajectory_id, error)
    return redirect(_url(trajectory_id, "overgedragen"))


@router.get("/trajecten/{trajectory_id}/pakket/{export_id}/{action}")
def back_to_package(trajectory_id: uuid.UUID) -> RedirectResponse:
    """A form's address opened directly (a reload, the language switch after an error): the page."""
    return redirect(_url(trajectory_id))
