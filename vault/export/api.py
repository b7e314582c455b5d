"""Exports over HTTP: the trainer builds, follows, downloads, shares and hands over the parents' package;
parents fetch it once through a link plus a code given separately (no account needed)."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import Session, col, select

import consent
from vault import audit
from vault.access import authorize
from vault.accounts import Principal
from vault.db import DB
from vault.domain.models import Recording, Trajectory
from vault.errors import Conflict, NotFound
from vault.export.models import Export, ExportStatus
from vault.export.package import new_secret
from vault.export.tasks import build, remove_package
from vault.settings import get_settings
from vault.store import ObjectKind, open_store
from vault.worker import enqueue_after_commit

router = APIRouter(tags=["export"])
public_router = APIRouter(tags=["export"], include_in_schema=True)
_codes = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class ExportIn(BaseModel):
    recording_ids: list[uuid.UUID] | None = None  # None: every recording of the trajectory
    encrypted: bool = True  # AES-256 ZIP; the passphrase is shown once, in the answer


class HandoverHow(StrEnum):
    usb = "usb"
    download = "download"
    in_person = "in_person"


class HandoverIn(BaseModel):
    how: HandoverHow


def _view(export: Export) -> dict[str, Any]:
    return {
        "id": str(export.id), "trajectory_id": str(export.trajectory_id), "status": export.status,
        "progress": {"done": export.done, "total": export.total}, "encrypted": export.encrypted,
        "size": export.size, "sha256": export.sha256, "error": export.error or None,
        "created_at": export.created_at, "ready_at": export.ready_at, "expires_at": export.expires_at,
        "link": {"expires_at": export.link_expires_at, "used": export.downloaded_at is not None}
        if export.link_token_sha256 or export.downloaded_at else None,
        "downloaded_at": export.downloaded_at, "handed_over_at": export.handed_over_at,
        "handed_over_how": export.handed_over_how,
    }  # fmt: skip


def _trajectory(db: Session, trajectory_id: uuid.UUID) -> Trajectory:
    trajectory = db.get(Trajectory, trajectory_id)
    if trajectory is None:
        raise NotFound("Traject niet gevonden.", "Trajectory not found.")
    return trajectory


def _export(db: Session, principal: audit.Principal, export_id: uuid.UUID) -> Export:
    """The export, if the trainer may export its trajectory now (decided and logged); else 404/403."""
    export = db.get(Export, export_id)
    if export is None:
        raise NotFound("Pakket niet gevonden.", "Export not found.")
    authorize(
        db,
        principal,
        "export",
        trajectory_id=export.trajectory_id,
        object_id=export.id,
        object_type="export_package",
    )
    return export


@router.post("/trajectories/{trajectory_id}/exports", status_code=202,
             summary="Pakket voor de ouders maken / build the parents' package")  # fmt: skip
def create(
    trajectory_id: uuid.UUID, body: ExportIn, principal: Principal, db: DB
) -> dict[str, Any]:
    authorize(db, principal, "export", trajectory_id=trajectory_id)
    trajectory = _trajectory(db, trajectory_id)
    ours = set(db.exec(select(Recording.id).where(Recording.trajectory_id == trajectory_id,
                                                   col(Recording.original_object_id).is_not(None))))  # fmt: skip
    chosen = set(body.recording_ids) if body.recording_ids is not None else ours
    if not chosen or not chosen <= ours:
        raise Conflict("Kies opnames van dit traject die nog bewaard zijn.",
                       "Choose recordings of this trajectory that are still stored.")  # fmt: skip
    export = Export(trajectory_id=trajectory_id, family_id=trajectory.family_id, created_by=principal.user_id,  # type: ignore[arg-type]
                    recording_ids=json.dumps(sorted(str(i) for i in chosen)) if body.recording_ids else None,
                    encrypted=body.encrypted, total=len(chosen))  # fmt: skip
    passphrase = None
    if body.encrypted:
        passphrase = new_secret(6)
        store = open_store(db, get_settings())
        export.passphrase_object_id = store.put(
            family_id=trajectory.family_id, kind=ObjectKind.export, source=[passphrase.encode()]
        ).id
    db.add(export)
    db.flush()
    enqueue_after_commit(db, build, str(export.id))
    view = _view(export)
    if passphrase:
        view["passphrase"] = passphrase
        view["note"] = ("Dit wachtwoord wordt maar één keer getoond. Geef het de ouders apart van het pakket. / "
                                   "Shown once only: pass it to the parents separately from the package.")  # fmt: skip
    return view


@router.get(
    "/trajectories/{trajectory_id}/exports",
    summary="Pakketten van een traject / a trajectory's exports",
)
def list_exports(trajectory_id: uuid.UUID, principal: Principal, db: DB) -> list[dict[str, Any]]:
    authorize(db, principal, "export", trajectory_id=trajectory_id)
    rows = db.exec(
        select(Export)
        .where(Export.trajectory_id == trajectory_id)
        .order_by(col(Export.created_at).desc())
    )
    return [_view(e) for e in rows]


@router.get("/exports/{export_id}", summary="Voortgang van een pakket / an export's progress")
def get(export_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, Any]:
    return _view(_export(db, principal, export_id))


@router.delete(
    "/exports/{export_id}", status_code=204, summary="Annuleren of verwijderen / cancel or remove"
)
def cancel(export_id: uuid.UUID, principal: Principal, db: DB) -> Response:
    export = _export(db, principal, export_id)
    if export.status in (ExportStatus.queued, ExportStatus.building):
        # The task sees it before its next recording and aborts.
        export.status = ExportStatus.cancelled
    remove_package(
        db,
        export,
        "export_cancelled" if export.status == ExportStatus.cancelled else "export_removed",
        principal,
    )
    return Response(status_code=204)


def _stream(db: Session, export: Export) -> Iterator[bytes]:
    if export.status != ExportStatus.ready or export.object_id is None:
        raise Conflict(
            "Het pakket is niet (meer) beschikbaar.", "The package is not available (any more)."
        )
    return open_store(db, get_settings()).iter_plaintext(export.object_id)


def _zip_response(chunks: Iterator[bytes], export: Export) -> StreamingResponse:
    return StreamingResponse(chunks, media_type="application/zip", headers={
        "Content-Disposition": 'attachment; filename="Beeldkluis-opnames.zip"', "Content-Length": str(export.size),
        "Cache-Control": "no-store"})  # fmt: skip


@router.get(
    "/exports/{export_id}/download",
    summary="Het pakket downloaden (trainer) / download it (trainer)",
)
def download(export_id: uuid.UUID, principal: Principal, db: DB) -> StreamingResponse:
    export = _export(db, principal, export_id)
    chunks = _stream(db, export)
    audit.record(db, action="download", outcome="success", actor=principal, family_id=export.family_id,
                 object_id=export.id, object_type="export_package")  # fmt: skip
    return _zip_response(chunks, export)


@router.post("/exports/{export_id}/link", status_code=201,
             summary="Eenmalige downloadlink voor de ouders / single-use link for the parents")  # fmt: skip
def create_link(
    export_id: uuid.UUID, principal: Principal, db: DB, request: Request
) -> dict[str, Any]:
    export = _export(db, principal, export_id)
    if export.status != ExportStatus.ready or export.object_id is None:
        raise Conflict("Het pakket is nog niet klaar.", "The package is not ready yet.")
    settings = get_settings()
    token, code = secrets.token_urlsafe(32), new_secret(2)
    export.link_token_sha256 = hashlib.sha256(
        token.encode()
    ).hexdigest()  # a new link replaces the old one
    export.link_code_hash, export.link_failures, export.downloaded_at = _codes.hash(code), 0, None
    export.link_expires_at = min(
        datetime.now(UTC) + timedelta(days=settings.export_link_days), _aware(export.expires_at)
    )
    db.add(export)
    audit.record(db, action="export", outcome="success", reason="download_link_created", actor=principal,
                 family_id=export.family_id, object_id=export.id, object_type="export_package")  # fmt: skip
    base = settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    return {"url": f"{base}/ophalen/{token}", "code": code, "expires_at": export.link_expires_at,
            "note": "Geef de link en de code apart door; de link werkt één keer. / Pass link and code on separately; the link works once."}  # fmt: skip


@router.post(
    "/exports/{export_id}/handover", summary="Overdracht bevestigen / confirm the hand-over"
)
def handover(
    export_id: uuid.UUID, body: HandoverIn, principal: Principal, db: DB
) -> dict[str, Any]:
    export = _export(db, principal, export_id)
    if (
        export.status not in (ExportStatus.ready, ExportStatus.removed)
        or export.done < export.total
    ):
        raise Conflict(
            "Alleen een afgerond pakket kan worden overgedragen.",
            "Only a finished package can be handed over.",
        )
    trajectory = _trajectory(db, export.trajectory_id)
    today = datetime.now(UTC).date()
    export.handed_over_at, export.handed_over_how = datetime.now(UTC), body.how
    latest = max(trajectory.export_handed_over_on or date.min, today)
    trajectory.export_handed_over_on = latest  # feeds retention
    db.add(export)
    db.add(trajectory)
    audit.record(db, action="export", outcome="success", reason="handed_over", actor=principal, family_id=export.family_id,
                 object_id=export.id, object_type="export_package", detail={"how": body.how})  # fmt: skip
    return _view(export) | {"export_handed_over_on": today.isoformat()}


# The parents' side: plain Dutch pages, no account, no scripts -----------------------------------


def _aware(moment: datetime | None) -> datetime:
    moment = moment or datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _page(request: Request, state: str, status: int = 200, left: int | None = None) -> HTMLResponse:
    """The parents' page in the web app's look, with its strict policy (web/templates/export/parent.html):
    state "form" (enter the code; `left` tries after a wrong one) or "gone" (the link no longer works)."""
    from vault.web._page import render  # late: the web app imports the API

    return render(request, "export/parent.html", status=status, state=state, left=left,
                  heading=("Jullie video-opnames ophalen", "Fetch your video recordings"))  # fmt: skip


def _link(db: Session, token: str) -> Export | None:
    """The export behind a link that can still be used; None for unknown, used, expired or blocked links."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    export = db.exec(select(Export).where(Export.link_token_sha256 == digest)).first()
    if export is None or export.downloaded_at is not None or export.status != ExportStatus.ready:
        return None
    if (
        _aware(export.link_expires_at) <= datetime.now(UTC)
        or export.link_failures >= get_settings().export_link_attempts
    ):
        return None
    return export


