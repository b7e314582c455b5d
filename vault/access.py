"""The access seam: every route that touches a family's data asks here, and every answer is logged.

`authorize` loads the family's facts (people, gezag, consent records and events, supervision links,
grants, WOK sessions), asks `consent.decide`, writes the decision to the audit log with its basis,
and raises Forbidden when it is a no. Deny by default: an unknown family, trajectory or recording
is a no, too.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlmodel import Session, select

import consent
from vault import audit
from vault.domain.models import (
    Authority,
    Clip,
    ConsentEventRow,
    ConsentRecordRow,
    ConsentSignatureRow,
    Family,
    GrantRow,
    Person,
    Recording,
    SupervisionLink,
    Trajectory,
    WokSessionRow,
)
from vault.errors import Forbidden
from vault.purge.models import PurgeMark

ACTION_TO_AUDIT = {
    consent.Action.view: "view",
    consent.Action.stream: "stream_segment",
    consent.Action.download: "download",
    consent.Action.export: "export",
    consent.Action.upload: "upload",
    consent.Action.clip: "clip",
    consent.Action.share_to_wok: "update",
    consent.Action.manage_consent: "consent_event",
    consent.Action.audit_read: "audit_read",
}


# Family-level data (the family itself, its people and gezag) belongs to the trainers who registered
# the family or hold a trajectory of it.
FAMILY_LEVEL = frozenset({consent.Action.view, consent.Action.manage_consent})


def _ids(raw: str | None) -> frozenset[uuid.UUID] | None:
    return None if raw is None else frozenset(uuid.UUID(x) for x in json.loads(raw))


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def load_facts(db: Session, family_id: uuid.UUID, trainer_id: uuid.UUID | None) -> consent.Facts:
    people = db.exec(select(Person).where(Person.family_id == family_id)).all()
    records = db.exec(select(ConsentRecordRow).where(ConsentRecordRow.family_id == family_id)).all()
    record_ids = [r.id for r in records]
    signatures = (
        db.exec(
            select(ConsentSignatureRow).where(ConsentSignatureRow.record_id.in_(record_ids))
        ).all()
        if record_ids
        else []
    )  # type: ignore[attr-defined]
    events = (
        db.exec(select(ConsentEventRow).where(ConsentEventRow.record_id.in_(record_ids))).all()
        if record_ids
        else []
    )  # type: ignore[attr-defined]
    links = (
        db.exec(select(SupervisionLink).where(SupervisionLink.trainee_id == trainer_id)).all()
        if trainer_id
        else []
    )
    grants = (
        db.exec(select(GrantRow).where(GrantRow.trainee_id == trainer_id)).all()
        if trainer_id
        else []
    )
    sessions = db.exec(select(WokSessionRow)).all()
    return consent.Facts(
        people=tuple(
            consent.Person(p.id, consent.PersonKind(p.kind), p.birth_date, p.competent)
            for p in people
        ),
        authorities=tuple(
            consent.Authority(a.child_id, a.parent_id, a.source, a.checked_on)
            for a in db.exec(select(Authority).where(Authority.family_id == family_id))
        ),
        consents=tuple(
            consent.ConsentRecord(
                r.id,
                r.family_id,
                consent.Purpose(r.purpose),
                r.trajectory_id,
                _aware(r.valid_from),  # type: ignore[arg-type]
                tuple(
                    consent.Signature(
                        s.person_id, consent.Capacity(s.capacity), _aware(s.signed_at)
                    )
                    for s in signatures
                    if s.record_id == r.id
                ),  # type: ignore[arg-type]
                _ids(r.recording_ids),
                _aware(r.valid_until),
                r.notice_version,
                r.language,
                consent.Method(r.method),
                r.evidence_object_id,
            )
            for r in records
        ),  # fmt: skip
        events=tuple(
            consent.ConsentEvent(
                e.id,
                e.record_id,
                consent.EventKind(e.kind),
                _aware(e.at),
                e.by_person_id,
                _ids(e.recording_ids),
            )  # type: ignore[arg-type]
            for e in events
        ),
        supervision_links=tuple(
            consent.SupervisionLink(
                s.trainee_id, s.opleider_id, _aware(s.valid_from), _aware(s.valid_until),
                confirmed=s.confirmed_at is not None,
            )
            for s in links
        ),
        grants=tuple(
            consent.GecommitteerdeGrant(
                g.id, g.user_id, g.trainee_id, _aware(g.valid_from), _aware(g.valid_until),
                confirmed=g.confirmed_at is not None,
            )
            for g in grants
        ),  # type: ignore[arg-type]
        wok_sessions=tuple(
            consent.WokSession(
                w.id,
                _aware(w.starts_at),
                _aware(w.ends_at),
                w.organiser_id,
                _ids(w.participant_ids) or frozenset(),
                _ids(w.clip_ids) or frozenset(),
            )  # type: ignore[arg-type]
            for w in sessions
        ),
    )


def _resource(db: Session, family_id: uuid.UUID | None, trajectory_id: uuid.UUID | None,
              recording_id: uuid.UUID | None, clip_id: uuid.UUID | None) -> consent.Resource | None:  # fmt: skip
    """Resolve the chain clip → recording → trajectory → family; None if any link is missing or inconsistent."""
    clip = db.get(Clip, clip_id) if clip_id else None
    if clip_id and clip is None:
        return None
    recording_id = recording_id or (clip.recording_id if clip else None)
    recording = db.get(Recording, recording_id) if recording_id else None
    if recording_id and (recording is None or (clip and clip.recording_id != recording_id)):
        return None
    trajectory_id = trajectory_id or (recording.trajectory_id if recording else None)
    trajectory = db.get(Trajectory, trajectory_id) if trajectory_id else None
    if trajectory_id and (
        trajectory is None or (recording and recording.trajectory_id != trajectory_id)
    ):
        return None
    family_id = family_id or (trajectory.family_id if trajectory else None)
    if (
        family_id is None
        or db.get(Family, family_id) is None
        or (trajectory and trajectory.family_id != family_id)
    ):
        return None
    kind = consent.ResourceKind.clip if clip else consent.ResourceKind.recording
    return consent.Resource(
        kind, family_id, trajectory.id if trajectory else None, trajectory.trainer_id if trajectory else None,
        consent.Phase(trajectory.phase) if trajectory else None, recording.id if recording else None,
        _aware(recording.recorded_at) if recording else None, clip.id if clip else None,
        load_facts(db, family_id, trajectory.trainer_id if trajectory else None),
    )  # fmt: skip


def family_trainers(db: Session, family_id: uuid.UUID) -> set[uuid.UUID]:
    family = db.get(Family, family_id)
    trainers = {
        t.trainer_id for t in db.exec(select(Trajectory).where(Trajectory.family_id == family_id))
    }
    if family is not None:
        trainers.add(family.created_by)
    return trainers


def _being_purged(db: Session, recording_id: uuid.UUID) -> bool:
    recording = db.get(Recording, recording_id)
    return bool(
        recording
        and recording.original_object_id
        and db.get(PurgeMark, recording.original_object_id)
    )


def _role(value: str) -> consent.Role | None:
    """The principal's account role; None for anything else (a WOK viewer is decided, never held)."""
    try:
        return consent.account_role(value)
    except ValueError:
        return None


