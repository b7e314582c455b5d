"""After an upload: read it back through the decrypting reader, hash it, probe it and decode every frame;
keep it, or reject it with a reason a trainer understands. "Verified" (stored) means all three passed."""

from __future__ import annotations

import hashlib
import json
import uuid

from vault import audit
from vault.db import after_commit, unit_of_work
from vault.ingest.models import Upload
from vault.media import MediaError, decodes, probe, serve_range
from vault.recordings.models import Recording
from vault.settings import get_settings
from vault.store import StoredObject, open_store
from vault.worker import celery_app


def verify_upload(upload_id: uuid.UUID) -> str:
    """Idempotent: an upload already stored or rejected is left as it is."""
    settings = get_settings()
    with unit_of_work() as db:
        upload = db.get(Upload, upload_id)
        if upload is None or upload.status != "verifying":
            return upload.status if upload else "missing"
        store = open_store(db, settings)
        row = db.get(StoredObject, upload.object_id)
        recording = db.get(Recording, upload.recording_id) if upload.recording_id else None
        if row is None or recording is None:
            return "missing"
        digest = hashlib.sha256()
        for piece in store.iter_plaintext(row.id):
            digest.update(piece)
        claimed = json.loads(upload.meta).get("sha256", "")
        try:
            if claimed and claimed != digest.hexdigest():
                raise MediaError(
                    "checksum_mismatch",
                    "bestand is onderweg beschadigd",
                    "the file was damaged on the way",
                )
            size, read = store.range_reader(row.id)
            with serve_range(size, read) as url:
                result = probe(url, ffprobe=settings.ffprobe)
                decodes(url, result, ffmpeg=settings.ffmpeg)
        except MediaError as exc:
            upload.status, upload.reason = "rejected", exc.message_nl
            store.delete(row.id)
            db.delete(recording)
            upload.recording_id = None
            audit.record(
                db,
                action="upload",
                outcome="failure",
                reason=exc.code,
                family_id=upload.family_id,
                object_id=upload.object_id,
                object_type="recording",
            )
        else:
            row.sha256 = upload.sha256 = digest.hexdigest()
            recording.duration_s = result.duration_s
            if (
                result.creation_time
            ):  # the camera's own clock, from the file, wins over the card's file time
                recording.recorded_at = result.creation_time
            recording.probe = json.dumps(result.public())
            if not recording.source_device and result.device:
                recording.source_device = (
                    "aanwezig"  # recorded as present; the identifier itself is never exposed
                )
            upload.status = "stored"
            if settings.make_proxies:
                from vault.media.tasks import proxy

                after_commit(db, lambda: proxy.apply_async(args=[str(recording.id)]))
            audit.record(
                db,
                action="upload",
                outcome="success",
                family_id=upload.family_id,
                object_id=upload.object_id,
                object_type="recording",
                detail={"sha256": upload.sha256, "has_location": str(result.has_location)},
            )
        db.add(upload)
        return upload.status


@celery_app.task(name="vault.ingest.verify", acks_late=True)
def verify(upload_id: str) -> str:
    return verify_upload(uuid.UUID(upload_id))