def _parent(
    export: Export, verified: bool, network: str | None
) -> tuple[audit.Principal, consent.Decision]:
    """The parent as the access rule sees them: no account, their family, and whether the code was right."""
    actor = consent.Actor(uuid.UUID(int=0), consent.Role.parent, None, export.family_id, verified)
    decision = consent.decide(actor, consent.Action.download,
                              consent.Resource(consent.ResourceKind.export, export.family_id), datetime.now(UTC))  # fmt: skip
    return audit.Principal(None, "ouder (downloadlink)", "parent", network=network), decision


@public_router.get(
    "/ophalen/{token}",
    response_class=HTMLResponse,
    summary="Downloadpagina voor ouders / parents' page",
)
def parent_page(token: str, db: DB, request: Request) -> HTMLResponse:
    return _page(request, "form") if _link(db, token) else _page(request, "gone", 410)


@public_router.post(
    "/ophalen/{token}",
    summary="Downloaden met de code / download with the code",
    response_model=None,
)
def parent_download(
    token: str, code: Annotated[str, Form(max_length=64)], db: DB, request: Request
) -> Response:
    export = _link(db, token)
    network = request.client.host if request.client else None
    if export is None:
        audit.record(
            db,
            action="download",
            outcome="denied",
            reason="link_invalid",
            network=network,
            object_type="export_package",
        )
        return _page(request, "gone", 410)
    try:
        verified = _codes.verify(export.link_code_hash or "", code.strip().lower())
    except (VerificationError, InvalidHashError):
        verified = False
    actor, decision = _parent(export, verified, network)
    # Single use under concurrency: the spend and the wrong-code count are one conditional UPDATE each
    # (the link must still be unused and unblocked *now*, not when it was read above).
    if decision.allowed and not _spend(db, export):
        decision = consent.Decision(False, "link_used", "De link is al gebruikt.")
    counted = None if decision.allowed or decision.reason == "link_used" else _count_failure(db, export)
    audit.record(db, action="download", outcome="allowed" if decision.allowed else "denied", reason=decision.reason,
                 actor=actor, family_id=export.family_id, object_id=export.id, object_type="export_package",
                 basis=decision.basis)  # fmt: skip
    if not decision.allowed:
        left = 0 if counted is None else max(0, get_settings().export_link_attempts - counted)
        return _page(request, "form", 403, left) if left else _page(request, "gone", 410)
    return _zip_response(_stream(db, export), export)


def _open_link_update(db: Session, export: Export, **values: Any) -> bool:
    """Apply `values` only if the link is still unused, unreplaced and unblocked; True if it was."""
    done = db.execute(
        update(Export)
        .where(col(Export.id) == export.id, col(Export.downloaded_at).is_(None),
               col(Export.link_token_sha256) == export.link_token_sha256,
               col(Export.link_failures) < get_settings().export_link_attempts)
        .values(**values)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.expire(export)
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def _spend(db: Session, export: Export) -> bool:
    """Mark the link used; True for the one request that does (committed before the first byte)."""
    return _open_link_update(db, export, downloaded_at=datetime.now(UTC))


def _count_failure(db: Session, export: Export) -> int | None:
    """Count one wrong code; the new count, or None when the link was already used or blocked."""
    counted = _open_link_update(db, export, link_failures=col(Export.link_failures) + 1)
    return export.link_failures if counted else None
