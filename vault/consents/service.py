"""The consent domain's rules: recording consent, withdrawing it, the signed form, WOK sessions.

Each function takes a session and the principal, decides through the access seam (which logs every
decision), flushes and never commits; the caller's unit of work does. The HTTP endpoints and the web
pages both call these.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

import consent
from consent import Role
from vault import audit
from vault.access import authorize, load_facts
from vault.accounts import InvalidField, require_role
from vault.consents.models import (
    ConsentEventRow,
    ConsentRecordRow,
    ConsentSignatureRow,
    SupervisionNote,
    WokSessionRow,
)
from vault.consents.schemas import (
    ConsentCreate,
    ConsentEventCreate,
    ConsentEventPublic,
    ConsentPublic,
    EvidencePublic,
    WokSessionCreate,
    WokSessionPublic,
)
from vault.domain.models import User
from vault.errors import Conflict, NotFound, VaultError
from vault.families.models import Family, Person, Trajectory
from vault.recordings.models import Clip, Recording
from vault.settings import get_settings
from vault.store import ObjectKind, open_store

EVIDENCE_TYPES = {
    b"%PDF": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG": "image/png",
}
MAX_EVIDENCE = 25 * 1024 * 1024


class EvidenceTooLarge(VaultError):
    status = 413
    code = "payload_too_large"

    def __init__(self) -> None:
        mb = MAX_EVIDENCE // (1024 * 1024)
        super().__init__(
            f"Het formulier is te groot (hoogstens {mb} MB).",
            f"The form is too large (at most {mb} MB).",
            max_bytes=MAX_EVIDENCE,
        )


class UnsupportedEvidence(VaultError):
    status = 415
    code = "unsupported_media_type"

    def __init__(self) -> None:
        super().__init__(
            "Upload het toestemmingsformulier als PDF, JPEG of PNG.",
            "Upload the consent form as PDF, JPEG or PNG.",
        )


def _recorders(db: Session, event_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The name of the account that recorded each event, where known."""
    if not event_ids:
        return {}
    rows = db.exec(
        select(ConsentEventRow.id, User.name)
        .join(User, col(User.id) == col(ConsentEventRow.recorded_by))
        .where(col(ConsentEventRow.id).in_(event_ids))
    ).all()
    return dict(rows)


def overview(db: Session, family_id: uuid.UUID, at: datetime) -> list[dict[str, Any]]:
    """Each consent record of the family as its parents and trainer read it: status at `at`, the
    signatures still missing, and its events. The API's consent overview and the parents' package.
    No access decision: the callers decided already."""
    facts = load_facts(db, family_id, None)
    recorders = _recorders(db, [e.id for e in facts.events])
    out = []
    for record in facts.consents:
        state = consent.status(record, facts.events, facts.people, facts.authorities, at)
        missing = consent.missing_signatures(record, facts.people, facts.authorities)
        out.append(
            {
                "id": str(record.id),
                "purpose": record.purpose,
                "trajectory_id": str(record.trajectory_id),
                "recording_ids": sorted(str(r) for r in record.recording_ids)
                if record.recording_ids is not None
                else None,
                "valid_from": record.valid_from.isoformat(),
                "valid_until": record.valid_until.isoformat() if record.valid_until else None,
                "status": state,
                "evidence": record.evidence_object_id is not None,
                "missing_signatures": [
                    {
                        "person_id": str(m.person_id) if m.person_id else None,
                        "capacity": m.capacity,
                        "message": m.message,
                    }
                    for m in missing
                ],
                "events": [
                    {
                        "kind": e.kind,
                        "at": e.at.isoformat(),
                        "by_person_id": str(e.by_person_id) if e.by_person_id else None,
                        "recorded_by": recorders.get(e.id),
                        "recording_ids": sorted(str(r) for r in e.recording_ids)
                        if e.recording_ids
                        else None,
                    }
                    for e in facts.events
                    if e.record_id == record.id
                ],
            }
        )
    return out


def list_consents(
    db: Session, principal: audit.Principal, family_id: uuid.UUID
) -> list[ConsentPublic]:
    authorize(db, principal, "manage_consent", family_id=family_id)
    return [ConsentPublic.model_validate(c) for c in overview(db, family_id, datetime.now(UTC))]


