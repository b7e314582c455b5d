"""Exports over HTTP: the trainer builds, follows, downloads, shares and hands over the parents' package;
parents fetch it as a plain ZIP through a link plus a code (no account needed), resumable by HTTP Range
for as long as the link lives (ADR 0015)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

import consent
from keys import KeyDestroyed, TamperedError, ciphertext_size
from vault import audit
from vault.access import authorize
from vault.accounts import Principal
from vault.bootstrap import token_secret
from vault.db import DB, keep, release, unit_of_work
from vault.errors import Conflict, Malformed, NotFound, ServiceUnavailable, VaultError
from vault.export.messages import MESSAGES, left_out, message, recording_name
from vault.export.models import Export, ExportStatus
from vault.export.package import new_secret
from vault.export.schemas import ExportableRecording, ExportHandedOver, ExportLink, ExportPublic
from vault.export.tasks import build, remove_package
from vault.families.models import Trajectory
from vault.i18n import N_
from vault.ingest.models import Upload
from vault.pages import render_page
from vault.recordings.models import Recording
from vault.routes import operation_ids, problems
from vault.settings import get_settings
from vault.store import BlobNotFound, open_store
from vault.worker import enqueue_after_commit

router = APIRouter(
    tags=["export"],
    generate_unique_id_function=operation_ids("exports"),
    responses=problems(401, 403),
)
public_router = APIRouter(tags=["export"], include_in_schema=True)
_codes = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class ExportIn(BaseModel):
    recording_ids: list[uuid.UUID] | None = None  # None: every recording of the trajectory
    # The download is a plain ZIP over HTTPS behind link + code (ADR 0015); an AES ZIP is made only for
    # a stick (`beeldkluis export --zip`). True is refused rather than quietly ignored.
    encrypted: bool = False
    # A recording that cannot be read or converted fails the package (default), or is left out with a
    # note in the package and on the page.
    skip_failed: bool = False


class PackageDamaged(VaultError):
    status = 409
    code = "package_damaged"

    def __init__(self) -> None:
        super().__init__(*MESSAGES["package_damaged"])


class HandoverHow(StrEnum):
    usb = "usb"
    download = "download"
    in_person = "in_person"


class HandoverIn(BaseModel):
    how: HandoverHow


def _view(export: Export) -> dict[str, Any]:
    said = message(export.error, export.error_detail)
    try:
        failed_recording = json.loads(export.error_detail or "{}").get("recording_id") or None
    except (ValueError, AttributeError):
        failed_recording = None
    return {
        "id": str(export.id), "trajectory_id": str(export.trajectory_id), "status": export.status,
        "progress": {"done": export.done, "total": export.total}, "encrypted": export.encrypted,
        "size": export.size, "sha256": export.sha256, "error": export.error or None,
        "message": said[0] if said else None, "message_en": said[1] if said else None,
        "failed_recording_id": failed_recording,
        "recording_ids": json.loads(export.recording_ids) if export.recording_ids else None,
        "skip_failed": export.skip_failed,
        "left_out": [{"message": nl, "message_en": en} for nl, en in left_out(export.skipped)],
        "created_at": export.created_at, "ready_at": export.ready_at, "expires_at": export.expires_at,
        "link": {"expires_at": export.link_expires_at, "used": export.link_used_at is not None,
                 "downloads": export.link_downloads, "downloads_allowed": get_settings().export_link_downloads}
        if export.link_token_sha256 or export.link_used_at else None,
        "downloaded_at": export.downloaded_at, "download_failed_at": export.download_failed_at,
        "handed_over_at": export.handed_over_at, "handed_over_how": export.handed_over_how,
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


@router.post(
    "/trajectories/{trajectory_id}/exports",
    status_code=202,
    response_model=ExportPublic,
    responses=problems(404, 409, 422),
    summary="Pakket voor de ouders maken / build the parents' package",
)
def create(
    trajectory_id: uuid.UUID, body: ExportIn, principal: Principal, db: DB
) -> dict[str, Any]:
    authorize(db, principal, "export", trajectory_id=trajectory_id)
    trajectory = _trajectory(db, trajectory_id)
    ours = set(db.exec(select(Recording.id).where(Recording.trajectory_id == trajectory_id,
                                                   col(Recording.original_object_id).is_not(None))))  # fmt: skip
    if body.encrypted:
        raise Malformed("encrypted", "een versleuteld ZIP-bestand (met wachtwoord) wordt alleen nog voor een "
                        "usb-stick gemaakt (beeldkluis export --zip); de download voor de ouders is beveiligd met de "
                        "link en de code", "an encrypted ZIP (with a password) is made only for a USB stick "
                        "(beeldkluis export --zip); the parents' download is protected by the link and the code")  # fmt: skip
    chosen = set(body.recording_ids) if body.recording_ids is not None else ours
    if not chosen or not chosen <= ours:
        raise Conflict("Kies opnames van dit traject die nog bewaard zijn.",
                       "Choose recordings of this trajectory that are still stored.")  # fmt: skip
    export = Export(trajectory_id=trajectory_id, family_id=trajectory.family_id, created_by=principal.user_id,  # type: ignore[arg-type]
                    recording_ids=json.dumps(sorted(str(i) for i in chosen)) if body.recording_ids else None,
                    encrypted=False, skip_failed=body.skip_failed, total=len(chosen))  # fmt: skip
    db.add(export)
    db.flush()
    enqueue_after_commit(db, build, str(export.id))
    return _view(export)


@router.get(
    "/trajectories/{trajectory_id}/exports",
    response_model=list[ExportPublic],
    operation_id="exports_list",
    responses=problems(404, 422),
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


@router.get(
    "/trajectories/{trajectory_id}/exports/recordings",
    response_model=list[ExportableRecording],
    operation_id="exports_recordings",
    responses=problems(404, 422),
    summary="Opnames die mee kunnen in een pakket / recordings a package can hold",
)
def exportable(trajectory_id: uuid.UUID, principal: Principal, db: DB) -> list[dict[str, Any]]:
    """The trajectory's stored recordings, each named as the trainer knows it (the card's file name,
    else date and situation), to choose from."""
    authorize(db, principal, "export", trajectory_id=trajectory_id)
    rows = list(db.exec(select(Recording).where(Recording.trajectory_id == trajectory_id,
                                                col(Recording.original_object_id).is_not(None))
                        .order_by(col(Recording.recorded_at))))  # fmt: skip
    uploads = db.exec(select(Upload).where(col(Upload.recording_id).in_([r.id for r in rows])))
    on_card = {u.recording_id: json.loads(u.meta or "{}").get("filename") for u in uploads}
    return [{"id": str(r.id), "name": recording_name(r, on_card.get(r.id)), "recorded_at": r.recorded_at,
             "situation": r.situation, "duration_s": r.duration_s} for r in rows]  # fmt: skip


@router.get(
    "/exports/{export_id}",
    response_model=ExportPublic,
    responses=problems(404, 422),
    summary="Voortgang van een pakket / an export's progress",
)
def get(export_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, Any]:
    return _view(_export(db, principal, export_id))


@router.delete(
    "/exports/{export_id}",
    status_code=204,
    response_class=Response,
    responses=problems(404, 422),
    summary="Annuleren of verwijderen / cancel or remove",
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


PIECE = 1024 * 1024  # what one ranged read of the stored package opens
CHUNK = 65536  # a sealed chunk's plaintext (docs/object-format.md)


class RangeNotSatisfiable(Exception):
    """The asked range lies outside the package: 416, with the size."""


def _span(request: Request, etag: str, size: int) -> tuple[int, int] | None:
    """The one byte range asked for, [start, end] inclusive, or None for the whole package: no Range,
    an If-Range that no longer matches (the package changed: start again, never a mixed file), several
    ranges, or a header we do not understand (RFC 9110 lets a server ignore those)."""
    asked, if_range = request.headers.get("range"), request.headers.get("if-range")
    if not asked or (if_range is not None and if_range.strip() != etag):
        return None
    unit, _, spec = asked.partition("=")
    first, dash, last = spec.strip().partition("-")
    if unit.strip().lower() != "bytes" or "," in spec or not dash:
        return None
    try:
        if not first.strip():  # the last N bytes
            count = int(last)
            start, end = size - count, size - 1
            if count <= 0:
                raise RangeNotSatisfiable()
            start = max(0, start)
        else:
            start = int(first)
            end = int(last) if last.strip() else size - 1
    except ValueError:
        return None
    if start < 0 or start >= size or end < start:
        raise RangeNotSatisfiable()
    return start, min(end, size - 1)


def _opened(
    db: Session, actor: audit.Principal, export: Export, start: int, end: int
) -> Iterator[bytes]:
    """Plaintext bytes [start, end] of the package, opened at `start` without decrypting what comes
    before (ranged reads of whole chunks, each authenticated). Checked before any answer is given: the
    sizes agree and the header and the first chunk of the range authenticate. A refusal is logged as a
    failed download and committed (the request fails); a package found damaged is no longer ready."""
    if export.status != ExportStatus.ready or export.object_id is None:
        raise Conflict(
            "Het pakket is niet (meer) beschikbaar.", "The package is not available (any more)."
        )
    store = open_store(db, get_settings())
    try:
        try:
            row = store.get(export.object_id)
            if row.size != export.size or store.backend.size(row.name) != ciphertext_size(row.size):
                raise TamperedError("grootte / size")
            # The whole package: one streaming read (bench/parents_download.py: several times cheaper
            # than ranged reads); a range: ranged reads from its first chunk, which is read first.
            if start == 0 and end == row.size - 1:
                whole = store.iter_plaintext(row.id)
                first = next(whole, b"")
            else:
                _, read = store.range_reader(row.id)
                first = read(start, min(CHUNK - start % CHUNK, end + 1 - start))
        except (TamperedError, KeyDestroyed, BlobNotFound):
            raise PackageDamaged() from None
    except VaultError as error:
        _failed(db, export, actor, error.code)
        keep(db)  # the failure is logged even though the request fails
        raise
    if start == 0 and end == row.size - 1:
        return itertools.chain([first], whole)

    def rest() -> Iterator[bytes]:
        offset = start + len(first)
        while offset <= end:
            piece = read(offset, min(PIECE, end + 1 - offset))
            if not piece:
                raise TamperedError("korter dan opgeslagen / shorter than stored")
            yield piece
            offset += len(piece)

    return itertools.chain([first], rest())


def _failed(db: Session, export: Export, actor: audit.Principal | None, reason: str) -> None:
    audit.record(db, action="download", outcome="failure", reason=reason, actor=actor, family_id=export.family_id,
                 object_id=export.id, object_type="export_package")  # fmt: skip
    if reason == PackageDamaged.code and export.status == ExportStatus.ready:
        export.status, export.error, export.error_detail = ExportStatus.failed, reason, ""
        audit.record(db, action="export", outcome="failure", reason=reason, family_id=export.family_id,
                     object_id=export.id, object_type="export_package")  # fmt: skip
    db.add(export)


def _outcome(export_id: uuid.UUID, actor: audit.Principal, parents: bool, failure: str, whole: bool,
             reserved: str | None) -> None:  # fmt: skip
    """Log how a download ended and, for the parents, settle what it reserved (`reserved`: the link's
    token hash when it started): a download that delivered the package's last byte keeps its place as
    one complete download, and the last one allowed spends the link; one that broke off gives it back.
    The request's transaction is over by then, so this is a unit of work of its own."""
    with unit_of_work() as db:
        export = db.get(Export, export_id)
        if export is None:
            return
        if failure:
            _failed(db, export, actor, failure)
        else:
            audit.record(db, action="download", outcome="success", actor=actor, family_id=export.family_id,
                         object_id=export.id, object_type="export_package",
                         detail={"complete": str(whole).lower()})  # fmt: skip
        if not parents:
            return
        if failure:
            export.download_failed_at = datetime.now(UTC)
            if reserved is not None:  # given back to the link it was taken from (not a newer one)
                db.execute(update(Export)
                           .where(col(Export.id) == export_id, col(Export.link_token_sha256) == reserved,
                                  col(Export.link_downloads) > 0)
                           .values(link_downloads=col(Export.link_downloads) - 1)
                           .execution_options(synchronize_session=False))  # fmt: skip
                db.refresh(export)
        elif reserved is not None:
            export.downloaded_at = datetime.now(UTC)
            if (
                export.link_token_sha256 == reserved
                and export.link_downloads >= get_settings().export_link_downloads
            ):
                export.link_used_at = export.link_used_at or datetime.now(UTC)
        db.add(export)


