"""Resumable uploads over tus 1.0 (core, creation, termination, checksum): encrypted as they arrive.

Bytes are sealed chunk by chunk on arrival and gathered into object-store parts of 16 MiB; a part,
once stored, is recorded with the plaintext offset it covers, so the offset survives a restart. What
this process holds in memory (the unfinished part and at most one chunk of plaintext) is lost on a
restart or a failed checksum: HEAD then answers the stored offset and the client resends from there.
No plaintext ever touches the disk.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import logging
import re
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request, Response
from sqlmodel import Session, func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from keys import CHUNK_SIZE, Sealer, ciphertext_size
from vault import audit
from vault.access import authorize
from vault.accounts import Principal
from vault.db import DB, unit_of_work
from vault.errors import NotFound, ServiceUnavailable, VaultError
from vault.families.models import Trajectory
from vault.ingest.models import Upload
from vault.recordings.models import Recording, Situation
from vault.settings import get_settings
from vault.store import (
    PART_SIZE,
    ObjectKind,
    StoredObject,
    backend_from_settings,
    object_name,
    open_store,
)

RECEIVE_BATCH = 1024 * 1024
log = logging.getLogger(__name__)
PARALLEL_PARTS = 3

router = APIRouter(prefix="/uploads", tags=["ingest"])
TUS = {"Tus-Resumable": "1.0.0"}
CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}


class TusError(VaultError):
    def __init__(self, status: int, code: str, nl: str, en: str) -> None:
        super().__init__(nl, en)
        self.status = status
        self.code = code


@dataclass
class _Live:
    """The part of an upload that only this process holds: the sealer and the unfinished part."""

    sealer: Sealer
    pending: bytearray = field(default_factory=bytearray)
    offset: int = 0  # plaintext bytes accepted (stored parts + pending + held back by the sealer)
    busy: bool = False  # a PATCH is being received; a second one is refused, never waited for


_live: dict[uuid.UUID, _Live] = {}
_live_lock = threading.Lock()


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
            raise _bad("metadata_invalid",
                       f"Upload-Metadata: '{key}' is ongeldig (te lang of verkeerd opgebouwd).",
                       f"Upload-Metadata: '{key}' is invalid (too long or malformed).")  # fmt: skip
    if kept.get("situation") and kept["situation"] not in set(Situation):
        raise _bad("metadata_invalid",
                   f"Upload-Metadata: 'situation' moet een van {', '.join(Situation)} zijn.",
                   f"Upload-Metadata: 'situation' must be one of {', '.join(Situation)}.")  # fmt: skip
    if kept.get("recorded_at"):
        try:
            datetime.fromisoformat(kept["recorded_at"])
        except ValueError:
            raise _bad("metadata_invalid",
                       "Upload-Metadata: 'recorded_at' is geen datum en tijd (ISO 8601).",
                       "Upload-Metadata: 'recorded_at' is not a date and time (ISO 8601).") from None  # fmt: skip
    return kept


def _count(request: Request, name: str) -> int | None:
    """A non-negative integer header (Upload-Length, Upload-Offset); None if absent, 400 if malformed."""
    raw = request.headers.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"[0-9]{1,19}", raw.strip()):
        raise _bad("header_malformed", f"{name} moet een geheel getal van 0 of meer zijn.",
                   f"{name} must be a whole number, 0 or more.")  # fmt: skip
    return int(raw)


def _get(db: Session, upload_id: uuid.UUID, principal: audit.Principal) -> Upload:
    upload = db.get(Upload, upload_id)
    if upload is None or upload.user_id != principal.user_id:
        raise NotFound("Upload niet gevonden.", "Upload not found.")
    return upload


def _state(db: Session, upload: Upload) -> _Live:
    """This process's live state, or one rebuilt from the stored offset (after a restart). The lock
    guards only the dictionary: it is never held across database work or an await."""
    with _live_lock:
        live = _live.get(upload.id)
    if live is not None:
        return live
    keyring = open_store(db, get_settings()).keyring
    key = keyring.object_key(upload.object_id)
    header = base64.b64decode(upload.header)
    sealer = Sealer.resume(key, family_id=upload.family_id, object_id=upload.object_id, header=header,
                           next_index=upload.committed // CHUNK_SIZE)  # fmt: skip
    live = _Live(
        sealer, bytearray(header if not json.loads(upload.etags) else b""), upload.committed
    )
    with _live_lock:
        return _live.setdefault(upload.id, live)


def _forget(upload_id: uuid.UUID) -> None:
    with _live_lock:
        _live.pop(upload_id, None)


@router.get("", summary="Mijn uploads (op traject en SHA-256) / my uploads")
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


@router.options("", summary="tus: mogelijkheden / capabilities")
def options() -> Response:
    settings = get_settings()
    return Response(status_code=204, headers={**TUS, "Tus-Version": "1.0.0", "Tus-Extension": "creation,termination,checksum",
                                              "Tus-Checksum-Algorithm": ",".join(CHECKSUMS), "Tus-Max-Size": str(settings.upload_max_bytes)})  # fmt: skip


@router.post("", status_code=201, summary="tus: upload aanmaken / create an upload",
             description="Upload-Metadata: trajectory (id), filename, situation, recorded_at, sha256.")  # fmt: skip
def create(request: Request, principal: Principal, db: DB) -> Response:
    settings = get_settings()
    length = _count(request, "Upload-Length")
    if length is None:
        raise _bad("upload_length_missing", "Upload-Length ontbreekt.", "Upload-Length is missing.")
    meta = _validated(_meta(request.headers.get("Upload-Metadata")))
    try:
        trajectory_id = uuid.UUID(meta.get("trajectory", ""))
    except ValueError:
        raise _bad("trajectory_missing", "Geef het traject mee (metadata 'trajectory').",
                   "Name the trajectory in the metadata ('trajectory').") from None  # fmt: skip
    authorize(db, principal, "upload", trajectory_id=trajectory_id)
    if length == 0:
        label = f" '{meta['filename']}'" if meta.get("filename") else ""
        raise _bad("empty_file", f"Het bestand{label} is leeg (0 bytes): er staan geen beelden in.",
                   f"The file{label} is empty (0 bytes): it holds no footage.")  # fmt: skip
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
    store = open_store(db, settings)
    object_id = uuid.uuid4()
    key = store.keyring.new_object_key(trajectory.family_id, object_id)
    sealer = Sealer(key, family_id=trajectory.family_id, object_id=object_id, hash_plaintext=False)
    name = object_name(ObjectKind.original, object_id)
    upload = Upload(user_id=principal.user_id, trajectory_id=trajectory_id, family_id=trajectory.family_id, object_id=object_id,  # type: ignore[arg-type]
                    object_name=name, length=length, header=base64.b64encode(sealer.header).decode(),
                    backend_upload_id=store.backend.start_upload(name), meta=json.dumps(meta))  # fmt: skip
    db.add(upload)
    db.flush()
    audit.record(db, action="upload", outcome="allowed", actor=principal, family_id=trajectory.family_id, object_id=object_id,
                 object_type="upload", detail={"length": str(length)})  # fmt: skip
    return Response(
        status_code=201,
        headers={**TUS, "Location": f"/api/v1/uploads/{upload.id}", "Upload-Offset": "0"},
    )


@router.head("/{upload_id}", summary="tus: stand van zaken / offset")
def head(upload_id: uuid.UUID, principal: Principal, db: DB) -> Response:
    upload = _get(db, upload_id, principal)
    if upload.status == "rejected":  # refused or failed: there is nothing to resume; start afresh
        return Response(status_code=410, headers={**TUS, "Cache-Control": "no-store"})
    live = _live.get(upload_id)
    offset = live.offset if live is not None else upload.committed
    if upload.status != "uploading":
        offset = upload.length
    return Response(
        status_code=200,
        headers={
            **TUS,
            "Upload-Offset": str(offset),
            "Upload-Length": str(upload.length),
            "Cache-Control": "no-store",
        },
    )


def _persist(upload: Upload) -> None:
    """Record stored parts and their offset in a transaction of their own."""
    with unit_of_work() as progress:
        row = progress.get(Upload, upload.id)
        if row is None:
            raise NotFound("Upload niet gevonden.", "Upload not found.")
        row.etags, row.committed, row.updated_at = upload.etags, upload.committed, datetime.now(UTC)
        progress.add(row)


def _finish(upload: Upload, live: _Live) -> None:
    """Store the last part, complete the object and record it, in a thread. Before the object is
    complete a failure leaves the upload resumable (the caller forgets the live state and HEAD answers
    the stored offset); after it, the upload is refused with a reason and its object and key destroyed,
    so it is never left `uploading` with all its bytes taken."""
    from vault.ingest.tasks import verify

    backend = backend_from_settings(get_settings())
    etags = json.loads(upload.etags)
    data = bytes(live.pending) + live.sealer.finish()
    etags.append(
        backend.put_part(upload.object_name, upload.backend_upload_id, len(etags) + 1, data)
    )
    size = backend.complete_upload(upload.object_name, upload.backend_upload_id, etags)
    _forget(upload.id)  # from here on the database row alone says where the upload stands
    try:
        if size != ciphertext_size(upload.length):
            raise RuntimeError(f"stored size {size} != {ciphertext_size(upload.length)}")
        with unit_of_work() as db:
            row = db.get(Upload, upload.id)
            if row is None or row.status != "uploading":
                raise RuntimeError("upload no longer uploading")
            meta = json.loads(row.meta)
            recorded = (
                datetime.fromisoformat(meta["recorded_at"])
                if meta.get("recorded_at")
                else datetime.now(UTC)
            )
            db.add(StoredObject(id=row.object_id, family_id=row.family_id, kind=ObjectKind.original, size=row.length,
                                sha256="", ciphertext_size=size, backend=backend.kind))  # fmt: skip
            recording = Recording(trajectory_id=row.trajectory_id, recorded_at=recorded, situation=meta.get("situation") or "other",
                                  source_device=meta.get("device", ""), original_object_id=row.object_id)  # fmt: skip
            db.add(recording)
            db.flush()
            row.etags, row.committed, row.updated_at = (
                json.dumps(etags),
                row.length,
                datetime.now(UTC),
            )
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
            store.keyring.shred_object(upload.object_id)
            row = db.get(Upload, upload.id)
            if row is not None:
                row.status, row.updated_at = "rejected", datetime.now(UTC)
                row.reason = "opslaan is mislukt; importeer het bestand opnieuw"
                db.add(row)
            audit.record(db, action="upload", outcome="failure", reason="finish_failed", family_id=upload.family_id,
                         object_id=upload.object_id, object_type="upload", detail={"error": detail})  # fmt: skip
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
        raise _bad("checksum_malformed", f"Upload-Checksum: geen geldige {algorithm}-controlesom (base64).",
                   f"Upload-Checksum: not a valid {algorithm} checksum (base64).")  # fmt: skip
    return algorithm, value


def _claim(upload: Upload, live: _Live, offset: int | None) -> None:
    """Take the upload for this PATCH; a second PATCH at the same time is refused (423, tus clients
    retry it) rather than waited for, so no thread and no event loop is ever held up by another."""
    with _live_lock:
        if live.busy:
            raise TusError(423, "upload_busy", "Deze upload wordt al verstuurd; probeer het zo opnieuw.",
                           "This upload is already being sent; try again shortly.")  # fmt: skip
        if offset != live.offset:
            raise TusError(
                409,
                "offset_mismatch",
                "De positie klopt niet; vraag de stand op en ga verder.",
                "Offset mismatch; ask for the offset and resume.",
            )
        live.busy = True


@router.patch("/{upload_id}", status_code=204, summary="tus: bytes toevoegen / append bytes")
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
    if upload.status == "rejected":
        raise TusError(410, "upload_rejected", f"Deze upload is geweigerd: {upload.reason}",
                       "This upload was refused; start a new one.")  # fmt: skip
    if upload.status != "uploading":
        raise TusError(
            409,
            "upload_finished",
            "Deze upload is al afgerond.",
            "This upload is already complete.",
        )
    live = await run_in_threadpool(_state, db, upload)
    db.expunge(upload)  # its progress is written by _persist and _finish, never by this session
    await run_in_threadpool(db.commit)  # hold no database lock while the body streams in
    _claim(upload, live, offset)
    try:
        return await _receive(request, upload, live, checksum)
    finally:
        live.busy = False


async def _receive(
    request: Request, upload: Upload, live: _Live, checksum: tuple[str, bytes] | None
) -> Response:
    digest = CHECKSUMS[checksum[0]]() if checksum else None
    # Parts are stored up to PARALLEL_PARTS at a time (as minio-py's own put does) while the next
    # one is received and sealed; they are recorded strictly in order, so the stored offset only
    # ever covers parts that all exist.
    loop = asyncio.get_running_loop()
    backend = backend_from_settings(get_settings())
    in_flight: deque[tuple[asyncio.Future[str], int]] = deque()
    received = bytearray()  # sealed a MiB at a time: fewer, larger calls than per network read
    persist = digest is None

    def seal() -> None:
        for chunk in live.sealer.update_chunks(received):  # one copy each, no join first
            live.pending += chunk
        received.clear()

    async def record_oldest() -> None:
        etag_of, committed = in_flight.popleft()
        etags = json.loads(upload.etags)
        etags.append(await etag_of)
        upload.etags, upload.committed, upload.updated_at = (
            json.dumps(etags),
            committed,
            datetime.now(UTC),
        )
        if persist:  # progress survives a restart even if this request is cut off later
            await run_in_threadpool(_persist, upload)

    try:
        async for piece in request.stream():
            if not piece:
                continue
            if live.offset + len(piece) > upload.length:
                raise TusError(
                    413,
                    "beyond_length",
                    "Meer bytes dan aangekondigd.",
                    "More bytes than announced.",
                )
            if digest is not None:
                digest.update(piece)
            received += piece
            live.offset += len(piece)
            if len(received) >= RECEIVE_BATCH:
                seal()
            if len(live.pending) >= PART_SIZE:
                data, committed = live.pending, live.sealer.next_index * CHUNK_SIZE
                live.pending = bytearray()  # handed over whole, not copied
                number = len(json.loads(upload.etags)) + len(in_flight) + 1
                put = loop.run_in_executor(
                    None,
                    backend.put_part,
                    upload.object_name,
                    upload.backend_upload_id,
                    number,
                    data,
                )
                in_flight.append((put, committed))
                if len(in_flight) >= PARALLEL_PARTS:
                    await record_oldest()
        seal()
        while in_flight:
            await record_oldest()
        if checksum is not None and digest is not None and checksum[1] != digest.digest():
            raise TusError(
                460,
                "checksum_mismatch",
                "De controlesom klopt niet; het deel wordt opnieuw verstuurd.",
                "Checksum mismatch; resend this part.",
            )
        if live.offset == upload.length:
            await run_in_threadpool(_finish, upload, live)
        elif digest is not None:  # the parts of a checksummed PATCH count only once it verified
            await run_in_threadpool(_persist, upload)
    except ClientDisconnect:
        # Keep what was stored; the client asks HEAD and resumes.
        seal()
        while in_flight:
            await record_oldest()
    except BaseException:
        _forget(upload.id)  # start again from what is recorded as stored
        raise
    finally:
        for (
            put,
            _,
        ) in in_flight:  # after a failure: let the threads end; those parts get stored again
            await asyncio.wait([put])
    return Response(status_code=204, headers={**TUS, "Upload-Offset": str(live.offset)})


@router.delete("/{upload_id}", status_code=204, summary="tus: upload afbreken / terminate")
def terminate(upload_id: uuid.UUID, principal: Principal, db: DB) -> Response:
    upload = _get(db, upload_id, principal)
    if upload.status != "uploading":
        raise TusError(
            409,
            "upload_finished",
            "Deze upload is al afgerond.",
            "This upload is already complete.",
        )
    store = open_store(db, get_settings())
    store.backend.abort_upload(upload.object_name, upload.backend_upload_id)
    store.keyring.shred_object(upload.object_id)
    _forget(upload.id)
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
    "/{upload_id}", summary="Status van een upload (na afloop: gecontroleerd?) / upload status"
)
def status(upload_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, object]:
    upload = _get(db, upload_id, principal)
    return {"id": str(upload.id), "status": upload.status, "reason": upload.reason, "length": upload.length, "committed": upload.committed,
            "sha256": upload.sha256, "recording_id": str(upload.recording_id) if upload.recording_id else None}  # fmt: skip


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
    store = open_store(db, get_settings())
    store.backend.abort_upload(upload.object_name, upload.backend_upload_id)
    store.keyring.shred_object(upload.object_id)
    _forget(upload.id)
    upload.status, upload.updated_at = "rejected", datetime.now(UTC)
    upload.reason = "upload niet afgemaakt en opgeruimd; importeer het bestand opnieuw"
    db.add(upload)
    audit.record(db, action="delete", outcome="success", reason="upload_abandoned", family_id=upload.family_id,
                 object_id=upload.object_id, object_type="upload")  # fmt: skip


def verify_again(upload: Upload) -> None:
    """Queue the verification of an upload left `verifying` (the task is idempotent)."""
    from vault.ingest.tasks import verify

    verify.apply_async(args=[str(upload.id)])
