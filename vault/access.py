"""The access seam: the one adapter in front of `consent.decide`. Every route that touches a family's
data asks here, and every answer is logged.

`decide`/`authorize` resolve clip → recording → trajectory → family, load the facts that can matter
(the family's people, gezag, consent records and events; the trainer's supervision links and grants;
the WOK sessions of this viewer into which this clip was shared; who registered the family; whether
the recording is marked for purge), ask `consent.decide`, write the decision to the audit log with its
basis, and raise Forbidden when it is a no. Nothing here decides: an unknown family, trajectory or
recording is `not_found`, an unknown role `unknown_role`, everything else is the engine's answer.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime

from sqlmodel import Session, col, or_, select

import consent
from vault import audit
from vault.consents.models import (
    ConsentEventRow,
    ConsentRecordRow,
    ConsentSignatureRow,
    GrantRow,
    WokSessionRow,
)
from vault.db import keep
from vault.domain.models import SupervisionLink
from vault.errors import Forbidden
from vault.families.models import Authority, Family, Person, Trajectory
from vault.purge.models import PurgeMark
from vault.recordings.models import Clip, Recording

ACTION_TO_AUDIT = {
    consent.Action.view: "view",
    consent.Action.stream: "stream_segment",
    consent.Action.download: "download",
    consent.Action.export: "export",
    consent.Action.upload: "upload",
    consent.Action.clip: "clip",
    consent.Action.share_to_wok: "update",
    consent.Action.mark_for_teaching: "update",
    consent.Action.manage_consent: "consent_event",
    consent.Action.audit_read: "audit_read",
    consent.Action.annotate: "update",
}


def _ids(raw: str | None) -> frozenset[uuid.UUID] | None:
    return None if raw is None else frozenset(uuid.UUID(x) for x in json.loads(raw))


def _utc(moment: datetime) -> datetime:
    """A stored time as an aware one (SQLite gives naive times back; they were written in UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)


def load_facts(db: Session, family_id: uuid.UUID, trainer_id: uuid.UUID | None) -> consent.Facts:
    people = db.exec(select(Person).where(Person.family_id == family_id)).all()
    records = db.exec(select(ConsentRecordRow).where(ConsentRecordRow.family_id == family_id)).all()
    record_ids = [r.id for r in records]
    signatures = (
        db.exec(
            select(ConsentSignatureRow).where(col(ConsentSignatureRow.record_id).in_(record_ids))
        ).all()
        if record_ids
        else []
    )
    events = (
        db.exec(select(ConsentEventRow).where(col(ConsentEventRow.record_id).in_(record_ids))).all()
        if record_ids
        else []
    )
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
                _utc(r.valid_from),
                tuple(
                    consent.Signature(s.person_id, consent.Capacity(s.capacity), _utc(s.signed_at))
                    for s in signatures
                    if s.record_id == r.id
                ),
                _ids(r.recording_ids),
                _aware(r.valid_until),
                r.notice_version,
                r.language,
                consent.Method(r.method),
                r.evidence_object_id,
            )
            for r in records
        ),
        events=tuple(
            consent.ConsentEvent(
                e.id,
                e.record_id,
                consent.EventKind(e.kind),
                _utc(e.at),
                e.by_person_id,
                _ids(e.recording_ids),
            )
            for e in events
        ),
        supervision_links=tuple(
            consent.SupervisionLink(
                s.trainee_id,
                s.opleider_id,
                _aware(s.valid_from),
                _aware(s.valid_until),
                confirmed=s.confirmed_at is not None,
            )
            for s in links
        ),
        grants=tuple(
            consent.GecommitteerdeGrant(
                g.id,
                g.user_id,
                g.trainee_id,
                _utc(g.valid_from),
                _utc(g.valid_until),
                confirmed=g.confirmed_at is not None,
            )
            for g in grants
        ),
    )


def _wok_sessions(
    db: Session, viewer_id: uuid.UUID | None, clip_id: uuid.UUID | None
) -> tuple[consent.WokSession, ...]:
    """The WOK sessions that can matter for this viewer and clip: the clip was shared into them and the
    viewer organises or takes part (a text match on the JSON lists, checked exactly by the engine)."""
    if viewer_id is None or clip_id is None:
        return ()
    viewer, shown = f'"{viewer_id}"', f'"{clip_id}"'
    rows = db.exec(
        select(WokSessionRow).where(
            col(WokSessionRow.clip_ids).contains(shown),
            or_(
                col(WokSessionRow.organiser_id) == viewer_id,
                col(WokSessionRow.participant_ids).contains(viewer),
            ),
        )
    ).all()
    return tuple(
        consent.WokSession(
            w.id,
            _utc(w.starts_at),
            _utc(w.ends_at),
            w.organiser_id,
            _ids(w.participant_ids) or frozenset(),
            _ids(w.clip_ids) or frozenset(),
        )
        for w in rows
    )