def create_consent(
    db: Session, principal: audit.Principal, family_id: uuid.UUID, body: ConsentCreate
) -> ConsentPublic:
    """Record a consent the family gave (on paper, in person or digitally) with its signatures."""
    authorize(db, principal, "manage_consent", trajectory_id=body.trajectory_id)
    trajectory = db.get(Trajectory, body.trajectory_id)
    if trajectory is None or trajectory.family_id != family_id:
        raise NotFound(
            "Traject niet gevonden in dit gezin.", "Trajectory not found in this family."
        )
    people = {p.id for p in db.exec(select(Person).where(Person.family_id == family_id))}
    if any(s.person_id not in people for s in body.signatures):
        raise Conflict(
            "Een ondertekenaar hoort niet bij dit gezin.",
            "A signatory is not a member of this family.",
        )
    try:
        consent.ConsentRecord(
            uuid.uuid4(),
            family_id,
            body.purpose,
            body.trajectory_id,
            body.valid_from,
            (),
            None,
            body.valid_until,
        )
    except ValueError as exc:
        raise Conflict(
            "Toestemming voor onderwijs geldt hooguit vijf jaar en heeft een einddatum.", str(exc)
        ) from None
    row = ConsentRecordRow(
        family_id=family_id,
        trajectory_id=body.trajectory_id,
        purpose=body.purpose,
        recording_ids=json.dumps([str(r) for r in body.recording_ids])
        if body.recording_ids is not None
        else None,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        notice_version=body.notice_version,
        language=body.language,
        method=body.method,
        recorded_by=principal.user_id,  # type: ignore[arg-type]  # user_id is None only for the system and parents' download links, which never call this
    )
    db.add(row)
    db.flush()
    for signature in body.signatures:
        db.add(ConsentSignatureRow(record_id=row.id, **signature.model_dump()))
    db.flush()
    audit.record(
        db,
        action="consent_event",
        outcome="success",
        actor=principal,
        family_id=family_id,
        object_id=row.id,
        object_type="consent",
        detail={"event": "given", "purpose": body.purpose},
    )
    created = next(c for c in overview(db, family_id, datetime.now(UTC)) if c["id"] == str(row.id))
    return ConsentPublic.model_validate(created)


def add_event(
    db: Session, principal: audit.Principal, record_id: uuid.UUID, body: ConsentEventCreate
) -> ConsentEventPublic:
    """Withdraw, reconfirm…: append-only, in effect at once. Withdrawal is by a signatory, or by the
    child from 12."""
    record = db.get(ConsentRecordRow, record_id)
    if record is None:
        raise NotFound("Toestemming niet gevonden.", "Consent not found.")
    authorize(db, principal, "manage_consent", trajectory_id=record.trajectory_id)
    now = datetime.now(UTC)
    if body.kind is consent.EventKind.withdrawn:
        facts = load_facts(db, record.family_id, None)
        signatories = {
            s.person_id
            for s in db.exec(
                select(ConsentSignatureRow).where(ConsentSignatureRow.record_id == record_id)
            )
        }
        children12 = {
            p.id
            for p in facts.people
            if p.kind is consent.PersonKind.child
            and p.birth_date
            and consent.age_on(p.birth_date, now.date()) >= 12
        }
        if body.by_person_id is None or body.by_person_id not in signatories | children12:
            raise Conflict(
                "Intrekken kan door iedere ondertekenaar, of door het kind vanaf 12 jaar.",
                "Withdrawal is by a signatory, or by the child from 12.",
            )
    event = ConsentEventRow(
        record_id=record_id,
        kind=body.kind,
        at=now,
        by_person_id=body.by_person_id,
        recorded_by=principal.user_id,
        recording_ids=json.dumps([str(r) for r in body.recording_ids])
        if body.recording_ids
        else None,
    )
    db.add(event)
    db.flush()
    audit.record(
        db,
        action="consent_event",
        outcome="success",
        actor=principal,
        family_id=record.family_id,
        object_id=record_id,
        object_type="consent",
        detail={"event": body.kind},
    )
    return ConsentEventPublic.model_validate(event)


def add_signature(
    db: Session,
    principal: audit.Principal,
    record_id: uuid.UUID,
    person_id: uuid.UUID,
    signed_at: datetime,
) -> ConsentPublic:
    """A signature the record still lacks (one parent signed later): added to THAT record, in the
    capacity the rules require. Only a missing signature of a record that still counts is accepted."""
    record = db.get(ConsentRecordRow, record_id)
    if record is None:
        raise NotFound("Toestemming niet gevonden.", "Consent not found.")
    authorize(db, principal, "manage_consent", trajectory_id=record.trajectory_id)
    now = datetime.now(UTC)
    current = next(c for c in overview(db, record.family_id, now) if c["id"] == str(record_id))
    if current["status"] in (
        consent.ConsentStatus.withdrawn,
        consent.ConsentStatus.invalidated,
        consent.ConsentStatus.expired,
    ):
        raise Conflict(
            "Deze toestemming geldt niet meer; leg een nieuwe toestemming vast.",
            "This consent no longer counts; record a new consent.",
        )
    missing = [m for m in current["missing_signatures"] if m["person_id"] == str(person_id)]
    if not missing:
        raise Conflict(
            "Van deze persoon ontbreekt geen handtekening op deze toestemming.",
            "This person's signature is not missing from this consent.",
        )
    db.add(
        ConsentSignatureRow(
            record_id=record_id,
            person_id=person_id,
            capacity=missing[0]["capacity"],
            signed_at=signed_at,
        )
    )
    db.flush()
    audit.record(
        db,
        action="consent_event",
        outcome="success",
        actor=principal,
        family_id=record.family_id,
        object_id=record_id,
        object_type="consent",
        detail={"event": "signed", "purpose": record.purpose},
    )
    updated = next(c for c in overview(db, record.family_id, now) if c["id"] == str(record_id))
    return ConsentPublic.model_validate(updated)


