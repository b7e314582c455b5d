"""Resumable uploads over tus 1.0 (core, creation, termination, checksum): encrypted as they arrive.

This module speaks tus (headers, checksums, status codes, who may do what); the object store's
resumable writer seals the bytes and stores them (ADR 0010). Between PATCHes nothing lives in a
process: the upload's row holds the stored offset, the parts' etags and the size of the tail object,
and the ciphertext is in the store, so any API process takes any PATCH. A PATCH acknowledges only the
plaintext sealed into whole chunks (the client sends the rest again from that offset); no plaintext
ever touches the disk. A PATCH claims its upload in the row, so a second one at the same time, in any
process, is refused with 423; the claim of a process that died runs out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import or_, update
from sqlmodel import Session, col, func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from keys import ciphertext_size
from vault import audit
from vault.access import authorize
from vault.accounts import Principal
from vault.db import DB, unit_of_work
from vault.errors import NotFound, ServiceUnavailable, VaultError
from vault.families.models import Trajectory
from vault.ingest.models import Upload
from vault.recordings.models import Recording, Situation
from vault.routes import operation_ids, problems
from vault.settings import get_settings
from vault.store import (
    ObjectKind,
    Progress,
    Resumable,
    ResumableWriter,
    StoredObject,
    open_store,
)

RECEIVE_BATCH = 1024 * 1024
log = logging.getLogger(__name__)

router = APIRouter(
    prefix="/uploads", tags=["ingest"], generate_unique_id_function=operation_ids("uploads")
)


class UploadListed(BaseModel):
    id: str
    status: str
    sha256: str
    reason: str


class Uploads(BaseModel):
    items: list[UploadListed]


class UploadStatus(BaseModel):
    """After the last byte: `verified` once the stored object was read back, hashed and decoded."""

    id: str
    status: str
    reason: str
    length: int
    committed: int
    sha256: str
    recording_id: str | None


TUS = {"Tus-Resumable": "1.0.0"}
_HEADER = {"schema": {"type": "string"}}
CREATED = {
    "description": "Aangemaakt / created (no body)",
    "headers": {"Location": _HEADER, "Upload-Offset": _HEADER},
}
OFFSET = {
    "description": "De stand / the offset (no body)",
    "headers": {"Upload-Offset": _HEADER, "Upload-Length": _HEADER},
}
GONE = {
    "description": "Geweigerd of mislukt: begin opnieuw / refused or failed: start afresh (no body)"
}
CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}


class TusError(VaultError):
    def __init__(self, status: int, code: str, nl: str, en: str) -> None:
        super().__init__(nl, en)
        self.status = status
        self.code = code


def _bad(code: str, nl: str, en: str) -> TusError:
    return TusError(400, code, nl, en)


def _meta(header: str | None) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs; anything malformed is a 400."""
    out: dict[str, str] = {}
    for pair in (header or "").split(","):
        if not pair.strip():
            continue
        key, _, value = pair.strip().partition(" ")
        try:
            out[key] = base64.b64decode(value.strip(), validate=True).decode() if value else ""
        except (binascii.Error, ValueError):
            raise _bad(
                "metadata_malformed",
                f"Upload-Metadata: de waarde van '{key[:40]}' is geen geldige base64-tekst in UTF-8.",
                f"Upload-Metadata: the value of '{key[:40]}' is not valid base64 of UTF-8 text.",
            ) from None
    return out


# What a trainer's client may tell about a file: (maximum length, pattern or None). Other keys that
# generic tus clients add (filetype, name, relativePath) are not kept.
FIELDS: dict[str, tuple[int, re.Pattern[str] | None]] = {
    "trajectory": (36, None),
    "filename": (255, None),
    "situation": (32, None),
    "recorded_at": (40, None),
    "sha256": (64, re.compile(r"^[0-9a-f]{64}$")),
    "device": (100, None),
    "group": (300, None),
    "part": (4, re.compile(r"^[0-9]{1,4}$")),
}


