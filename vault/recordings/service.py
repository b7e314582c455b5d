"""The recordings' rules: registering a recording, reading it with its card's file name, its thumbnail,
taking it out again, and the clips cut from it.

Every function takes the session and the principal, asks the access seam (`vault.access.authorize`,
decided and logged) before it reads or writes, flushes and never commits, and raises VaultErrors.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlmodel import Session, col, select

from consent import Purpose
from keys import KeyDestroyed
from vault import audit
from vault.access import authorize
from vault.accounts import InvalidField
from vault.annotations import service as annotation_rules
from vault.db import after_commit, unit_of_work
from vault.domain.models import Organisation
from vault.errors import Conflict, NotFound, VaultError
from vault.families.models import Person, Trajectory
from vault.i18n import number
from vault.ingest.models import Upload
from vault.media.still import watermark_text
from vault.purge.removal import remove_recording
from vault.recordings.models import Clip, Recording, RemovalReason, Situation
from vault.recordings.schemas import (
    ClipCreate,
    ClipFaceEdits,
    ClipInView,
    ClipMute,
    ClipPurpose,
    ClipUpdate,
    RecordingCreate,
    RecordingPublic,
    RecordingView,
)
from vault.routes import Rows, fetch_page
from vault.settings import get_settings
from vault.store import BlobNotFound, open_store
from vault.worker import BrokerUnavailable, celery_app, send


def _recording(db: Session, recording_id: uuid.UUID) -> Recording:
    row = db.get(Recording, recording_id)
    if row is None:
        raise NotFound("Opname niet gevonden.", "Recording not found.")
    return row


class InvalidReason(VaultError):
    status = 422
    code = "invalid_reason"

    def __init__(self) -> None:
        super().__init__(
            "Kies een reden voor het verwijderen (veld 'reason'): wrong_family (verkeerd gezin), "
            "imported_by_mistake (per ongeluk geïmporteerd), failed_recording (mislukte opname) of "
            "duplicate (dubbel geïmporteerd).",
            "Choose a reason for the removal (field 'reason'): wrong_family, imported_by_mistake, "
            "failed_recording or duplicate.",
            field="reason",
        )


# Recordings -------------------------------------------------------------------------------------


def list_recordings(
    db: Session,
    principal: audit.Principal,
    trajectory_id: uuid.UUID,
    *,
    situation: Situation | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Rows[Recording]:
    authorize(db, principal, "view", trajectory_id=trajectory_id)
    query = (
        select(Recording)
        .where(Recording.trajectory_id == trajectory_id)
        .order_by(col(Recording.recorded_at))
    )
    if situation:
        query = query.where(Recording.situation == situation)
    return fetch_page(db, query, limit, offset)


def create_recording(
    db: Session, principal: audit.Principal, trajectory_id: uuid.UUID, data: RecordingCreate
) -> Recording:
    authorize(db, principal, "upload", trajectory_id=trajectory_id)
    row = Recording(trajectory_id=trajectory_id, **data.model_dump())
    db.add(row)
    db.flush()
    return row


def get_recording(db: Session, principal: audit.Principal, recording_id: uuid.UUID) -> Recording:
    authorize(db, principal, "view", recording_id=recording_id)
    return _recording(db, recording_id)


def _cards(db: Session, recordings: list[Recording]) -> dict[uuid.UUID, dict[str, str]]:
    """The upload metadata of recordings that came from a card (what the import client sent)."""
    ids = [r.id for r in recordings]
    uploads = db.exec(select(Upload).where(col(Upload.recording_id).in_(ids))).all() if ids else []
    out: dict[uuid.UUID, dict[str, str]] = {}
    for upload in uploads:
        try:
            meta = json.loads(upload.meta)
        except ValueError:
            meta = {}
        if upload.recording_id is not None:
            out[upload.recording_id] = meta if isinstance(meta, dict) else {}
    return out


def views(db: Session, recordings: list[Recording]) -> list[RecordingView]:
    """Recordings (already authorized) for people: each with its card file name and when it was filmed.

    `filmed_at` is the camera's own time (from the file) or a time the import client gave; for a card
    file with neither it is None: the time of the upload is never passed off as the time of filming.
    A recording registered without a card was registered with its time.
    """
    cards, out = _cards(db, recordings), []
    for recording in recordings:
        card = cards.get(recording.id)
        probe = json.loads(recording.probe or "{}")
        known = card is None or bool(probe.get("creation_time") or card.get("recorded_at"))
        name = (
            str(card.get("filename", "")).replace("\\", "/").rsplit("/", 1)[-1][:255]
            if card
            else ""
        )
        base = RecordingPublic.model_validate(recording, from_attributes=True)
        out.append(
            RecordingView(
                **base.model_dump(),
                file_name=name or None,
                filmed_at=recording.recorded_at if known else None,
            )
        )
    return out


def remove(
    db: Session, principal: audit.Principal, recording_id: uuid.UUID, reason: str | None
) -> dict[str, object]:
    """The trainer takes a wrongly imported recording out again, for a reason from a short list: its
    original, proxy, clips and their notes go for good (vault/purge/removal.py); 409 when it may not."""
    authorize(
        db, principal, "manage_consent", recording_id=recording_id, object_type="recording_removal"
    )
    try:
        why = RemovalReason(reason or "")
    except ValueError:
        raise InvalidReason() from None
    return remove_recording(db, open_store(db, get_settings()), principal, recording_id, why)


@dataclass(frozen=True)
class Picture:
    """Where a recording's thumbnail comes from: its sealed proxy or original, read by range."""

    size: int
    read: Callable[[int, int], bytes]  # (offset, length) -> the plaintext bytes
    at_s: float
    container: str
    interlaced: bool