def _resource(
    db: Session,
    viewer_id: uuid.UUID | None,
    family_id: uuid.UUID | None,
    trajectory_id: uuid.UUID | None,
    recording_id: uuid.UUID | None,
    clip_id: uuid.UUID | None,
    annotations: bool = False,
    anonymised: bool = False,
) -> consent.Resource | None:
    """Resolve the chain clip → recording → trajectory → family and load its facts; None if any link is
    missing or inconsistent. `annotations`: the trainer's annotations of that recording or clip;
    `anonymised`: the clip's anonymised copy rather than the clip itself."""
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
    facts = replace(
        load_facts(db, family_id, trajectory.trainer_id if trajectory else None),
        wok_sessions=_wok_sessions(db, viewer_id, clip.id if clip else None),
        family_trainers=frozenset(family_trainers(db, family_id))
        if trajectory is None
        else frozenset(),
        purge_pending=frozenset({recording.id})
        if recording and _being_purged(db, recording)
        else frozenset(),
    )
    if trajectory is None:
        return consent.Resource(consent.ResourceKind.family, family_id, facts=facts)
    kind = consent.ResourceKind.clip if clip else consent.ResourceKind.recording
    if annotations and recording is not None:
        kind = consent.ResourceKind.annotation
    elif annotations:
        return None  # annotations belong to a recording: nothing else has any
    return consent.Resource(
        kind,
        family_id,
        trajectory.id,
        trajectory.trainer_id,
        consent.Phase(trajectory.phase),
        recording.id if recording else None,
        _aware(recording.recorded_at) if recording else None,
        clip.id if clip else None,
        facts,
        _purpose(clip.purpose) if clip else None,
        in_view=_ids(clip.in_view) if clip else None,
        others_in_view=bool(clip and clip.others_in_view),
        anonymised=anonymised and clip is not None,
        anonymised_approved=bool(
            clip and clip.anonymised_object_id and clip.anonymised_approved_at
        ),
    )


def _purpose(value: str) -> consent.Purpose:
    """A clip's stored "Doel"; a value the engine does not know is taken as targeted at nobody else."""
    try:
        return consent.Purpose(value)
    except ValueError:
        return consent.Purpose.research


def family_trainers(db: Session, family_id: uuid.UUID) -> set[uuid.UUID]:
    family = db.get(Family, family_id)
    trainers = {
        t.trainer_id for t in db.exec(select(Trajectory).where(Trajectory.family_id == family_id))
    }
    if family is not None:
        trainers.add(family.created_by)
    return trainers


def _being_purged(db: Session, recording: Recording) -> bool:
    """Phase one of a purge marked the recording's original (ADR 0002 decision 7)."""
    return bool(recording.original_object_id and db.get(PurgeMark, recording.original_object_id))


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
    annotations: bool = False,
    anonymised: bool = False,
) -> tuple[consent.Decision, consent.Resource | None]:
    """The decision and the resolved resource, NOT logged: for a listing that shows what it may and logs
    once for the whole page. Showing or opening one item goes through decide() or authorize()."""
    action = consent.Action(action)
    at = at or datetime.now(UTC)
    resource = _resource(
        db,
        principal.user_id,
        family_id,
        trajectory_id,
        recording_id,
        clip_id,
        annotations,
        anonymised,
    )
    if resource is None:
        decision = consent.Decision(False, "not_found", consent.MESSAGES["not_found"])
    elif (role := _role(principal.role)) is None:
        # Fail closed: a role the rules do not know is refused as such, never taken for another.
        decision = consent.Decision(False, "unknown_role", consent.MESSAGES["unknown_role"])
    else:
        actor = consent.Actor(
            principal.user_id or uuid.UUID(int=0), role, principal.organisation_id
        )
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
    annotations: bool = False,
    anonymised: bool = False,
) -> consent.Decision:
    """Decide and log, allowed or denied. Returns the decision; does not raise. `annotations`: about the
    trainer's annotations of the recording or clip rather than its footage; `anonymised`: about the
    clip's anonymised copy rather than the clip itself."""
    action = consent.Action(action)
    at = at or datetime.now(UTC)
    decision, resource = judge(
        db,
        principal,
        action,
        family_id=family_id,
        trajectory_id=trajectory_id,
        recording_id=recording_id,
        clip_id=clip_id,
        at=at,
        annotations=annotations,
        anonymised=anonymised,
    )
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
            "annotation"
            if annotations
            else "clip"
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
    decision = decide(db, principal, action, **target)  # type: ignore[arg-type]  # **target holds keyword arguments of decide(); mypy cannot match object to each
    if not decision.allowed:
        keep(db)  # the denial is logged even though the request fails
        error = Forbidden(
            decision.message, f"Access denied ({decision.reason}).", reason=decision.reason
        )
        error.code = "not_found" if decision.reason == "not_found" else "access_denied"
        if decision.reason == "not_found":
            error.status = 404
        error.logged = True  # decide() logged it, committed above
        raise error
    return decision
