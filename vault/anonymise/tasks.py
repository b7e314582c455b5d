"""The anonymising job on the `media` queue: a fragment's faces blurred into a new sealed object, derived
from the recording's original, linked from the clip. Idempotent and acknowledged late, as the proxy: a
worker killed midway leaves no stored row (the sealed writer never finished, as for the proxy) and no
plaintext (nothing is written, not even to tmpfs), and the task is redelivered."""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import UTC, datetime

from vault import audit
from vault.anonymise.engine import Edit, anonymised_copy
from vault.db import keep, release, unit_of_work
from vault.recordings.models import Clip, Recording
from vault.settings import get_settings
from vault.store import open_store
from vault.worker import celery_app

ATTEMPTS = 3  # the spans or boxes changed while the copy was made: made again with the new ones, this often


def make_anonymised(clip_id: uuid.UUID) -> str:
    """ "made", "exists" (a copy is there already), "missing" (no clip, or no original any more) or
    "changed" (the muted spans or the trainer's boxes changed under every attempt: no copy kept).
    However it ends, the clip is no longer "making"; an error or "changed" leaves it "failed" (raised
    again for Celery), so its trainer sees it and may ask again. A worker killed midway settles
    nothing: the task is redelivered, and the clip stays "making"."""
    try:
        outcome = "changed"
        for _ in range(ATTEMPTS):
            outcome = _make(clip_id)
            if outcome != "changed":
                break
    except Exception:
        with contextlib.suppress(Exception):  # the error that failed it is the one to report
            _settle(clip_id, failed=True)
        raise
    _settle(clip_id, failed=outcome == "changed")
    return outcome


def _settle(clip_id: uuid.UUID, *, failed: bool) -> None:
    """The job ended: the clip is not "making" any more; "failed" (logged as a failed create) when no
    copy is linked and the job could not make one."""
    with unit_of_work() as db:
        clip = db.get(Clip, clip_id, with_for_update=True)
        if clip is None:
            return
        clip.anonymise_asked_at = None
        failed = failed and clip.anonymised_object_id is None
        clip.anonymise_failed_at = datetime.now(UTC) if failed else None
        db.add(clip)
        if failed:
            recording = db.get(Recording, clip.recording_id)
            original = recording.original_object_id if recording else None
            audit.record(
                db,
                action="create",
                outcome="failure",
                reason="anonymised",
                family_id=open_store(db, get_settings()).get(original).family_id
                if original
                else None,
                object_id=clip.id,
                object_type="clip",
            )


def _make(clip_id: uuid.UUID) -> str:
    settings = get_settings()
    with unit_of_work() as db:
        clip = db.get(Clip, clip_id)
        recording = db.get(Recording, clip.recording_id) if clip is not None else None
        if clip is None or recording is None or recording.original_object_id is None:
            return "missing"
        if clip.anonymised_object_id is not None:
            return "exists"
        store = open_store(db, settings)
        family_id = store.get(recording.original_object_id).family_id
        start_s, end_s, source = clip.start_s, clip.end_s, recording.original_object_id
        # What this copy is made with (the muted spans, the trainer's boxes), compared again before
        # it is linked.
        mute, face_edits = clip.mute, clip.face_edits
        try:
            object_id, report = anonymised_copy(
                store,
                source,
                start_s,
                end_s,
                ffmpeg=settings.ffmpeg,
                ffprobe=settings.ffprobe,
                mute=[(a, b) for a, b in json.loads(mute)],
                edits=edits(face_edits),
                opened=lambda: release(db),
            )  # no transaction open meanwhile
        except BaseException:
            # A damaged original, ffmpeg failing, a time limit: the sealed writer discarded the copy
            # and shredded its key, in the transaction begun after release(). Keep that shred (the
            # key itself was committed by release()), or the unit of work's rollback brings it back.
            with contextlib.suppress(Exception):
                keep(db)
            raise
        db.expire_all()
        clip = db.get(Clip, clip_id, with_for_update=True)
        recording = db.get(Recording, clip.recording_id) if clip is not None else None
        if (
            clip is None or recording is None or recording.original_object_id is None
        ):  # removed meanwhile
            store.delete(object_id)
            return "missing"
        if clip.anonymised_object_id is not None:  # a redelivered twin finished first: keep one
            store.delete(object_id)
            return "exists"
        # The trainer changed the spans or the boxes meanwhile: this copy lacks the change.
        if clip.mute != mute or clip.face_edits != face_edits:
            store.delete(object_id)
            return "changed"
        clip.anonymised_object_id = object_id
        clip.anonymised_approved_by = clip.anonymised_approved_at = None  # a new copy is unchecked
        clip.faces = json.dumps(report.faces())  # what this copy was made with, for the check page
        db.add(clip)
        audit.record(
            db,
            action="create",
            outcome="success",
            reason="anonymised",
            family_id=family_id,
            object_id=object_id,
            object_type="anonymised",
        )
    return "made"


def edits(stored: str) -> list[Edit]:
    """The trainer's boxes as the clip keeps them (JSON, checked by vault.recordings.service)."""
    return [
        Edit(
            kind=e["kind"],
            start_s=e["start_s"],
            end_s=e["end_s"],
            box=tuple(e["box"]),
            box_end=tuple(e["box_end"]) if e.get("box_end") else None,
        )
        for e in json.loads(stored)
    ]


@celery_app.task(name="vault.media.anonymise", acks_late=True)
def anonymise(clip_id: str) -> str:
    return make_anonymised(uuid.UUID(clip_id))
