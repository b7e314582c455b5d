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
import hashlib
import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from sqlmodel import Session, func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from keys import CHUNK_SIZE, Sealer, ciphertext_size
from vault import audit
from vault.access import authorize
from vault.accounts import Principal
from vault.db import DB, after_commit, unit_of_work
from vault.domain.models import Recording, Trajectory
from vault.errors import Conflict, NotFound, VaultError
from vault.ingest.models import Upload
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
    lock: threading.Lock = field(default_factory=threading.Lock)


_live: dict[uuid.UUID, _Live] = {}
_live_lock = threading.Lock()


def _meta(header: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in (header or "").split(","):
        if pair.strip():
            key, _, value = pair.strip().partition(" ")
            out[key] = base64.b64decode(value).decode() if value else ""
    return out


def _get(db: Session, upload_id: uuid.UUID, principal: audit.Principal) -> Upload:
    upload = db.get(Upload, upload_id)
    if upload is None or upload.user_id != principal.user_id:
        raise NotFound("Upload niet gevonden.", "Upload not found.")
    return upload


def _state(db: Session, upload: Upload) -> _Live:
    """This process's live state, or one rebuilt from the stored offset (after a restart)."""
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
        _live[upload.id] = live
        return live


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
    try:
        length = int(request.headers["Upload-Length"])
    except (KeyError, ValueError):
        raise TusError(
            400, "upload_length_missing", "Upload-Length ontbreekt.", "Upload-Length is missing."
        ) from None
    meta = _meta(request.headers.get("Upload-Metadata"))
    try:
        trajectory_id = uuid.UUID(meta.get("trajectory", ""))
    except ValueError:
        raise TusError(
            400,
            "trajectory_missing",
            "Geef het traject mee (metadata 'trajectory').",
            "Name the trajectory in the metadata.",
        ) from None
    authorize(db, principal, "upload", trajectory_id=trajectory_id)
    if length <= 0 or length > settings.upload_max_bytes:
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


def _store_part(db: Session, upload: Upload, data: bytes, committed: int, persist: bool) -> None:
    """Store the next part; `committed` is the plaintext offset its end corresponds to."""
    store = open_store(db, get_settings())
    etags = json.loads(upload.etags)
    etags.append(
        store.backend.put_part(upload.object_name, upload.backend_upload_id, len(etags) + 1, data)
    )
    upload.etags = json.dumps(etags)
    upload.committed = committed
    upload.updated_at = datetime.now(UTC)
    if persist:  # progress survives a restart even if this request is cut off later
        _persist(upload)


def _finish(db: Session, upload: Upload, live: _Live, principal: audit.Principal) -> None:
    from vault.ingest.tasks import verify

    _store_part(
        db, upload, bytes(live.pending) + live.sealer.finish(), upload.length, persist=False
    )
    live.pending.clear()
    store = open_store(db, get_settings())
    size = store.backend.complete_upload(
        upload.object_name, upload.backend_upload_id, json.loads(upload.etags)
    )
    if size != ciphertext_size(upload.length):
        raise Conflict(
            "Het opgeslagen bestand heeft niet de verwachte grootte.",
            "The stored file has an unexpected size.",
        )
    meta = json.loads(upload.meta)
    db.add(StoredObject(id=upload.object_id, family_id=upload.family_id, kind=ObjectKind.original, size=upload.length, sha256="",
                        ciphertext_size=size, backend=store.backend.kind))  # fmt: skip
    try:
        recorded = (
            datetime.fromisoformat(meta["recorded_at"])
            if meta.get("recorded_at")
            else datetime.now(UTC)
        )
    except ValueError:
        recorded = datetime.now(UTC)
    recording = Recording(trajectory_id=upload.trajectory_id, recorded_at=recorded, situation=meta.get("situation", "other"),
                          source_device=meta.get("device", "")[:100], original_object_id=upload.object_id)  # fmt: skip
    db.add(recording)
    db.flush()
    upload.status, upload.recording_id = "verifying", recording.id
    after_commit(db, lambda: verify.apply_async(args=[str(upload.id)]))
    _forget(upload.id)


@router.patch("/{upload_id}", status_code=204, summary="tus: bytes toevoegen / append bytes")
async def patch(upload_id: uuid.UUID, request: Request, principal: Principal, db: DB) -> Response:
    if request.headers.get("Content-Type") != "application/offset+octet-stream":
        raise TusError(
            415,
            "wrong_content_type",
            "Verkeerd inhoudstype voor tus.",
            "Wrong content type for tus.",
        )
    upload = await run_in_threadpool(_get, db, upload_id, principal)
    if upload.status != "uploading":
        raise TusError(
            409,
            "upload_finished",
            "Deze upload is al afgerond.",
            "This upload is already complete.",
        )
    live = await run_in_threadpool(_state, db, upload)
    await run_in_threadpool(db.commit)  # hold no database lock while the body streams in
    checksum = request.headers.get("Upload-Checksum")
    digest = None
    if checksum:
        algorithm, _, expected = checksum.partition(" ")
        if algorithm not in CHECKSUMS:
            raise TusError(
                400,
                "checksum_algorithm",
                "Onbekend checksum-algoritme.",
                "Unsupported checksum algorithm.",
            )
        digest = CHECKSUMS[algorithm]()
    with live.lock:
        if int(request.headers.get("Upload-Offset", "-1")) != live.offset:
            raise TusError(
                409,
                "offset_mismatch",
                "De positie klopt niet; vraag de stand op en ga verder.",
                "Offset mismatch; ask for the offset and resume.",
            )
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
                    _forget(upload.id)
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
        except ClientDisconnect:
            # Keep what was stored; the client asks HEAD and resumes.
            seal()
            while in_flight:
                await record_oldest()
            return Response(status_code=204, headers={**TUS, "Upload-Offset": str(live.offset)})
        except BaseException:
            _forget(upload.id)  # start again from what is recorded as stored
            raise
        finally:
            for (
                put,
                _,
            ) in in_flight:  # after a failure: let the threads end; those parts get stored again
                await asyncio.wait([put])
        if digest is not None and base64.b64decode(checksum.partition(" ")[2]) != digest.digest():  # type: ignore[union-attr]
            _forget(upload.id)
            raise TusError(
                460,
                "checksum_mismatch",
                "De controlesom klopt niet; het deel wordt opnieuw verstuurd.",
                "Checksum mismatch; resend this part.",
            )
        if live.offset == upload.length:
            await run_in_threadpool(_finish, db, upload, live, principal)
        elif digest is not None:  # the parts of a checksummed PATCH count only once it verified
            _persist(upload)
        db.add(upload)
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
