"""Consent records, events (withdrawal takes effect at once), evidence, grants and WOK sessions."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, select

import consent
from consent import Role
from vault import audit
from vault.access import authorize, load_facts
from vault.accounts import InvalidField, Principal, require_role
from vault.consents.service import overview
from vault.db import DB
from vault.domain.models import (
    Clip,
    ConsentEventRow,
    ConsentRecordRow,
    ConsentSignatureRow,
    Family,
    Person,
    Trajectory,
    User,
    WokSessionRow,
)
from vault.errors import Conflict, NotFound, VaultError
from vault.routes import public
from vault.settings import get_settings
from vault.store import ObjectKind, open_store

router = APIRouter(tags=["consent"])

EVIDENCE_TYPES = {
    b"%PDF": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG": "image/png",
}
MAX_EVIDENCE = 25 * 1024 * 1024


class SignatureIn(BaseModel):
    person_id: uuid.UUID
    capacity: consent.Capacity
    signed_at: datetime


class ConsentIn(BaseModel):
    purpose: consent.Purpose = Field(examples=["supervision"])
    trajectory_id: uuid.UUID
    recording_ids: list[uuid.UUID] | None = Field(
        default=None, description="Leeg: alle opnames van het traject"
    )
    valid_from: datetime
    valid_until: datetime | None = None
    notice_version: str = "1"
    language: str = "nl"
    method: consent.Method = consent.Method.paper_form
    signatures: list[SignatureIn]


class EventIn(BaseModel):
    kind: consent.EventKind = Field(examples=["withdrawn"])
    by_person_id: uuid.UUID | None = None
    recording_ids: list[uuid.UUID] | None = Field(
        default=None, description="Alleen deze opnames (gedeeltelijke intrekking)"
    )


class WokIn(BaseModel):
    title: str = Field(default="", max_length=200, examples=["WOK regio Noord, november"])
    starts_at: datetime
    ends_at: datetime
    participant_ids: list[uuid.UUID]


class EvidenceTooLarge(VaultError):
    status = 413
    code = "payload_too_large"

    def __init__(self) -> None:
        mb = MAX_EVIDENCE // (1024 * 1024)
        super().__init__(f"Het formulier is te groot (hoogstens {mb} MB).", f"The form is too large (at most {mb} MB).",
                         max_bytes=MAX_EVIDENCE)  # fmt: skip


class UnsupportedEvidence(VaultError):
    status = 415
    code = "unsupported_media_type"

    def __init__(self) -> None:
        super().__init__(
            "Upload het toestemmingsformulier als PDF, JPEG of PNG.",
            "Upload the consent form as PDF, JPEG or PNG.",
        )


@router.post(
    "/families/{family_id}/consents",
    status_code=201,
    summary="Toestemming vastleggen / record consent",
)
def create_consent(
    family_id: uuid.UUID, body: ConsentIn, principal: Principal, db: DB
) -> dict[str, Any]:
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
        family_id=family_id, trajectory_id=body.trajectory_id, purpose=body.purpose,
        recording_ids=json.dumps([str(r) for r in body.recording_ids]) if body.recording_ids is not None else None,
        valid_from=body.valid_from, valid_until=body.valid_until, notice_version=body.notice_version,
        language=body.language, method=body.method, recorded_by=principal.user_id,  # type: ignore[arg-type]
    )  # fmt: skip
    db.add(row)
    db.flush()
    for signature in body.signatures:
        db.add(ConsentSignatureRow(record_id=row.id, **signature.model_dump()))
    db.flush()
    audit.record(db, action="consent_event", outcome="success", actor=principal, family_id=family_id, object_id=row.id,
                 object_type="consent", detail={"event": "given", "purpose": body.purpose})  # fmt: skip
    return next(c for c in overview(db, family_id, datetime.now(UTC)) if c["id"] == str(row.id))


@router.get(
    "/families/{family_id}/consents",
    summary="Overzicht toestemmingen voor de ouders / consent overview",
)
def list_consents(family_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, Any]:
    authorize(db, principal, "manage_consent", family_id=family_id)
    return {"items": overview(db, family_id, datetime.now(UTC))}


@router.post(
    "/consents/{record_id}/events",
    status_code=201,
    summary="Intrekken, herbevestigen… / withdraw, reconfirm…",
)
def add_event(record_id: uuid.UUID, body: EventIn, principal: Principal, db: DB) -> dict[str, Any]:
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
            raise Conflict("Intrekken kan door iedere ondertekenaar, of door het kind vanaf 12 jaar.",
                           "Withdrawal is by a signatory, or by the child from 12.")  # fmt: skip
    event = ConsentEventRow(record_id=record_id, kind=body.kind, at=now, by_person_id=body.by_person_id,
                            recording_ids=json.dumps([str(r) for r in body.recording_ids]) if body.recording_ids else None)  # fmt: skip
    db.add(event)
    db.flush()
    audit.record(db, action="consent_event", outcome="success", actor=principal, family_id=record.family_id, object_id=record_id,
                 object_type="consent", detail={"event": body.kind})  # fmt: skip
    return public(event)


@router.post("/consents/{record_id}/evidence", status_code=201, summary="Getekend formulier uploaden / upload the signed form",
             description="PDF, JPEG of PNG; versleuteld opgeslagen.")  # fmt: skip
async def upload_evidence(
    record_id: uuid.UUID, request: Request, principal: Principal, db: DB
) -> dict[str, Any]:
    """Limits before work: the right is decided (and logged) and the declared size checked before a
    byte of the body is read; the body is then read with a hard cap."""
    from starlette.concurrency import run_in_threadpool

    def decide() -> ConsentRecordRow:
        record = _evidence_record(db, principal, record_id)
        db.commit()  # the decision is logged; no transaction (on SQLite, the write lock) waits for the body
        return record

    record = await run_in_threadpool(decide)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_EVIDENCE:
        raise EvidenceTooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_EVIDENCE:
            raise EvidenceTooLarge()
    return await run_in_threadpool(_save_evidence, db, principal, record, bytes(body))


def _evidence_record(db: Session, principal: audit.Principal, record_id: uuid.UUID) -> ConsentRecordRow:
    """The consent record, if the principal may manage its consent (decided and logged)."""
    record = db.get(ConsentRecordRow, record_id)
    if record is None:
        raise NotFound("Toestemming niet gevonden.", "Consent not found.")
    authorize(db, principal, "manage_consent", trajectory_id=record.trajectory_id)
    return record


def _save_evidence(
    db: Session, principal: audit.Principal, record: ConsentRecordRow, body: bytes
) -> dict[str, Any]:
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
    return {"evidence_object_id": str(stored.id), "size": stored.size, "sha256": stored.sha256}


@router.get("/consents/{record_id}/evidence", summary="Getekend formulier inzien / read the signed form",
            response_class=Response, responses={200: {"content": {t: {} for t in EVIDENCE_TYPES.values()}}},
            description="Voor de trainer van het gezin en de privacy officer van de organisatie; de inzage wordt gelogd.")  # fmt: skip
def read_evidence(record_id: uuid.UUID, principal: Principal, db: DB) -> Response:
    """The trainer who manages the family's consent (through the access seam), or the privacy officer of
    the family's organisation; every read and every refusal is logged."""
    record = db.get(ConsentRecordRow, record_id)
    if record is None or record.evidence_object_id is None:
        raise NotFound("Geen getekend formulier gevonden.", "No signed form found.")
    if principal.role == Role.privacy_officer:
        family = db.get(Family, record.family_id)
        if family is None or family.organisation_id != principal.organisation_id:
            error = NotFound("Geen getekend formulier gevonden.", "No signed form found.")
            error.denial, error.actor, error.audit_reason = True, principal, "other_organisation"
            raise error
        audit.record(db, action="view", outcome="allowed", reason="privacy_officer_own_organisation", actor=principal,
                     family_id=record.family_id, object_id=record.evidence_object_id, object_type="evidence")  # fmt: skip
    else:
        authorize(db, principal, "manage_consent", trajectory_id=record.trajectory_id,
                  object_id=record.evidence_object_id, object_type="evidence")  # fmt: skip
    data = b"".join(open_store(db, get_settings()).iter_plaintext(record.evidence_object_id))
    kind = next((t for magic, t in EVIDENCE_TYPES.items() if data.startswith(magic)), "application/octet-stream")
    return Response(data, media_type=kind, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                                                    "Content-Disposition": 'attachment; filename="toestemming"'})  # fmt: skip