def thumbnail_source(db: Session, principal: audit.Principal, recording_id: uuid.UUID) -> Picture:
    """Decided and logged as viewing; NotFound when there is no picture (yet, or any more)."""
    authorize(db, principal, "view", recording_id=recording_id, object_type="thumbnail")
    recording = _recording(db, recording_id)
    source = recording.proxy_object_id or recording.original_object_id
    if source is None or not recording.duration_s:
        raise NotFound(
            "Van deze opname is (nog) geen beeld.", "There is no picture of this recording (yet)."
        )
    info = json.loads(recording.probe or "{}")
    original = source != recording.proxy_object_id
    try:
        size, read = open_store(db, get_settings()).range_reader(source)
    except (BlobNotFound, KeyDestroyed):
        raise NotFound(
            "Van deze opname is geen beeld meer.", "There is no picture of this recording any more."
        ) from None
    return Picture(
        size=size,
        read=read,
        at_s=recording.duration_s * 0.1,
        container=str(info.get("container") or "mov") if original else "mov",
        interlaced=original and bool(info.get("interlaced")),
    )


# Clips ------------------------------------------------------------------------------------------


def list_clips(
    db: Session,
    principal: audit.Principal,
    recording_id: uuid.UUID,
    *,
    limit: int = 50,
    offset: int = 0,
) -> Rows[Clip]:
    authorize(db, principal, "view", recording_id=recording_id)
    query = select(Clip).where(Clip.recording_id == recording_id).order_by(col(Clip.start_s))
    return fetch_page(db, query, limit, offset)


def create_clip(
    db: Session, principal: audit.Principal, recording_id: uuid.UUID, data: ClipCreate
) -> Clip:
    authorize(db, principal, "clip", recording_id=recording_id)
    if data.purpose is Purpose.teaching:  # marked only once who is in view is known (set_purpose)
        raise InvalidField(
            "purpose",
            "Een fragment markeert u voor onderwijs nadat u het hebt gemaakt en hebt vastgelegd wie er "
            "in beeld is; maak het fragment eerst met een ander doel.",
            "A clip is marked for teaching after it is made and you said who is in view; make the "
            "clip with another purpose first.",
        )
    recording = _recording(db, recording_id)
    if recording.duration_s is not None and data.end_s > recording.duration_s:
        raise Conflict(
            "Het fragment loopt voorbij het einde van de opname.",
            "The clip runs past the end of the recording.",
        )
    # the access seam allowed `clip` only to a trainer, whose principal has a user id
    row = Clip(recording_id=recording_id, created_by=principal.user_id, **data.model_dump())  # type: ignore[arg-type]  # user_id is None only for the system and parents' download links, which never call this
    db.add(row)
    db.flush()
    return row


