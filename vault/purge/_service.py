"""The purge that really forgets, in two phases so no viewer is cut off mid-token:

1. mark: the due objects are blocked for every reader (access refuses them at once);
2. after the longest token lifetime has passed: delete every stored version, shred the DEKs (and the
   family KEK when nothing of the family remains), write tombstones and a signed deletion certificate
   to the write-once store, and log each purge.

Every step tolerates a re-run, so a purge killed half-way completes on the next run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

import retention
from keys import SigningKey, verify_signature
from vault import audit
from vault.annotations.models import Annotation, AnnotationComment
from vault.consents.models import ConsentEventRow, ConsentRecordRow, SupervisionNote, WokSessionRow
from vault.export.models import Export, ExportStatus
from vault.families.models import Family, Trajectory
from vault.i18n import LOCAL
from vault.purge.models import LegalHoldRow, PurgeMark, Tombstone
from vault.purge.policies import policies_for
from vault.recordings.models import Clip, Recording, Situation
from vault.store import BlobNotFound, ObjectStore, StoredObject

CERTIFICATES = "certificates/"


def _tags(clip: Clip) -> frozenset[retention.Purpose]:
    """The purpose a clip's anonymised copy is kept for: its clip's "Doel" (none: review, as the clip);
    a tag the engine does not know keeps it for nothing, so it goes."""
    try:
        purpose = retention.Purpose(clip.purpose)
    except ValueError:
        return frozenset({retention.Purpose.research})
    return frozenset() if purpose is retention.Purpose.review else frozenset({purpose})


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _ids(raw: str | None) -> frozenset[uuid.UUID] | None:
    return None if raw is None else frozenset(uuid.UUID(x) for x in json.loads(raw))


def family_facts(db: Session, family_id: uuid.UUID, today: date) -> retention.FamilyFacts:
    """Build the retention engine's facts from the tables: which stored object is kept for what."""
    trajectories = db.exec(select(Trajectory).where(Trajectory.family_id == family_id)).all()
    stored = {
        o.id: o for o in db.exec(select(StoredObject).where(StoredObject.family_id == family_id))
    }
    objects: list[retention.StoredObject] = []
    for t in trajectories:
        for rec in db.exec(select(Recording).where(Recording.trajectory_id == t.id)):
            row = stored.get(rec.original_object_id) if rec.original_object_id else None
            if row is not None:
                kind = (
                    retention.Kind.review_recording
                    if rec.situation == Situation.review_with_parents
                    else retention.Kind.original
                )
                objects.append(
                    retention.StoredObject(
                        row.id,
                        kind,
                        t.id,
                        _aware(row.created_at),
                        recording_id=rec.id,
                        size=row.size,
                    )
                )
            proxy = stored.get(rec.proxy_object_id) if rec.proxy_object_id else None
            if proxy is not None:  # purged with its original, under the same rules
                objects.append(
                    retention.StoredObject(
                        proxy.id,
                        retention.Kind.proxy,
                        t.id,
                        _aware(proxy.created_at),
                        recording_id=rec.id,
                        size=proxy.size,
                    )
                )
            for clip in db.exec(select(Clip).where(Clip.recording_id == rec.id)):
                copy = stored.get(clip.anonymised_object_id) if clip.anonymised_object_id else None
                if (
                    copy is not None
                ):  # an anonymised fragment: kept for its clip's purpose (ADR 0017)
                    objects.append(
                        retention.StoredObject(
                            copy.id,
                            retention.Kind.clip,
                            t.id,
                            _aware(copy.created_at),
                            recording_id=rec.id,
                            clip_id=clip.id,
                            purposes=_tags(clip),
                            size=copy.size,
                        )
                    )
        for export in db.exec(select(Export).where(Export.trajectory_id == t.id)):
            package = stored.get(export.object_id) if export.object_id else None
            if package is not None:  # the parents' package at rest is the trajectory's footage, too
                # Its removal day is the one the trainer's page shows (Dutch time): one source.
                expires = (
                    _aware(export.expires_at).astimezone(LOCAL).date()
                    if export.expires_at
                    else None
                )
                objects.append(
                    retention.StoredObject(
                        package.id,
                        retention.Kind.export,
                        t.id,
                        _aware(package.created_at),
                        size=package.size,
                        expires_on=expires,
                    )
                )
    records = db.exec(select(ConsentRecordRow).where(ConsentRecordRow.family_id == family_id)).all()
    consents = []
    for r in records:
        evidence = stored.get(r.evidence_object_id) if r.evidence_object_id else None
        if evidence is not None:
            objects.append(
                retention.StoredObject(
                    evidence.id,
                    retention.Kind.evidence,
                    r.trajectory_id,
                    _aware(evidence.created_at),
                    size=evidence.size,
                )
            )
        # A withdrawal and an invalidation both end what the consent allowed, at once.
        ended = [
            e
            for e in db.exec(select(ConsentEventRow).where(ConsentEventRow.record_id == r.id))
            if e.kind in ("withdrawn", "invalidated")
        ]
        consents.append(
            retention.ConsentFact(
                r.id,
                retention.Purpose(r.purpose),
                r.trajectory_id,
                _ids(r.recording_ids),
                _aware(r.valid_from),
                _aware(r.valid_until) if r.valid_until else None,
                tuple(retention.Withdrawal(_aware(e.at), _ids(e.recording_ids)) for e in ended),
                evidence.id if evidence is not None else None,
            )
        )
    holds = [
        retention.LegalHold(
            h.id, h.reason, str(h.placed_by or "fg"), h.until, h.review_on, _ids(h.object_ids)
        )
        for h in db.exec(select(LegalHoldRow).where(LegalHoldRow.family_id == family_id))
        if h.placed_on <= today and (h.released_on is None or h.released_on > today)
    ]
    shares = [
        retention.WokShare(w.id, _ids(w.clip_ids) or frozenset(), _aware(w.ends_at))
        for w in db.exec(select(WokSessionRow))
        if _ids(w.clip_ids)
    ]
    facts_trajectories = tuple(
        retention.TrajectoryFacts(
            t.id,
            retention.TrajectoryType(t.type),
            retention.Phase(t.phase),
            t.closed_on,
            tuple(d for d in (t.follow_up_1_on, t.follow_up_2_on) if d is not None),
            tuple(
                d
                for d in (t.follow_up_1_on, t.follow_up_2_on)[: t.follow_ups_done]
                if d is not None
            ),
            t.supervision_done_on,
            t.export_handed_over_on,
        )
        for t in trajectories
    )
    return retention.FamilyFacts(
        family_id, facts_trajectories, tuple(objects), tuple(consents), tuple(holds), tuple(shares)
    )


