"""A trainer takes out a wrongly imported recording: at once, for good, and in the purge's own terms.

The original and its proxy are deleted (every stored version) and their keys shredded; each leaves a
tombstone, as a purge does, so the privacy officer's report of what was deleted shows them. The
recording row, its clips and the supervisors' notes on them go too: nothing lists, streams or exports
what is no longer there, and the retention engine no longer sees it. The card's upload is marked as not
stored, so the import never again reports that file as safely kept. The access decision is the caller's.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from vault import audit
from vault.annotations.models import Annotation, AnnotationComment
from vault.consents.models import SupervisionNote
from vault.errors import Conflict, NotFound
from vault.export.models import Export, ExportStatus
from vault.families.models import Trajectory
from vault.ingest.models import Upload
from vault.purge._service import family_facts
from vault.purge.models import Tombstone
from vault.recordings.models import Clip, Recording, RemovalReason
from vault.store import ObjectStore, StoredObject

REASONS_NL = {
    RemovalReason.wrong_family: "verkeerd gezin",
    RemovalReason.imported_by_mistake: "per ongeluk geïmporteerd",
    RemovalReason.failed_recording: "mislukte opname",
    RemovalReason.duplicate: "dubbel geïmporteerd",
}


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _in_package(db: Session, recording: Recording) -> Export | None:
    """A package of the trajectory that holds (or is about to hold) this recording's footage."""
    for export in db.exec(select(Export).where(Export.trajectory_id == recording.trajectory_id)):
        if export.status not in (ExportStatus.queued, ExportStatus.building, ExportStatus.ready):
            continue
        chosen = json.loads(export.recording_ids) if export.recording_ids else None
        if (chosen is None and _aware(export.created_at) >= _aware(recording.created_at)) or (
            chosen is not None and str(recording.id) in chosen
        ):
            return export
    return None


def refusal(db: Session, recording: Recording, now: datetime) -> Conflict | None:
    """Why this recording cannot be taken out now, in words the trainer can act on; None if it can."""
    upload = db.exec(select(Upload).where(Upload.recording_id == recording.id)).first()
    if upload is not None and upload.status == "verifying":
        return Conflict(
            "Deze opname wordt nog gecontroleerd. Probeer het over een paar minuten opnieuw.",
            "This recording is still being verified. Try again in a few minutes.",
            reason="verifying",
        )
    trajectory = db.get(Trajectory, recording.trajectory_id)
    objects = [o for o in (recording.original_object_id, recording.proxy_object_id) if o]
    if trajectory is not None:
        holds = family_facts(db, trajectory.family_id, now.date()).holds
        if any(
            h.in_force(now.date()) and (h.object_ids is None or any(h.covers(o) for o in objects))
            for h in holds
        ):
            return Conflict(
                "Er geldt een bewaarplicht voor deze opname: die mag niet worden verwijderd. "
                "Neem contact op met de privacyfunctionaris.",
                "A legal hold covers this recording: it may not be removed. "
                "Contact the privacy officer.",
                reason="legal_hold",
            )
    export = _in_package(db, recording)
    if export is not None and export.status == ExportStatus.ready:
        return Conflict(
            "Deze opname zit in een klaarstaand pakket voor het gezin. Verwijder eerst dat pakket "
            "(onder 'Pakket voor het gezin') en daarna de opname.",
            "This recording is in a package that is ready for the family. Remove that package "
            "first (under 'Package for the family'), then the recording.",
            reason="in_package",
        )
    if export is not None:
        return Conflict(
            "Deze opname zit in een pakket voor het gezin dat nu wordt gemaakt. Annuleer dat pakket "
            "(onder 'Pakket voor het gezin') of wacht tot het klaar is en verwijder het, en daarna "
            "de opname.",
            "This recording is in a package for the family that is being built. Cancel that "
            "package (under 'Package for the family') or remove it once ready, then the recording.",
            reason="package_being_built",
        )
    return None


def remove_recording(
    db: Session,
    store: ObjectStore,
    principal: audit.Principal,
    recording_id: uuid.UUID,
    reason: RemovalReason,
) -> dict[str, object]:
    """Remove one recording (already authorized); Conflict, with nothing changed, when it may not go."""
    now = datetime.now(UTC)
    recording = db.get(Recording, recording_id)
    trajectory = db.get(Trajectory, recording.trajectory_id) if recording else None
    if recording is None or trajectory is None:
        raise NotFound("Opname niet gevonden.", "Recording not found.")
    refused = refusal(db, recording, now)
    if refused is not None:
        raise refused
    # The rows first, the stored bytes last: a refusal or failure before this point deletes nothing.
    clip_ids = list(db.exec(select(Clip.id).where(Clip.recording_id == recording_id)))
    notes = (
        db.exec(select(SupervisionNote).where(col(SupervisionNote.clip_id).in_(clip_ids))).all()
        if clip_ids
        else []
    )
    for note in notes:
        db.delete(note)
    annotated = select(Annotation.id).where(Annotation.recording_id == recording_id)
    for comment in db.exec(
        select(AnnotationComment).where(col(AnnotationComment.annotation_id).in_(annotated))
    ).all():
        db.delete(comment)
    db.flush()
    for annotation in db.exec(
        select(Annotation).where(Annotation.recording_id == recording_id)
    ).all():
        db.delete(annotation)
    db.flush()
    copies: list[
        uuid.UUID
    ] = []  # the clips' anonymised copies (ADR 0017) go with the footage they were made from
    for clip in db.exec(select(Clip).where(Clip.recording_id == recording_id)).all():
        copies += [clip.anonymised_object_id] if clip.anonymised_object_id else []
        db.delete(clip)
    db.flush()
    for upload in db.exec(select(Upload).where(Upload.recording_id == recording_id)).all():
        upload.status, upload.recording_id = "rejected", None  # its footage is not kept
        upload.reason = f"verwijderd door de trainer ({REASONS_NL[reason]})"
        db.add(upload)
    objects = [o for o in (recording.original_object_id, recording.proxy_object_id, *copies) if o]
    db.delete(recording)
    db.flush()
    audit.record(
        db,
        action="delete",
        outcome="success",
        reason=str(reason),
        actor=principal,
        family_id=trajectory.family_id,
        object_id=recording_id,
        object_type="recording",
        detail={
            "objects_deleted": str(len(objects)),
            "clips_removed": str(len(clip_ids)),
            "notes_removed": str(len(notes)),
        },
    )
    for object_id in objects:
        row = db.get(StoredObject, object_id)
        if row is None:
            store.shred_key(object_id)
            continue
        if db.get(Tombstone, object_id) is None:
            db.add(
                Tombstone(
                    object_id=row.id,
                    family_id=row.family_id,
                    kind=row.kind,
                    size=row.size,
                    ciphertext_size=row.ciphertext_size,
                    ciphertext_sha256="",
                    rule=f"removed_by_trainer:{reason}",
                    purged_at=now,
                )
            )
        store.delete(object_id)  # every stored version, then the key
    return {
        "id": str(recording_id),
        "trajectory_id": str(trajectory.id),
        "reason": str(reason),
        "objects_deleted": len(objects),
        "clips_removed": len(clip_ids),
    }