def get_clip(db: Session, principal: audit.Principal, clip_id: uuid.UUID) -> Clip:
    authorize(db, principal, "view", clip_id=clip_id)
    row = db.get(Clip, clip_id)
    if row is None:
        raise NotFound("Fragment niet gevonden.", "Clip not found.")
    return row


# Fragments for the terugkijkgesprek (ADR 0016) ---------------------------------------------------


def clip_frames(clip: Clip, rate: Fraction) -> range:
    """The recording's frames that start inside the clip: frame f shows from f/rate."""
    first = -(-Fraction(clip.start_s).limit_denominator(1_000_000) * rate // 1)  # ceil
    end = -(-Fraction(clip.end_s).limit_denominator(1_000_000) * rate // 1)
    return range(int(first), int(end))


def update_clip(
    db: Session, principal: audit.Principal, clip_id: uuid.UUID, data: ClipUpdate
) -> Clip:
    """Its trainer makes the clip a fragment: title, the codes it shows (from the codebook), the
    kijkrichting, the frames chosen as stills (inside the clip) and its place in the review."""
    authorize(db, principal, "clip", clip_id=clip_id)
    row = db.get(Clip, clip_id)
    recording = db.get(Recording, row.recording_id) if row else None
    if row is None or recording is None:
        raise NotFound("Fragment niet gevonden.", "Clip not found.")
    book = annotation_rules.entries(annotation_rules.codebook(db, principal))
    known = {e["key"] for group in ("codes", "moments") for e in book.get(group, [])}
    for code in data.codes:
        if code not in known:
            raise InvalidField(
                "codes",
                f"Onbekende code '{code}': kies codes uit het codeboek.",
                f"Unknown code '{code}': choose codes from the codebook.",
            )
    if data.stills:
        frames = clip_frames(row, annotation_rules.frame_rate(recording))
        for frame in data.stills:
            if frame not in frames:
                raise InvalidField(
                    "stills",
                    f"Beeld {frame} ligt niet in dit fragment (beeld {frames.start} "
                    f"tot en met {frames.stop - 1}).",
                    f"Frame {frame} is not in this fragment "
                    f"(frames {frames.start} to {frames.stop - 1}).",
                )
    row.title = data.title
    row.codes = json.dumps(list(dict.fromkeys(data.codes)))
    row.kijkrichting = data.kijkrichting.strip()
    row.stills = json.dumps(sorted(set(data.stills)))
    row.review_position = data.review_position
    trajectory = db.get(Trajectory, recording.trajectory_id)
    _changed(db, principal, row, trajectory.family_id if trajectory else None, "")
    return row


# Spans silent in the anonymised copy (issue #24, ADR 0017) --------------------------------------


def mute_spans(clip: Clip, data: ClipMute) -> list[list[float]]:
    """The spans checked against the clip (each starts before it ends and lies inside the clip; 422
    naming the span otherwise), sorted, and those that overlap or touch joined."""
    spans: list[list[float]] = []
    for i, span in enumerate(data.spans):
        a, b = span.start_s, span.end_s
        if b <= a:
            raise InvalidField(
                f"spans[{i}].end_s",
                f"Stilte {i + 1}: het einde ({number(b, 'nl', 3)} s) moet na het begin "
                f"({number(a, 'nl', 3)} s) liggen.",
                f"Muted span {i + 1}: the end ({number(b, 'en', 3)} s) must come after the start "
                f"({number(a, 'en', 3)} s).",
            )
        if a < clip.start_s or b > clip.end_s:
            raise InvalidField(
                f"spans[{i}]",
                f"Stilte {i + 1} ({number(a, 'nl', 3)} tot {number(b, 'nl', 3)} s) ligt niet binnen "
                f"het fragment ({number(clip.start_s, 'nl', 3)} tot "
                f"{number(clip.end_s, 'nl', 3)} s van de opname).",
                f"Muted span {i + 1} ({number(a, 'en', 3)} to {number(b, 'en', 3)} s) is not inside "
                f"the clip ({number(clip.start_s, 'en', 3)} to {number(clip.end_s, 'en', 3)} s "
                f"of the recording).",
            )
        spans.append([a, b])
    joined: list[list[float]] = []
    for a, b in sorted(spans):
        if joined and a <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], b)
        else:
            joined.append([a, b])
    return joined