def _validated(meta: dict[str, str]) -> dict[str, str]:
    """The known fields, each checked now, so finishing the upload can never fail on them later."""
    kept = {key: value for key, value in meta.items() if key in FIELDS}
    for key, value in kept.items():
        limit, pattern = FIELDS[key]
        if len(value) > limit or (pattern is not None and value and not pattern.match(value)):
            raise _bad(
                "metadata_invalid",
                f"Upload-Metadata: '{key}' is ongeldig (te lang of verkeerd opgebouwd).",
                f"Upload-Metadata: '{key}' is invalid (too long or malformed).",
            )
    if kept.get("situation") and kept["situation"] not in set(Situation):
        raise _bad(
            "metadata_invalid",
            f"Upload-Metadata: 'situation' moet een van {', '.join(Situation)} zijn.",
            f"Upload-Metadata: 'situation' must be one of {', '.join(Situation)}.",
        )
    if kept.get("recorded_at"):
        try:
            datetime.fromisoformat(kept["recorded_at"])
        except ValueError:
            raise _bad(
                "metadata_invalid",
                "Upload-Metadata: 'recorded_at' is geen datum en tijd (ISO 8601).",
                "Upload-Metadata: 'recorded_at' is not a date and time (ISO 8601).",
            ) from None
    return kept


def _count(request: Request, name: str) -> int | None:
    """A non-negative integer header (Upload-Length, Upload-Offset); None if absent, 400 if malformed."""
    raw = request.headers.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"[0-9]{1,19}", raw.strip()):
        raise _bad(
            "header_malformed",
            f"{name} moet een geheel getal van 0 of meer zijn.",
            f"{name} must be a whole number, 0 or more.",
        )
    return int(raw)


def _get(db: Session, upload_id: uuid.UUID, principal: audit.Principal) -> Upload:
    upload = db.get(Upload, upload_id)
    if upload is None or upload.user_id != principal.user_id:
        raise NotFound("Upload niet gevonden.", "Upload not found.")
    return upload


def _spec(upload: Upload) -> Resumable:
    return Resumable(
        upload.object_id,
        upload.family_id,
        upload.object_name,
        upload.backend_upload_id,
        base64.b64decode(upload.header),
    )


def _progress(upload: Upload) -> Progress:
    return Progress(upload.committed, tuple(json.loads(upload.etags)), upload.tail, upload.carry)


@router.get(
    "",
    summary="Mijn uploads (op traject en SHA-256) / my uploads",
    response_model=Uploads,
    operation_id="uploads_list",
    responses=problems(401, 422),
)
def list_uploads(
    principal: Principal, db: DB, trajectory: uuid.UUID | None = None, sha256: str | None = None
) -> dict[str, object]:
    query = select(Upload).where(Upload.user_id == principal.user_id)
    if trajectory:
        query = query.where(Upload.trajectory_id == trajectory)
    if sha256:
        query = query.where(Upload.sha256 == sha256)
    return {
        "items": [
            {"id": str(u.id), "status": u.status, "sha256": u.sha256, "reason": u.reason}
            for u in db.exec(query)
        ]
    }


@router.options(
    "", status_code=204, summary="tus: mogelijkheden / capabilities", response_class=Response
)
def options() -> Response:
    settings = get_settings()
    return Response(
        status_code=204,
        headers={
            **TUS,
            "Tus-Version": "1.0.0",
            "Tus-Extension": "creation,termination,checksum",
            "Tus-Checksum-Algorithm": ",".join(CHECKSUMS),
            "Tus-Max-Size": str(settings.upload_max_bytes),
        },
    )