@router.post(
    "/wok-sessions", status_code=201, summary="WOK-bijeenkomst plannen / plan a WOK session"
)
def create_wok(body: WokIn, principal: Principal, db: DB) -> dict[str, Any]:
    require_role(principal, Role.opleider)
    if body.ends_at <= body.starts_at:
        raise Conflict("Een bijeenkomst eindigt na het begin.", "A session ends after it starts.")
    if body.ends_at - body.starts_at > timedelta(hours=consent.WOK_MAX_HOURS):
        raise InvalidField("ends_at", f"Een WOK-bijeenkomst duurt hoogstens {consent.WOK_MAX_HOURS} uur (ends_at).",
                           f"A WOK session lasts at most {consent.WOK_MAX_HOURS} hours (ends_at).")  # fmt: skip
    for participant in body.participant_ids:
        # Only trainers and opleiders watch in a WOK (ADR 0002); anyone else is refused here already.
        user = db.get(User, participant)
        if user is None or not user.active or user.role not in consent.WOK_ROLES:
            raise InvalidField("participant_ids", "Deelnemers aan een WOK zijn trainers en opleiders "
                               f"(participant_ids: {participant}).", "WOK participants are trainers and "
                               f"opleiders (participant_ids: {participant}).")  # fmt: skip
    session = WokSessionRow(title=body.title, starts_at=body.starts_at, ends_at=body.ends_at, organiser_id=principal.user_id,  # type: ignore[arg-type]
                            participant_ids=json.dumps([str(p) for p in body.participant_ids]))  # fmt: skip
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
    return public(session)


@router.post(
    "/wok-sessions/{session_id}/clips/{clip_id}",
    status_code=201,
    summary="Fragment delen in WOK / share a clip",
)
def share_clip(
    session_id: uuid.UUID, clip_id: uuid.UUID, principal: Principal, db: DB
) -> dict[str, Any]:
    session = db.get(WokSessionRow, session_id)
    if session is None or db.get(Clip, clip_id) is None:
        raise NotFound("Bijeenkomst of fragment niet gevonden.", "Session or clip not found.")
    authorize(db, principal, "share_to_wok", clip_id=clip_id)
    clips = set(json.loads(session.clip_ids)) | {str(clip_id)}
    session.clip_ids = json.dumps(sorted(clips))
    db.add(session)
    return public(session)