def _reserve(db: Session, export: Export) -> bool:
    """Take one of the link's complete downloads for a download that may become one, by one conditional
    UPDATE committed at once: downloads that start together cannot each count against an old total."""
    done = db.execute(
        update(Export)
        .where(col(Export.id) == export.id, col(Export.link_used_at).is_(None),
               col(Export.link_token_sha256) == export.link_token_sha256,
               col(Export.link_downloads) < get_settings().export_link_downloads)
        .values(link_downloads=col(Export.link_downloads) + 1)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    release(db)  # the reservation is visible to every other download at once
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


class _Delivery(StreamingResponse):
    """The package (or the asked range of it) going out. Its outcome is logged when the answer has
    ended, whichever way: success only once the last byte was handed to the server; else a damaged
    chunk, a store error, or a client that went away ("interrupted"). A failure mid-way raises, so the
    server breaks the connection off short of its Content-Length: it never ends looking complete."""

    def __init__(self, chunks: Iterator[bytes], export: Export, actor: audit.Principal, parents: bool,
                 span: tuple[int, int], partial: bool, whole: bool, reserved: str | None) -> None:  # fmt: skip
        size, (start, end) = export.size or 0, span
        self._failure = "interrupted"
        self._done = (export.id, actor, parents)
        self._whole, self._reserved = whole, reserved  # see _deliver
        headers = {"Content-Disposition": 'attachment; filename="Beeldkluis-opnames.zip"', "Cache-Control": "no-store",
                   "Accept-Ranges": "bytes", "ETag": _etag(export), "Content-Length": str(end + 1 - start)}  # fmt: skip
        if partial:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        super().__init__(self._passed(chunks), status_code=206 if partial else 200,
                         media_type="application/zip", headers=headers)  # fmt: skip

    def _passed(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        try:
            yield from chunks
        except (TamperedError, KeyDestroyed):
            self._failure = PackageDamaged.code
            raise
        except Exception:
            self._failure = "store_failed"
            raise
        self._failure = ""  # asked for more after the last chunk was sent

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(
                    _outcome, *self._done, self._failure, self._whole, self._reserved
                )


def _etag(export: Export) -> str:
    return f'"{export.sha256}"'


def _deliver(
    db: Session, actor: audit.Principal, export: Export, request: Request, parents: bool
) -> Response:
    """The package, whole or the one range asked for (resuming a broken download); VaultError when it
    cannot be opened (nothing was sent). Every start is logged, with its range."""
    size = export.size or 0
    try:
        asked = _span(request, _etag(export), size)
    except RangeNotSatisfiable:
        return Response(
            status_code=416, headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"}
        )
    span = asked or (0, size - 1)
    chunks = _opened(db, actor, export, *span)
    # A complete download: the last byte goes out, in an answer that begins at byte 0 or resumes a
    # download the browser had begun (If-Range matched). A probe of the last bytes does not count. One
    # that may become complete reserves its place first; it gives it back if it breaks off (_outcome).
    resumed = asked is not None and request.headers.get("if-range") is not None  # _span checked it
    whole = span[1] == size - 1 and (span[0] == 0 or resumed)
    reserved = export.link_token_sha256 if parents and whole else None
    if reserved is not None and not _reserve(db, export):
        audit.record(db, action="download", outcome="denied", reason="link_invalid", actor=actor, family_id=export.family_id,
                     object_id=export.id, object_type="export_package")  # fmt: skip
        return _page(request, "gone", 410)
    if parents:  # the trainer's own start is logged by the access decision that let them in
        audit.record(db, action="download", outcome="allowed", reason="allowed", actor=actor, family_id=export.family_id,
                     object_id=export.id, object_type="export_package", detail={"bytes": f"{span[0]}-{span[1]}/{size}"})  # fmt: skip
    return _Delivery(chunks, export, actor, parents, span, partial=asked is not None, whole=whole,
                     reserved=reserved)  # fmt: skip


_ZIP = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
_RANGE_HEADERS = {
    "Accept-Ranges": {"schema": {"type": "string", "enum": ["bytes"]}},
    "ETag": {"schema": {"type": "string"}, "description": "Voor If-Range / for If-Range"},
}
DOWNLOAD = {
    200: {
        "description": "Het hele pakket / the whole package (ZIP)",
        "content": _ZIP,
        "headers": _RANGE_HEADERS,
    },
    206: {
        "description": "Het gevraagde bereik / the range asked for (Range, If-Range)",
        "content": _ZIP,
        "headers": {**_RANGE_HEADERS, "Content-Range": {"schema": {"type": "string"}}},
    },
    416: {
        "description": "Bereik buiten het pakket / range not satisfiable",
        "headers": {"Content-Range": {"schema": {"type": "string", "example": "bytes */1048576"}}},
    },
    **problems(404, 409, 422, 503),
}


@router.get(
    "/exports/{export_id}/download",
    response_class=Response,
    responses=DOWNLOAD,
    summary="Het pakket downloaden (trainer; HTTP Range) / download it (trainer; HTTP Range)",
)
def download(export_id: uuid.UUID, principal: Principal, db: DB, request: Request) -> Response:
    export = _export(db, principal, export_id)
    return _deliver(db, principal, export, request, parents=False)


@router.post("/exports/{export_id}/link", status_code=201, response_model=ExportLink, responses=problems(404, 409, 422),
             summary="Link en code voor de ouders / link and code for the parents")  # fmt: skip
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
    export.link_code_hash, export.link_failures, export.link_downloads = _codes.hash(code), 0, 0
    export.link_used_at = export.downloaded_at = export.download_failed_at = None
    export.link_expires_at = min(
        datetime.now(UTC) + timedelta(days=settings.export_link_days), _aware(export.expires_at)
    )
    db.add(export)
    audit.record(db, action="export", outcome="success", reason="download_link_created", actor=principal,
                 family_id=export.family_id, object_id=export.id, object_type="export_package")  # fmt: skip
    base = settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    return {"url": f"{base}/ophalen/{token}", "code": code, "expires_at": export.link_expires_at,
            "downloads_allowed": settings.export_link_downloads,
            "note": "Geef de code apart van de link door. / Pass the code on separately from the link."}  # fmt: skip


@router.post(
    "/exports/{export_id}/handover",
    response_model=ExportHandedOver,
    responses=problems(404, 409, 422),
    summary="Overdracht bevestigen / confirm the hand-over",
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


GRANT = "ophalen"  # the cookie that says: this browser gave the right code for this link


def _page(request: Request, state: str, status: int = 200, left: int | None = None,
          export: Export | None = None) -> HTMLResponse:  # fmt: skip
    """The parents' page in the web app's look, with its strict policy (web/templates/export/parent.html):
    state "form" (enter the code; `left` tries after a wrong one), "ready" (the code was right: the
    download), "gone" (the link no longer works), "damaged" or "unavailable" (nothing was sent)."""
    facts = None
    if export is not None:
        facts = {"expires_at": export.link_expires_at, "size": export.size or 0, "downloaded_at": export.downloaded_at,
                 "recordings": export.total - len(left_out(export.skipped)),
                 "downloads_left": max(0, get_settings().export_link_downloads - export.link_downloads)}  # fmt: skip
    return render_page(request, "export/parent.html", status=status, state=state, left=left, facts=facts,
                       link=request.url.path.removesuffix("/download"),
                       heading=N_("Uw video-opnames ophalen"))  # fmt: skip


def _link(db: Session, token: str) -> Export | None:
    """The export behind a link that can still be used; None for unknown, spent, expired or blocked links."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    export = db.exec(select(Export).where(Export.link_token_sha256 == digest)).first()
    if export is None or export.link_used_at is not None or export.status != ExportStatus.ready:
        return None
    settings = get_settings()
    if (
        _aware(export.link_expires_at) <= datetime.now(UTC)
        or export.link_failures >= settings.export_link_attempts
        or export.link_downloads >= settings.export_link_downloads
    ):
        return None
    return export


def _grant(export: Export) -> bytes:
    """The grant cookie's value for this link: an HMAC of the link and its code under the token secret,
    so it opens this link only, and dies with it (a new link has a new token and a new code)."""
    key = hashlib.sha256(b"ophalen:" + token_secret(get_settings()).encode()).digest()
    seed = f"{export.id}:{export.link_token_sha256}:{export.link_code_hash}".encode()
    return hmac.new(key, seed, hashlib.sha256).hexdigest().encode()


def _granted(request: Request, export: Export) -> bool:
    return hmac.compare_digest(
        request.cookies.get(GRANT, "").encode(errors="replace"), _grant(export)
    )


def _normal(code: str) -> str:
    """The code as it was made (`k7mq-x2bd`) from how people type it: capitals, spaces, no dash."""
    plain = "".join(c for c in code.lower() if c.isascii() and c.isalnum())
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def _parent(
    export: Export, verified: bool, network: str | None
) -> tuple[audit.Principal, consent.Decision]:
    """The parent as the access rule sees them: no account, their family, and whether the code was right."""
    actor = consent.Actor(uuid.UUID(int=0), consent.Role.parent, None, export.family_id, verified)
    decision = consent.decide(actor, consent.Action.download,
                              consent.Resource(consent.ResourceKind.export, export.family_id), datetime.now(UTC))  # fmt: skip
    return audit.Principal(
        None, "ouder (downloadlink)", consent.Role.parent, network=network
    ), decision


def _network(request: Request) -> str | None:
    return request.client.host if request.client else None


def _refused_link(db: Session, request: Request, token: str) -> HTMLResponse:
    """A link that no longer works; said as "damaged" when its package was found damaged, so the parents
    know a new link alone will not help."""
    audit.record(db, action="download", outcome="denied", reason="link_invalid", network=_network(request),
                 object_type="export_package")  # fmt: skip
    digest = hashlib.sha256(token.encode()).hexdigest()
    export = db.exec(select(Export).where(Export.link_token_sha256 == digest)).first()
    if export is not None and export.error == PackageDamaged.code:
        return _page(request, "damaged", 409)
    return _page(request, "gone", 410)


@public_router.get(
    "/ophalen/{token}",
    response_class=HTMLResponse,
    summary="Downloadpagina voor ouders / parents' page",
)
def parent_page(token: str, db: DB, request: Request) -> HTMLResponse:
    export = _link(db, token)
    if export is None:
        return _refused_link(db, request, token)
    return (
        _page(request, "ready", export=export)
        if _granted(request, export)
        else _page(request, "form")
    )


@public_router.post(
    "/ophalen/{token}",
    summary="De code geven / give the code",
    response_model=None,
)
def parent_code(
    token: str, code: Annotated[str, Form(max_length=64)], db: DB, request: Request
) -> Response:
    """A right code sets the grant cookie (for this link's path, until it expires) and sends the browser
    back to the page, which now offers the download: no stale error, and a download the browser can
    resume with a plain GET."""
    export = _link(db, token)
    if export is None:
        return _refused_link(db, request, token)
    try:
        verified: bool = _codes.verify(export.link_code_hash or "", _normal(code))
    except (VerificationError, InvalidHashError):
        verified = False
    actor, decision = _parent(export, verified, _network(request))
    if not decision.allowed:
        # A wrong code is counted by one conditional UPDATE (unspent, unblocked *now*), so parallel
        # guesses cannot each be counted against an old total.
        counted = _count_failure(db, export)
        audit.record(db, action="download", outcome="denied", reason=decision.reason, actor=actor, family_id=export.family_id,
                     object_id=export.id, object_type="export_package", basis=decision.basis)  # fmt: skip
        left = 0 if counted is None else max(0, get_settings().export_link_attempts - counted)
        return _page(request, "form", 403, left) if left else _page(request, "gone", 410)
    audit.record(db, action="download", outcome="allowed", reason="code_verified", actor=actor, family_id=export.family_id,
                 object_id=export.id, object_type="export_package", basis=decision.basis)  # fmt: skip
    page = f"/ophalen/{token}"
    answer = RedirectResponse(page, status_code=303)
    lasts = int((_aware(export.link_expires_at) - datetime.now(UTC)).total_seconds())
    answer.set_cookie(GRANT, _grant(export).decode(), max_age=max(1, lasts), path=page, httponly=True,
                      secure=request.url.scheme == "https", samesite="lax")  # fmt: skip
    return answer


@public_router.get(
    "/ophalen/{token}/download",
    summary="Het pakket downloaden (ouders; HTTP Range) / download it (parents; HTTP Range)",
    response_model=None,
)
def parent_download(token: str, db: DB, request: Request) -> Response:
    """The plain ZIP after the code was given in this browser; resumable (Range, If-Range) for as long
    as the link lives. Each start is decided and logged; nothing is sent before the range's first chunk
    authenticated."""
    export = _link(db, token)
    if export is None:
        return _refused_link(db, request, token)
    granted = _granted(request, export)
    actor, decision = _parent(export, granted, _network(request))
    if not granted or not decision.allowed:
        audit.record(db, action="download", outcome="denied", reason="code_not_given" if not granted else decision.reason,
                     actor=actor, family_id=export.family_id, object_id=export.id, object_type="export_package")  # fmt: skip
        return _page(request, "form", 403)
    try:
        return _deliver(db, actor, export, request, parents=True)
    except VaultError as error:  # checked before any byte
        return _page(request, "damaged" if isinstance(error, PackageDamaged) else "unavailable",
                     error.status if isinstance(error, (PackageDamaged, ServiceUnavailable)) else 409)  # fmt: skip


def _count_failure(db: Session, export: Export) -> int | None:
    """Count one wrong code; the new count, or None when the link was already spent, replaced or blocked."""
    done = db.execute(
        update(Export)
        .where(col(Export.id) == export.id, col(Export.link_used_at).is_(None),
               col(Export.link_token_sha256) == export.link_token_sha256,
               col(Export.link_failures) < get_settings().export_link_attempts)
        .values(link_failures=col(Export.link_failures) + 1)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    db.expire(export)
    return export.link_failures if done.rowcount == 1 else None  # type: ignore[attr-defined]