def family_plan(db: Session, family_id: uuid.UUID, today: date) -> retention.PurgePlan:
    family = db.get(Family, family_id)
    policies = policies_for(db, family.organisation_id if family is not None else None)
    return retention.plan(family_facts(db, family_id, today), policies, today)


def marked_objects(db: Session) -> set[uuid.UUID]:
    return {m.object_id for m in db.exec(select(PurgeMark))}


def _statement(certificate: dict[str, object]) -> bytes:
    body = {k: v for k, v in certificate.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def verify_certificate(certificate: dict[str, object], public_key: bytes) -> bool:
    signature = base64.b64decode(str(certificate.get("signature", "")))
    return verify_signature(public_key, _statement(certificate), signature)


def purge_family(
    db: Session,
    store: ObjectStore,
    key: SigningKey,
    family_id: uuid.UUID,
    *,
    now: datetime,
    grace: timedelta,
) -> dict[str, object] | None:
    """Run both phases for one family at `now`; returns the certificate written, if anything was purged."""
    plan = family_plan(db, family_id, now.date())
    marks = {
        m.object_id: m for m in db.exec(select(PurgeMark).where(PurgeMark.family_id == family_id))
    }
    for item in plan.due():
        if item.object_id not in marks:
            mark = PurgeMark(
                object_id=item.object_id,
                family_id=family_id,
                rule=item.rule,
                reason=str(item.reason),
                marked_at=now,
            )
            db.add(mark)
            marks[item.object_id] = mark
            audit.record(
                db,
                action="purge",
                outcome="success",
                reason="blocked_for_purge",
                family_id=family_id,
                object_id=item.object_id,
                object_type="object",
                detail={"rule": item.rule},
            )
    # A hold placed after marking still wins: unmark what is blocked now.
    for item in plan.blocked():
        if item.object_id in marks:
            db.delete(marks.pop(item.object_id))
    db.flush()
    ready = [m for m in marks.values() if _aware(m.marked_at) + grace <= now]
    if not ready:
        return None
    items: list[dict[str, object]] = []
    certificate_id = uuid.uuid4()
    name = f"{CERTIFICATES}{certificate_id}.json"
    for mark in ready:
        row = db.get(StoredObject, mark.object_id)
        tomb = db.get(Tombstone, mark.object_id)
        if row is not None:
            digest: hashlib._Hash | None = (hashed := hashlib.sha256())
            try:
                for piece in store.backend.iter_bytes(row.name):
                    hashed.update(piece)
            except BlobNotFound:
                digest = None  # deleted by an earlier, interrupted run: the hash is no longer known
            if tomb is None:
                tomb = Tombstone(
                    object_id=row.id,
                    family_id=family_id,
                    kind=row.kind,
                    size=row.size,
                    ciphertext_size=row.ciphertext_size,
                    ciphertext_sha256=digest.hexdigest() if digest else "",
                    rule=mark.rule,
                    purged_at=now,
                    certificate=name,
                )
                db.add(tomb)
            versions = store.backend.delete(row.name)
            store.shred_key(row.id)
            db.delete(row)
        else:
            versions = 0
            store.shred_key(mark.object_id)
        for rec in db.exec(select(Recording).where(Recording.original_object_id == mark.object_id)):
            rec.original_object_id = None
            db.add(rec)
            # The supervisors' notes on its clips and the trainer's annotations are the family's data,
            # too: they go with the footage.
            clips = select(Clip.id).where(Clip.recording_id == rec.id)
            notes = select(SupervisionNote).where(col(SupervisionNote.clip_id).in_(clips))
            for note in db.exec(notes).all():
                db.delete(note)
            annotated = select(Annotation.id).where(Annotation.recording_id == rec.id)
            for comment in db.exec(
                select(AnnotationComment).where(col(AnnotationComment.annotation_id).in_(annotated))
            ).all():
                db.delete(comment)
            db.flush()
            for annotation in db.exec(
                select(Annotation).where(Annotation.recording_id == rec.id)
            ).all():
                db.delete(annotation)
        for rec in db.exec(select(Recording).where(Recording.proxy_object_id == mark.object_id)):
            rec.proxy_object_id = None
            db.add(rec)
        for clip in db.exec(select(Clip).where(Clip.anonymised_object_id == mark.object_id)):
            clip.anonymised_object_id = None  # and its approval: an approval is of one copy
            clip.anonymised_approved_by = clip.anonymised_approved_at = None
            db.add(clip)
        for export in db.exec(select(Export).where(Export.object_id == mark.object_id)):
            export.object_id, export.status = None, ExportStatus.removed
            export.link_token_sha256 = export.link_code_hash = None
            db.add(export)
        if tomb is not None:
            items.append(
                {
                    "object_id": str(tomb.object_id),
                    "kind": tomb.kind,
                    "size": tomb.size,
                    "ciphertext_size": tomb.ciphertext_size,
                    "ciphertext_sha256": tomb.ciphertext_sha256,
                    "rule": tomb.rule,
                    "versions_deleted": versions,
                }
            )
        audit.record(
            db,
            action="purge",
            outcome="success",
            reason=mark.rule,
            family_id=family_id,
            object_id=mark.object_id,
            object_type="object",
            detail={"certificate": name},
        )
        db.delete(mark)
    db.flush()
    family_gone = (
        db.exec(select(StoredObject).where(StoredObject.family_id == family_id)).first() is None
    )
    if family_gone:
        store.shred_family(family_id)
        audit.record(
            db,
            action="key_rotation",
            outcome="success",
            reason="family_key_shredded",
            family_id=family_id,
            object_type="family_key",
        )
    certificate: dict[str, object] = {
        "type": "beeldkluis-deletion-certificate-v1",
        "certificate_id": str(certificate_id),
        "family_id": str(family_id),
        "purged_at": now.isoformat(),
        "items": items,
        "family_key_shredded": family_gone,
        "key_id": key.key_id,
    }
    certificate["signature"] = base64.b64encode(key.sign(_statement(certificate))).decode()
    store.backend.put_worm(name, json.dumps(certificate, sort_keys=True).encode())
    return certificate