@router.post(
    "",
    status_code=201,
    summary="tus: upload aanmaken / create an upload",
    response_class=Response,
    description="Upload-Metadata: trajectory (id), filename, situation, recorded_at, sha256.",
    responses={201: CREATED, **problems(400, 401, 403, 404, 413, 503)},
)
def create(request: Request, principal: Principal, db: DB) -> Response:
    settings = get_settings()
    length = _count(request, "Upload-Length")
    if length is None:
        raise _bad("upload_length_missing", "Upload-Length ontbreekt.", "Upload-Length is missing.")
    meta = _validated(_meta(request.headers.get("Upload-Metadata")))
    try:
        trajectory_id = uuid.UUID(meta.get("trajectory", ""))
    except ValueError:
        raise _bad(
            "trajectory_missing",
            "Geef het traject mee (metadata 'trajectory').",
            "Name the trajectory in the metadata ('trajectory').",
        ) from None
    authorize(db, principal, "upload", trajectory_id=trajectory_id)
    if length == 0:
        label = f" '{meta['filename']}'" if meta.get("filename") else ""
        raise _bad(
            "empty_file",
            f"Het bestand{label} is leeg (0 bytes): er staan geen beelden in.",
            f"The file{label} is empty (0 bytes): it holds no footage.",
        )
    if length > settings.upload_max_bytes:
        raise TusError(
            413,
            "too_large",
            "Het bestand is groter dan toegestaan.",
            "The file is larger than allowed.",
        )
    in_use = db.exec(
        select(func.coalesce(func.sum(Upload.length), 0)).where(
            Upload.user_id == principal.user_id, Upload.status != "rejected"
        )
    ).one()
    if in_use + length > settings.upload_quota_bytes:
        raise TusError(
            413, "quota_exceeded", "Uw opslagquotum is bereikt.", "Your storage quota is used up."
        )
    trajectory = db.get(Trajectory, trajectory_id)
    if trajectory is None:
        raise NotFound("Traject niet gevonden.", "Trajectory not found.")
    spec = open_store(db, settings).begin_upload(
        family_id=trajectory.family_id, kind=ObjectKind.original
    )
    upload = Upload(
        user_id=principal.user_id,
        trajectory_id=trajectory_id,
        family_id=trajectory.family_id,
        object_id=spec.object_id,  # type: ignore[arg-type]  # user_id is None only for the system and parents' download links, which never call this
        object_name=spec.name,
        length=length,
        header=base64.b64encode(spec.header).decode(),
        backend_upload_id=spec.upload_id,
        meta=json.dumps(meta),
    )
    db.add(upload)
    db.flush()
    audit.record(
        db,
        action="upload",
        outcome="allowed",
        actor=principal,
        family_id=trajectory.family_id,
        object_id=spec.object_id,
        object_type="upload",
        detail={"length": str(length)},
    )
    return Response(
        status_code=201,
        headers={**TUS, "Location": f"/api/v1/uploads/{upload.id}", "Upload-Offset": "0"},
    )


@router.head(
    "/{upload_id}",
    summary="tus: stand van zaken / offset",
    response_class=Response,
    responses={200: OFFSET, 410: GONE, **problems(401, 404, 422)},
)
def head(upload_id: uuid.UUID, principal: Principal, db: DB) -> Response:
    upload = _get(db, upload_id, principal)
    if upload.status == "rejected":  # refused or failed: there is nothing to resume; start afresh
        return Response(status_code=410, headers={**TUS, "Cache-Control": "no-store"})
    offset = upload.committed if upload.status == "uploading" else upload.length
    return Response(
        status_code=200,
        headers={
            **TUS,
            "Upload-Offset": str(offset),
            "Upload-Length": str(upload.length),
            "Cache-Control": "no-store",
        },
    )


def _now_ms() -> int:
    return int(time.time() * 1000)


def _busy() -> TusError:
    return TusError(
        423,
        "upload_busy",
        "Deze upload wordt al verstuurd; probeer het zo opnieuw.",
        "This upload is already being sent; try again shortly.",
    )


def _claim(upload_id: uuid.UUID, offset: int) -> tuple[Upload, str]:
    """Take the upload for this PATCH, in the row, so it holds across processes: one conditional
    UPDATE (PostgreSQL and SQLite alike). A second PATCH meanwhile is refused (423, tus clients retry
    it) rather than waited for; a claim whose holder stopped renewing it (a process that died) runs out."""
    token, now = uuid.uuid4().hex, _now_ms()
    with unit_of_work() as db:
        taken = db.execute(
            update(Upload)
            .where(
                col(Upload.id) == upload_id,
                col(Upload.status) == "uploading",
                col(Upload.committed) == offset,
                or_(col(Upload.claim) == "", col(Upload.claim_until) < now),
            )
            .values(claim=token, claim_until=now + get_settings().upload_claim_s * 1000)
        )
        row = db.get(Upload, upload_id, populate_existing=True)
        if row is None:
            raise NotFound("Upload niet gevonden.", "Upload not found.")
        if taken.rowcount == 1:  # type: ignore[attr-defined]  # SQLAlchemy's Result has rowcount at run time; its stubs do not say so
            db.expunge(row)
            return row, token
        if row.claim and row.claim_until >= now:
            raise _busy()
        if row.status != "uploading":
            raise _finished(row)
        raise TusError(
            409,
            "offset_mismatch",
            "De positie klopt niet; vraag de stand op en ga verder.",
            "Offset mismatch; ask for the offset and resume.",
        )