def judge(
    db: Session,
    principal: audit.Principal,
    action: consent.Action | str,
    *,
    family_id: uuid.UUID | None = None,
    trajectory_id: uuid.UUID | None = None,
    recording_id: uuid.UUID | None = None,
    clip_id: uuid.UUID | None = None,
    at: datetime | None = None,
) -> tuple[consent.Decision, consent.Resource | None]:
    """The decision and the resolved resource, NOT logged: for a listing that shows what it may and logs
    once for the whole page. Showing or opening one item goes through decide() or authorize()."""
    action = consent.Action(action)
    at = at or datetime.now(UTC)
    resource = _resource(db, family_id, trajectory_id, recording_id, clip_id)
    if resource is None:
        decision = consent.Decision(False, "not_found", "Niet gevonden of geen toegang.")
    elif (role := _role(principal.role)) is None:
        # Fail closed: a role the rules do not know is refused as such, never taken for another.
        decision = consent.Decision(False, "unknown_role", consent.MESSAGES["unknown_role"])
    else:
        actor = consent.Actor(
            principal.user_id or uuid.UUID(int=0), role, principal.organisation_id
        )
        if (
            resource.trajectory_id is None
            and principal.role == "trainer"
            and action in FAMILY_LEVEL
        ):
            # Family-level data before any trajectory exists: the trainer who registered the family.
            allowed = principal.user_id in family_trainers(db, resource.family_id)  # type: ignore[arg-type]
            decision = consent.Decision(allowed, "allowed" if allowed else "not_assigned", consent.MESSAGES["allowed" if allowed else "not_assigned"],
                                        (f"registered:{resource.family_id}",) if allowed else ())  # fmt: skip
        elif resource.recording_id is not None and _being_purged(db, resource.recording_id):
            decision = consent.Decision(
                False, "purge_pending", "Deze opname wordt verwijderd volgens het bewaarbeleid."
            )
        else:
            # WOK participation (trainers and opleiders only) is part of consent.decide itself.
            decision = consent.decide(actor, action, resource, at)
    return decision, resource


def decide(
    db: Session,
    principal: audit.Principal,
    action: consent.Action | str,
    *,
    family_id: uuid.UUID | None = None,
    trajectory_id: uuid.UUID | None = None,
    recording_id: uuid.UUID | None = None,
    clip_id: uuid.UUID | None = None,
    at: datetime | None = None,
    object_id: uuid.UUID | str | None = None,
    object_type: str | None = None,
) -> consent.Decision:
    """Decide and log, allowed or denied. Returns the decision; does not raise."""
    action = consent.Action(action)
    at = at or datetime.now(UTC)
    decision, resource = judge(db, principal, action, family_id=family_id, trajectory_id=trajectory_id,
                               recording_id=recording_id, clip_id=clip_id, at=at)  # fmt: skip
    audit.record(
        db,
        action=ACTION_TO_AUDIT[action],
        outcome="allowed" if decision.allowed else "denied",
        reason=decision.reason,
        actor=principal,
        family_id=resource.family_id if resource else None,
        object_id=object_id or clip_id or recording_id or trajectory_id or family_id,
        object_type=object_type
        or (
            "clip"
            if clip_id
            else "recording"
            if recording_id
            else "trajectory"
            if trajectory_id
            else "family"
        ),
        basis=decision.basis,
        occurred_at=at,
    )
    return decision


def authorize(
    db: Session, principal: audit.Principal, action: consent.Action | str, **target: object
) -> consent.Decision:
    """decide(), raising Forbidden (403, Dutch message, stable code) on a no."""
    decision = decide(db, principal, action, **target)  # type: ignore[arg-type]
    if not decision.allowed:
        db.commit()  # the denial is logged even though the request fails
        error = Forbidden(
            decision.message, f"Access denied ({decision.reason}).", reason=decision.reason
        )
        error.code = "not_found" if decision.reason == "not_found" else "access_denied"
        if decision.reason == "not_found":
            error.status = 404
        error.logged = True  # decide() logged it, committed above
        raise error
    return decision