def _locked(db: Session, clip_id: uuid.UUID) -> tuple[Clip, Recording, uuid.UUID]:
    """The clip, locked: the anonymising job links its copy under the same lock, after comparing what
    it was made with (vault.anonymise.tasks), so a copy never outlives a change it lacks. With its
    recording and family; NotFound when any is gone."""
    row = db.get(Clip, clip_id, with_for_update=True, populate_existing=True)
    recording = db.get(Recording, row.recording_id) if row else None
    trajectory = db.get(Trajectory, recording.trajectory_id) if recording else None
    if row is None or recording is None or trajectory is None:
        raise NotFound("Fragment niet gevonden.", "Clip not found.")
    return row, recording, trajectory.family_id


def _changed(
    db: Session,
    principal: audit.Principal,
    row: Clip,
    family_id: uuid.UUID | None,
    reason: str,
    detail: dict[str, str] | None = None,
) -> None:
    """Its trainer's change of the clip, written and logged as an `update` of it with `reason`."""
    db.add(row)
    db.flush()
    audit.record(
        db,
        action="update",
        outcome="success",
        reason=reason,
        actor=principal,
        object_id=row.id,
        object_type="clip",
        family_id=family_id,
        detail=detail,
    )


def _drop_copy(
    db: Session,
    principal: audit.Principal,
    clip: Clip,
    family_id: uuid.UUID | None,
    reason: str,
) -> None:
    """The clip's anonymised copy is stale (made without a change the trainer just made): unlinked and
    deleted through the store (every stored version, then its key, then its row) in the same request,
    so it is never served again and the job makes it anew; the faces found in it and its approval go
    with it (an approval is of one copy). Logged as a `delete` of the copy with `reason`."""
    stale = clip.anonymised_object_id
    clip.anonymised_object_id = None
    clip.faces = "[]"
    clip.anonymised_approved_by = None
    clip.anonymised_approved_at = None
    db.add(clip)
    db.flush()
    if stale is None:
        return
    store = open_store(db, get_settings())
    try:
        store.delete(stale)
    except BlobNotFound:  # its row is gone already (purged): make sure of the key
        store.shred_key(stale)
    audit.record(
        db,
        action="delete",
        outcome="success",
        reason=reason,
        actor=principal,
        object_id=stale,
        object_type="anonymised",
        family_id=family_id,
    )


def set_mute(db: Session, principal: audit.Principal, clip_id: uuid.UUID, data: ClipMute) -> Clip:
    """Its trainer marks the spans to be silent in the clip's anonymised copy (decided as the clip's
    other writes). A change makes a copy made without it stale: it goes (`_drop_copy`)."""
    authorize(db, principal, "clip", clip_id=clip_id)
    row, _, family_id = _locked(db, clip_id)
    spans = json.dumps(mute_spans(row, data))
    changed = spans != row.mute
    row.mute = spans
    _changed(db, principal, row, family_id, "mute", {"mute_spans": str(len(json.loads(spans)))})
    if changed:
        _drop_copy(db, principal, row, family_id, "mute_changed")
    return row


# The trainer's boxes over the anonymised copy (issue #24, ADR 0017 decision 8) ------------------

EDGE = 1e-9  # a box's right or bottom edge may reach 1 up to the sum's rounding