def evidence_record(
    db: Session, principal: audit.Principal, record_id: uuid.UUID
) -> ConsentRecordRow:
    """The consent record, if the principal may manage its consent (decided and logged). Called before
    a byte of the form is read."""
    record = db.get(ConsentRecordRow, record_id)
    if record is None:
        raise NotFound("Toestemming niet gevonden.", "Consent not found.")
    authorize(db, principal, "manage_consent", trajectory_id=record.trajectory_id)
    return record


def save_evidence(
    db: Session, principal: audit.Principal, record: ConsentRecordRow, body: bytes
) -> EvidencePublic:
    """Store the signed form (PDF, JPEG or PNG) encrypted, for a record `evidence_record` returned."""
    if len(body) > MAX_EVIDENCE:
        raise EvidenceTooLarge()
    if not any(body.startswith(magic) for magic in EVIDENCE_TYPES):
        raise UnsupportedEvidence()
    stored = open_store(db, get_settings()).put(
        family_id=record.family_id, kind=ObjectKind.evidence, source=[body]
    )
    record.evidence_object_id = stored.id
    db.add(record)
    audit.record(
        db,
        action="upload",
        outcome="success",
        actor=principal,
        family_id=record.family_id,
        object_id=stored.id,
        object_type="evidence",
    )
    return EvidencePublic(evidence_object_id=stored.id, size=stored.size, sha256=stored.sha256)


def read_evidence(
    db: Session, principal: audit.Principal, record_id: uuid.UUID
) -> tuple[bytes, str]:
    """The signed form and its media type: for the trainer who manages the family's consent (through
    the access seam), or the privacy officer of the family's organisation; every read and every
    refusal is logged."""
    record = db.get(ConsentRecordRow, record_id)
    if record is None or record.evidence_object_id is None:
        raise NotFound("Geen getekend formulier gevonden.", "No signed form found.")
    if principal.role == Role.privacy_officer:
        family = db.get(Family, record.family_id)
        if family is None or family.organisation_id != principal.organisation_id:
            error = NotFound("Geen getekend formulier gevonden.", "No signed form found.")
            error.denial, error.actor, error.audit_reason = True, principal, "other_organisation"
            raise error
        audit.record(
            db,
            action="view",
            outcome="allowed",
            reason="privacy_officer_own_organisation",
            actor=principal,
            family_id=record.family_id,
            object_id=record.evidence_object_id,
            object_type="evidence",
        )
    else:
        authorize(
            db,
            principal,
            "manage_consent",
            trajectory_id=record.trajectory_id,
            object_id=record.evidence_object_id,
            object_type="evidence",
        )
    data = b"".join(open_store(db, get_settings()).iter_plaintext(record.evidence_object_id))
    kind = next(
        (t for magic, t in EVIDENCE_TYPES.items() if data.startswith(magic)),
        "application/octet-stream",
    )
    return data, kind


def create_wok(db: Session, principal: audit.Principal, body: WokSessionCreate) -> WokSessionPublic:
    """An opleider plans a WOK session: at most WOK_MAX_HOURS, for trainers and opleiders only."""
    require_role(principal, Role.opleider)
    if body.ends_at <= body.starts_at:
        raise Conflict("Een bijeenkomst eindigt na het begin.", "A session ends after it starts.")
    if body.ends_at - body.starts_at > timedelta(hours=consent.WOK_MAX_HOURS):
        raise InvalidField(
            "ends_at",
            f"Een WOK-bijeenkomst duurt hoogstens {consent.WOK_MAX_HOURS} uur (ends_at).",
            f"A WOK session lasts at most {consent.WOK_MAX_HOURS} hours (ends_at).",
        )
    for participant in body.participant_ids:
        # Only trainers and opleiders watch in a WOK (ADR 0002); anyone else is refused here already.
        user = db.get(User, participant)
        if user is None or not user.active or user.role not in consent.WOK_ROLES:
            raise InvalidField(
                "participant_ids",
                "Deelnemers aan een WOK zijn trainers en opleiders "
                f"(participant_ids: {participant}).",
                f"WOK participants are trainers and opleiders (participant_ids: {participant}).",
            )
    session = WokSessionRow(
        title=body.title,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        organiser_id=principal.user_id,  # type: ignore[arg-type]  # user_id is None only for the system and parents' download links, which never call this
        participant_ids=json.dumps([str(p) for p in body.participant_ids]),
    )
    db.add(session)
    db.flush()
    audit.record(
        db,
        action="grant",
        outcome="success",
        actor=principal,
        object_id=session.id,
        object_type="wok_session",
    )
    return WokSessionPublic.model_validate(session)