def _finished(upload: Upload) -> TusError:
    if upload.status == "rejected":
        return TusError(
            410,
            "upload_rejected",
            f"Deze upload is geweigerd: {upload.reason}",
            "This upload was refused; start a new one.",
        )
    return TusError(
        409, "upload_finished", "Deze upload is al afgerond.", "This upload is already complete."
    )


def _hold(upload: Upload, token: str, progress: Progress | None = None) -> None:
    """Renew the claim, recording `progress` with it; a claim lost meanwhile (it ran out and another
    PATCH took the upload, or the upload was ended) stops this PATCH: the other one's record stands."""
    values: dict[str, object] = {"claim_until": _now_ms() + get_settings().upload_claim_s * 1000}
    if progress is not None:
        values.update(
            committed=progress.committed,
            etags=json.dumps(list(progress.etags)),
            tail=progress.tail,
            carry=progress.carry,
            updated_at=datetime.now(UTC),
        )
    with unit_of_work() as db:
        mine = update(Upload).where(col(Upload.id) == upload.id, col(Upload.claim) == token)
        held = db.execute(mine.values(**values))
        if held.rowcount != 1:  # type: ignore[attr-defined]  # SQLAlchemy's Result has rowcount at run time; its stubs do not say so
            raise _busy()


def _release(upload_id: uuid.UUID, token: str) -> None:
    with unit_of_work() as db:
        mine = update(Upload).where(col(Upload.id) == upload_id, col(Upload.claim) == token)
        db.execute(mine.values(claim="", claim_until=0))


def _writer(upload: Upload) -> ResumableWriter:
    with unit_of_work() as db:  # only to unwrap the object's key
        return open_store(db, get_settings()).resume_upload(_spec(upload), _progress(upload))


def _finish(upload: Upload, writer: ResumableWriter, token: str) -> None:
    """Store the last part, complete the object and record it, in a thread. Before the object is
    complete a failure leaves the upload resumable (the row still says what is stored); after it, the
    upload is refused with a reason and its object and key destroyed, so it is never left `uploading`
    with all its bytes taken."""
    from vault.ingest.tasks import verify

    size, progress = writer.finish()
    try:
        if size != ciphertext_size(upload.length):
            raise RuntimeError(f"stored size {size} != {ciphertext_size(upload.length)}")
        with unit_of_work() as db:
            row = db.get(Upload, upload.id)
            if row is None or row.status != "uploading" or row.claim != token:
                raise RuntimeError("upload no longer uploading here")
            meta = json.loads(row.meta)
            recorded = (
                datetime.fromisoformat(meta["recorded_at"])
                if meta.get("recorded_at")
                else datetime.now(UTC)
            )
            db.add(
                StoredObject(
                    id=row.object_id,
                    family_id=row.family_id,
                    kind=ObjectKind.original,
                    size=row.length,
                    sha256="",
                    ciphertext_size=size,
                    backend=open_store(db, get_settings()).backend.kind,
                )
            )
            recording = Recording(
                trajectory_id=row.trajectory_id,
                recorded_at=recorded,
                situation=meta.get("situation") or "other",
                source_device=meta.get("device", ""),
                original_object_id=row.object_id,
            )
            db.add(recording)
            db.flush()
            row.etags, row.committed, row.tail, row.carry = (
                json.dumps(list(progress.etags)),
                row.length,
                0,
                0,
            )
            row.claim, row.claim_until, row.updated_at = "", 0, datetime.now(UTC)
            row.status, row.recording_id = "verifying", recording.id
            db.add(row)
    except Exception as exc:
        _fail(upload, detail=type(exc).__name__)
        raise ServiceUnavailable(
            "Het bestand kon niet worden opgeslagen; er is niets bewaard. Upload het opnieuw.",
            "The file could not be stored; nothing was kept. Please upload it again.",
        ) from exc
    # Committed: the bytes are safe. A broker that is down now leaves the upload `verifying`;
    # the hourly sweep (`beeldkluis store check --repair`) queues its verification again.
    try:
        verify.apply_async(args=[str(upload.id)])
    except Exception:  # noqa: BLE001 - logged; the client is told the bytes arrived, which is true
        log.warning(
            "verification of upload %s not queued; the store sweep queues it again", upload.id
        )