def face_edits(clip: Clip, data: ClipFaceEdits) -> list[dict[str, Any]]:
    """The edits checked against the clip (each starts before it ends, inside the clip, its boxes inside
    the frame; 422 naming the edit and its field otherwise), sorted by start."""
    edits: list[dict[str, Any]] = []
    for i, edit in enumerate(data.edits):
        a, b = edit.start_s, edit.end_s
        if b <= a:
            raise InvalidField(
                f"edits[{i}].end_s",
                f"Vak {i + 1}: het einde ({number(b, 'nl', 3)} s) moet na het begin "
                f"({number(a, 'nl', 3)} s) liggen.",
                f"Box {i + 1}: the end ({number(b, 'en', 3)} s) must come after the start "
                f"({number(a, 'en', 3)} s).",
            )
        for name, at in (("start_s", a), ("end_s", b)):
            if not clip.start_s <= at <= clip.end_s:
                raise InvalidField(
                    f"edits[{i}].{name}",
                    f"Vak {i + 1}: {number(at, 'nl', 3)} s ligt niet binnen het fragment "
                    f"({number(clip.start_s, 'nl', 3)} tot {number(clip.end_s, 'nl', 3)} s van de "
                    f"opname).",
                    f"Box {i + 1}: {number(at, 'en', 3)} s is not inside the clip "
                    f"({number(clip.start_s, 'en', 3)} to {number(clip.end_s, 'en', 3)} s of the "
                    f"recording).",
                )
        for name, box in (("box", edit.box), ("box_end", edit.box_end)):
            if box is None:
                continue
            x, y, w, h = box
            if not (
                x >= 0 and y >= 0 and w > 0 and h > 0 and x + w <= 1 + EDGE and y + h <= 1 + EDGE
            ):
                raise InvalidField(
                    f"edits[{i}].{name}",
                    f"Vak {i + 1} ({name}) ligt niet binnen het beeld: x en y vanaf 0, breedte en "
                    f"hoogte groter dan 0, x + breedte en y + hoogte hoogstens 1 (delen van het beeld).",
                    f"Box {i + 1} ({name}) is not inside the frame: x and y from 0, width and height "
                    f"above 0, x + width and y + height at most 1 (fractions of the frame).",
                )
        edits.append(edit.model_dump(mode="json"))
    return sorted(edits, key=lambda e: (e["start_s"], e["end_s"], e["kind"], e["box"]))


def set_faces(
    db: Session, principal: audit.Principal, clip_id: uuid.UUID, data: ClipFaceEdits
) -> Clip:
    """Its trainer sets the boxes over the clip's anonymised copy (decided as the clip's other writes).
    A change makes the copy made without it stale: it goes (`_drop_copy`), and with it its approval."""
    authorize(db, principal, "clip", clip_id=clip_id)
    row, _, family_id = _locked(db, clip_id)
    edits = face_edits(row, data)
    stored = json.dumps(edits)
    changed = stored != row.face_edits
    row.face_edits = stored
    _changed(db, principal, row, family_id, "faces", {"face_edits": str(len(edits))})
    if changed:
        _drop_copy(db, principal, row, family_id, "faces_changed")
    return row


def faces(db: Session, principal: audit.Principal, clip_id: uuid.UUID) -> dict[str, Any]:
    """The faces found in the clip's anonymised copy and the trainer's boxes, for the check page
    (decided and logged as viewing the clip)."""
    row = get_clip(db, principal, clip_id)
    return {"detections": json.loads(row.faces), "edits": json.loads(row.face_edits)}


# Who is in view, the anonymised copy and the trainer's approval of it (ADR 0017, decision 7) --------


def set_in_view(
    db: Session, principal: audit.Principal, clip_id: uuid.UUID, data: ClipInView
) -> Clip:
    """Its trainer says who is in view (decided as the clip's other writes): the family's people (422
    naming `people[i]` for anyone else: a visitor is `others`) and whether anyone else is. Until this is
    said the clip is shown outside the family and its supervision to no one (consent.decide)."""
    authorize(db, principal, "clip", clip_id=clip_id)
    row, _, family_id = _locked(db, clip_id)
    family = set(db.exec(select(Person.id).where(Person.family_id == family_id)).all())
    for i, person in enumerate(data.people):
        if person not in family:
            raise InvalidField(
                f"people[{i}]",
                f"Persoon {i + 1} hoort niet bij dit gezin. Wie niet bij het gezin is ingeschreven "
                "(een bezoeker, een buurkind), geeft u aan met 'anderen in beeld'.",
                f"Person {i + 1} is not of this family. Anyone not registered with the family "
                "(a visitor, a neighbour's child) is marked as 'others in view'.",
            )
    row.in_view = json.dumps(sorted({str(p) for p in data.people}))
    row.others_in_view = data.others
    _changed(
        db,
        principal,
        row,
        family_id,
        "in_view",
        {"in_view": str(len(json.loads(row.in_view))), "others": str(data.others).lower()},
    )
    return row