def share_clip(
    db: Session, principal: audit.Principal, session_id: uuid.UUID, clip_id: uuid.UUID
) -> WokSessionPublic:
    """Share a clip in a WOK session (the access seam decides whether its consent allows it)."""
    session = db.get(WokSessionRow, session_id)
    if session is None or db.get(Clip, clip_id) is None:
        raise NotFound("Bijeenkomst of fragment niet gevonden.", "Session or clip not found.")
    authorize(db, principal, "share_to_wok", clip_id=clip_id)
    clips = set(json.loads(session.clip_ids)) | {str(clip_id)}
    session.clip_ids = json.dumps(sorted(clips))
    db.add(session)
    return WokSessionPublic.model_validate(session)


# Supervision notes: a supervisor's time-stamped remark on a clip, for the trainee ---------------------

SUPERVISORS = (Role.opleider, Role.gecommitteerde)
NOTE_MAX = 4000


def clock(seconds: float) -> str:
    """12.5 -> "0:12.5"; whole seconds without a fraction."""
    tenths = int(round(seconds * 10))
    minutes, rest = divmod(tenths, 600)
    text = f"{minutes}:{rest // 10:02d}"
    return text + (f".{rest % 10}" if rest % 10 else "")


def clip_world(db: Session, clip_id: uuid.UUID) -> tuple[Clip, Recording, Trajectory, User | None]:
    """The clip, its recording and trajectory, and the trainee (the trajectory's trainer)."""
    clip = db.get(Clip, clip_id)
    recording = db.get(Recording, clip.recording_id) if clip else None
    trajectory = db.get(Trajectory, recording.trajectory_id) if recording else None
    if clip is None or recording is None or trajectory is None:
        raise NotFound("Fragment niet gevonden.", "Clip not found.")
    return clip, recording, trajectory, db.get(User, trajectory.trainer_id)


def add_note(
    db: Session, principal: audit.Principal, clip_id: uuid.UUID, at_s: float | None, text: str
) -> SupervisionNote:
    """A supervisor who may view the clip (decided and logged) writes a note at a moment in it."""
    require_role(principal, *SUPERVISORS)
    authorize(db, principal, "view", clip_id=clip_id)
    clip, _, trajectory, _ = clip_world(db, clip_id)
    duration, text = clip.end_s - clip.start_s, text.strip()
    if at_s is None or at_s > duration + 0.05:
        raise InvalidField(
            "moment",
            "Geef het moment als minuten:seconden (bijvoorbeeld 0:12) of in seconden, "
            f"tussen 0:00 en {clock(duration)}.",
            "Give the moment as minutes:seconds (e.g. 0:12) "
            f"or in seconds, between 0:00 and {clock(duration)}.",
        )
    if not text:
        raise InvalidField("text", "Schrijf een notitie.", "Write a note.")
    if len(text) > NOTE_MAX:
        raise InvalidField(
            "text",
            f"Een notitie is hoogstens {NOTE_MAX} tekens.",
            f"A note has at most {NOTE_MAX} characters.",
        )
    note = SupervisionNote(
        clip_id=clip_id,
        author_id=principal.user_id,
        text=text,  # type: ignore[arg-type]  # user_id is None only for the system and parents' download links, which never call this
        at_s=round(min(at_s, duration), 2),
    )
    db.add(note)
    db.flush()
    audit.record(
        db,
        action="create",
        outcome="success",
        actor=principal,
        family_id=trajectory.family_id,
        object_id=note.id,
        object_type="supervision_note",
        detail={"clip": str(clip_id)},
    )
    return note


def delete_note(
    db: Session, principal: audit.Principal, clip_id: uuid.UUID, note_id: uuid.UUID
) -> None:
    """Only the note's author deletes it, while they may still view the clip."""
    require_role(principal, *SUPERVISORS)
    authorize(db, principal, "view", clip_id=clip_id)
    _, _, trajectory, _ = clip_world(db, clip_id)
    note = db.get(SupervisionNote, note_id)
    if note is None or note.clip_id != clip_id or note.author_id != principal.user_id:
        raise NotFound(
            "Deze notitie bestaat niet of is niet van u.",
            "This note does not exist or is not yours.",
        )
    db.delete(note)
    audit.record(
        db,
        action="delete",
        outcome="success",
        actor=principal,
        family_id=trajectory.family_id,
        object_id=note_id,
        object_type="supervision_note",
        detail={"clip": str(clip_id)},
    )