def _fail(upload: Upload, *, detail: str) -> None:
    """Best effort after a failed finish: delete the object, shred its key, refuse the upload."""
    try:
        with unit_of_work() as db:
            store = open_store(db, get_settings())
            store.backend.delete(upload.object_name)
            store.discard_upload(upload.object_name, upload.backend_upload_id, upload.object_id)
            row = db.get(Upload, upload.id)
            if row is not None:
                row.status, row.updated_at, row.claim = "rejected", datetime.now(UTC), ""
                row.reason = "opslaan is mislukt; importeer het bestand opnieuw"
                db.add(row)
            audit.record(
                db,
                action="upload",
                outcome="failure",
                reason="finish_failed",
                family_id=upload.family_id,
                object_id=upload.object_id,
                object_type="upload",
                detail={"error": detail},
            )
    except Exception:  # noqa: BLE001, S110 - `beeldkluis store check` reports what is left
        pass


def _checksum(request: Request) -> tuple[str, bytes] | None:
    header = request.headers.get("Upload-Checksum")
    if header is None:
        return None
    algorithm, _, expected = header.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        raise _bad(
            "checksum_algorithm", "Onbekend checksum-algoritme.", "Unsupported checksum algorithm."
        )
    try:
        value = base64.b64decode(expected.strip(), validate=True)
    except binascii.Error:
        value = b""
    if len(value) != CHECKSUMS[algorithm]().digest_size:
        raise _bad(
            "checksum_malformed",
            f"Upload-Checksum: geen geldige {algorithm}-controlesom (base64).",
            f"Upload-Checksum: not a valid {algorithm} checksum (base64).",
        )
    return algorithm, value


@router.patch(
    "/{upload_id}",
    status_code=204,
    summary="tus: bytes toevoegen / append bytes",
    responses=problems(400, 401, 404, 409, 410, 413, 415, 422, 423, 460, 503),
)
async def patch(upload_id: uuid.UUID, request: Request, principal: Principal, db: DB) -> Response:
    if request.headers.get("Content-Type") != "application/offset+octet-stream":
        raise TusError(
            415,
            "wrong_content_type",
            "Verkeerd inhoudstype voor tus.",
            "Wrong content type for tus.",
        )
    offset = _count(request, "Upload-Offset")
    if offset is None:
        raise _bad("upload_offset_missing", "Upload-Offset ontbreekt.", "Upload-Offset is missing.")
    checksum = _checksum(request)
    upload = await run_in_threadpool(_get, db, upload_id, principal)
    if upload.status != "uploading":
        raise _finished(upload)
    await run_in_threadpool(db.commit)  # hold no database lock while the body streams in
    upload, token = await run_in_threadpool(_claim, upload_id, offset)
    try:
        writer = await run_in_threadpool(_writer, upload)
        try:
            return await _receive(request, upload, writer, token, checksum)
        finally:
            await run_in_threadpool(writer.close)
    finally:
        await run_in_threadpool(_release, upload.id, token)


async def _receive(
    request: Request,
    upload: Upload,
    writer: ResumableWriter,
    token: str,
    checksum: tuple[str, bytes] | None,
) -> Response:
    digest = CHECKSUMS[checksum[0]]() if checksum else None
    received = bytearray()  # sealed a MiB at a time: fewer, larger calls than per network read
    recorded, renewed = writer.durable, time.monotonic()
    every = get_settings().upload_claim_s / 3

    async def ours() -> None:
        """Before storing anything after a pause (a client that stalled, a slow store): renew the
        claim, so the upload is still this PATCH's; if another PATCH took it meanwhile (the claim ran
        out), stop (423) with nothing written. Renewed, no other PATCH can take it for a whole claim."""
        nonlocal renewed
        if time.monotonic() - renewed >= every:
            await run_in_threadpool(_hold, upload, token)
            renewed = time.monotonic()

    async def take() -> None:
        """Seal what was received (in a thread: it may wait for a part being stored); record stored
        parts as they complete (not those of a checksummed PATCH before it verified), else renew."""
        nonlocal received, recorded, renewed
        await ours()
        batch, received = received, bytearray()
        await run_in_threadpool(writer.write, batch)
        progress = None
        if digest is None and writer.durable != recorded:
            progress = recorded = writer.durable
        elif time.monotonic() - renewed < every:
            return
        await run_in_threadpool(_hold, upload, token, progress)
        renewed = time.monotonic()

    async def checkpoint() -> Progress:
        if received:
            await take()
        await ours()
        progress = await run_in_threadpool(writer.checkpoint)
        await run_in_threadpool(_hold, upload, token, progress)
        await run_in_threadpool(writer.drop_superseded_tail)
        return progress

    try:
        async for piece in request.stream():
            if not piece:
                continue
            if writer.offset + len(received) + len(piece) > upload.length:
                raise TusError(
                    413,
                    "beyond_length",
                    "Meer bytes dan aangekondigd.",
                    "More bytes than announced.",
                )
            if digest is not None:
                digest.update(piece)
            received += piece
            if len(received) >= RECEIVE_BATCH:
                await take()
        if received:
            await take()
        if checksum is not None and digest is not None and checksum[1] != digest.digest():
            raise TusError(
                460,
                "checksum_mismatch",
                "De controlesom klopt niet; het deel wordt opnieuw verstuurd.",
                "Checksum mismatch; resend this part.",
            )
        if writer.offset == upload.length:
            await ours()
            await run_in_threadpool(_finish, upload, writer, token)
            return Response(status_code=204, headers={**TUS, "Upload-Offset": str(upload.length)})
        progress = await checkpoint()  # only whole chunks are stored: the client resends the rest
        return Response(status_code=204, headers={**TUS, "Upload-Offset": str(progress.committed)})
    except (
        ClientDisconnect
    ):  # keep what arrived (unless it was to be checked); the client asks HEAD
        offset = (await checkpoint()).committed if digest is None else upload.committed
        return Response(status_code=204, headers={**TUS, "Upload-Offset": str(offset)})