def set_purpose(
    db: Session, principal: audit.Principal, clip_id: uuid.UUID, data: ClipPurpose
) -> Clip:
    """Its trainer changes what the clip is for (decided as the clip's other writes). Marking it for
    teaching is a promise that teaching may show it: decided as `mark_for_teaching` (the family's
    teaching consent, who is in view, only an approved anonymised copy where not everyone is covered;
    ADR 0017, decision 10), logged either way."""
    authorize(db, principal, "clip", clip_id=clip_id)
    if data.purpose is Purpose.teaching:
        authorize(db, principal, "mark_for_teaching", clip_id=clip_id)
    row, _, family_id = _locked(db, clip_id)
    if row.purpose == data.purpose:
        return row  # nothing changes, nothing is logged
    row.purpose = data.purpose
    _changed(db, principal, row, family_id, "purpose", {"purpose": str(data.purpose)})
    return row


# A copy asked for and not made in this time may be asked for again: its job was lost (a broker that lost
# its queue); a second job that does run finds the copy made, and keeps one (vault.anonymise.tasks).
ASKED_FOR = timedelta(hours=1)


def anonymise(db: Session, principal: audit.Principal, clip_id: uuid.UUID) -> tuple[Clip, bool]:
    """Its trainer asks for the clip's anonymised copy (decided as the clip's other writes): queued on the
    `media` queue after the commit (True), or there already or being made (False: asking again while the
    job is queued or running queues no second one). Conflict when the recording's original is gone."""
    authorize(db, principal, "clip", clip_id=clip_id)
    row, recording, _ = _locked(db, clip_id)
    if recording.original_object_id is None:
        raise Conflict(
            "Van deze opname is geen origineel meer; er kan geen geanonimiseerde versie van gemaakt worden.",
            "This recording's original is gone; no anonymised copy can be made of it.",
        )
    now = datetime.now(UTC)
    asked = row.anonymise_asked_at
    if row.anonymised_object_id is not None or (asked is not None and now - asked < ASKED_FOR):
        return row, False
    row.anonymise_asked_at, row.anonymise_failed_at = now, None
    db.add(row)
    db.flush()
    task = celery_app.signature("vault.media.anonymise")

    def queue() -> None:
        try:
            send(task, str(clip_id))
        except BrokerUnavailable:  # nothing was queued: not "being made" either
            with unit_of_work() as again:
                clip = again.get(Clip, clip_id, with_for_update=True)
                if clip is not None:
                    clip.anonymise_asked_at = None
                    again.add(clip)
            raise

    after_commit(db, queue)
    return row, True


def approve_anonymised(
    db: Session, principal: audit.Principal, clip_id: uuid.UUID, approved: bool = True
) -> Clip:
    """Its trainer approves the anonymised copy after checking it, or takes the approval back (decided
    as the clip's other writes). Approving needs a copy, and that this trainer played it since it was
    made (the copy's playlist, logged as allowed with the copy as basis): nothing is approved unseen."""
    authorize(db, principal, "clip", clip_id=clip_id)
    row, _, family_id = _locked(db, clip_id)
    copy = row.anonymised_object_id
    if approved and copy is None:
        raise Conflict(
            "Er is (nog) geen geanonimiseerde versie van dit fragment om goed te keuren.",
            "There is no anonymised copy of this clip (yet) to approve.",
        )
    if approved and copy is not None and not _played(db, principal, row.id, copy):
        raise Conflict(
            "Bekijk de geanonimiseerde versie eerst zelf, voordat u haar goedkeurt.",
            "Watch the anonymised copy yourself first, before you approve it.",
        )
    if approved == (row.anonymised_approved_at is not None):
        return row  # nothing changes, nothing is logged
    row.anonymised_approved_by = principal.user_id if approved else None
    row.anonymised_approved_at = datetime.now(UTC) if approved else None
    db.add(row)
    db.flush()
    audit.record(
        db,
        action="update",
        outcome="success",
        reason="anonymised_approved" if approved else "anonymised_approval_withdrawn",
        actor=principal,
        object_id=copy or row.id,
        object_type="anonymised" if copy else "clip",
        family_id=family_id,
    )
    return row