@router.delete(
    "/{upload_id}",
    status_code=204,
    summary="tus: upload afbreken / terminate",
    responses=problems(401, 404, 409, 422, 503),
)
def terminate(upload_id: uuid.UUID, principal: Principal, db: DB) -> Response:
    upload = _get(db, upload_id, principal)
    if upload.status != "uploading":
        raise TusError(
            409,
            "upload_finished",
            "Deze upload is al afgerond.",
            "This upload is already complete.",
        )
    open_store(db, get_settings()).discard_upload(
        upload.object_name, upload.backend_upload_id, upload.object_id
    )
    db.delete(upload)
    audit.record(
        db,
        action="delete",
        outcome="success",
        actor=principal,
        family_id=upload.family_id,
        object_id=upload.object_id,
        object_type="upload",
    )
    return Response(status_code=204, headers=TUS)


@router.get(
    "/{upload_id}",
    summary="Status van een upload (na afloop: gecontroleerd?) / upload status",
    response_model=UploadStatus,
    responses=problems(401, 404, 422),
)
def status(upload_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, object]:
    upload = _get(db, upload_id, principal)
    return {
        "id": str(upload.id),
        "status": upload.status,
        "reason": upload.reason,
        "length": upload.length,
        "committed": upload.committed,
        "sha256": upload.sha256,
        "recording_id": str(upload.recording_id) if upload.recording_id else None,
    }


# After a crash ---------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def unfinished(db: Session) -> list[Upload]:
    """Uploads still receiving bytes (their keys and storage uploads are in use)."""
    return list(db.exec(select(Upload).where(Upload.status == "uploading")))


def stuck(db: Session, status: str, older_than: timedelta) -> list[Upload]:
    """Uploads in `status` with no progress for longer than `older_than`."""
    cutoff = datetime.now(UTC) - older_than
    rows = db.exec(select(Upload).where(Upload.status == status)).all()
    return [u for u in rows if _aware(u.updated_at) <= cutoff]


def abandon(db: Session, upload: Upload) -> None:
    """Give up an upload nobody finished: discard its stored parts, shred its key, say so."""
    open_store(db, get_settings()).discard_upload(
        upload.object_name, upload.backend_upload_id, upload.object_id
    )
    upload.status, upload.updated_at, upload.claim = "rejected", datetime.now(UTC), ""
    upload.reason = "upload niet afgemaakt en opgeruimd; importeer het bestand opnieuw"
    db.add(upload)
    audit.record(
        db,
        action="delete",
        outcome="success",
        reason="upload_abandoned",
        family_id=upload.family_id,
        object_id=upload.object_id,
        object_type="upload",
    )


def verify_again(upload: Upload) -> None:
    """Queue the verification of an upload left `verifying` (the task is idempotent)."""
    from vault.ingest.tasks import verify

    verify.apply_async(args=[str(upload.id)])