def _played(db: Session, principal: audit.Principal, clip_id: uuid.UUID, copy: uuid.UUID) -> bool:
    """This user was allowed the copy's playlist since the copy was made (the audit log says so)."""
    made = open_store(db, get_settings()).get(copy).created_at
    shown = f'%"anonymised:{clip_id}"%'
    return (
        db.exec(
            select(audit.AuditRecord.seq).where(
                audit.AuditRecord.user_id == principal.user_id,
                audit.AuditRecord.object_id == str(clip_id),
                audit.AuditRecord.object_type == "playlist",
                audit.AuditRecord.outcome == "allowed",
                col(audit.AuditRecord.basis).like(shown),
                col(audit.AuditRecord.occurred_at) >= made,
            )
        ).first()
        is not None
    )


def review_fragments(
    db: Session, principal: audit.Principal, trajectory_id: uuid.UUID
) -> list[Clip]:
    """The fragments chosen for the terugkijkgesprek of a trajectory, in their order (decided and logged
    as viewing the trajectory; each one's footage and stills are decided again when they are opened)."""
    authorize(db, principal, "view", trajectory_id=trajectory_id)
    if db.get(Trajectory, trajectory_id) is None:
        raise NotFound("Traject niet gevonden.", "Trajectory not found.")
    query = (
        select(Clip)
        .join(Recording, col(Recording.id) == col(Clip.recording_id))
        .where(Recording.trajectory_id == trajectory_id, col(Clip.review_position).is_not(None))
        .order_by(col(Clip.review_position), col(Recording.recorded_at), col(Clip.start_s))
    )
    return list(db.exec(query).all())


@dataclass(frozen=True)
class Still:
    """Where a still comes from (the sealed proxy or original, read by range) and the viewer's mark."""

    size: int
    read: Callable[[int, int], bytes]
    at_s: float
    container: str
    interlaced: bool
    watermark: str


def still_source(db: Session, principal: audit.Principal, clip_id: uuid.UUID, frame: int) -> Still:
    """Frame `frame` (of the recording, as annotations count) inside the clip: decided like streaming
    the clip and logged as a still; NotFound when the footage is gone, 422 outside the clip."""
    authorize(db, principal, "stream", clip_id=clip_id, object_type="still")
    clip = db.get(Clip, clip_id)
    recording = db.get(Recording, clip.recording_id) if clip else None
    if clip is None or recording is None or recording.original_object_id is None:
        raise NotFound("Fragment niet gevonden.", "Clip not found.")
    rate = annotation_rules.frame_rate(recording)
    frames = clip_frames(clip, rate)
    if frame not in frames:
        raise InvalidField(
            "frame",
            f"Beeld {frame} ligt niet in dit fragment (beeld {frames.start} tot en "
            f"met {frames.stop - 1}).",
            f"Frame {frame} is not in this fragment (frames {frames.start} to {frames.stop - 1}).",
        )
    # The original holds the very frame the trainer chose (the proxy is resampled to 25 fps); a quarter
    # frame early, so rounding never lands on the next one (ffmpeg shows the first frame at or after).
    info = json.loads(recording.probe or "{}")
    try:
        size, read = open_store(db, get_settings()).range_reader(recording.original_object_id)
    except (BlobNotFound, KeyDestroyed):
        raise NotFound(
            "Van dit fragment is geen beeld meer.", "There is no picture of this clip any more."
        ) from None
    org = db.get(Organisation, principal.organisation_id) if principal.organisation_id else None
    mark = watermark_text(
        principal.name, org.name if org else "", time.time(), principal.session_id or ""
    )
    return Still(
        size=size,
        read=read,
        at_s=float(max(Fraction(4 * frame - 1, 4), Fraction(0)) / rate),
        container=str(info.get("container") or "mov"),
        interlaced=bool(info.get("interlaced")),
        watermark=mark,
    )
