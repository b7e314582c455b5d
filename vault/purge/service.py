"""Retention for privacy officers: a family's purge plan, legal holds placed and released, what was
purged, and the signed deletion certificates.

Each function takes a session and the principal, keeps the officer to the families of their own
organisation, logs what they read, and flushes, never commits: the routes (vault/purge/api.py) and the
privacy pages (vault/web/privacy/retention.py) both call these."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from vault import audit
from vault.accounts import require_role
from vault.errors import NotFound
from vault.families.models import Family
from vault.purge import words
from vault.purge._service import CERTIFICATES, family_plan
from vault.purge.models import LegalHoldRow, Tombstone
from vault.purge.schemas import HoldIn
from vault.settings import get_settings
from vault.store import backend_from_settings


def _officer(db: Session, principal: audit.Principal, what: str) -> None:
    require_role(principal, "privacy_officer")
    audit.record(db, action="audit_read", outcome="allowed", actor=principal, object_type=what)


def _own_family(db: Session, principal: audit.Principal, family_id: uuid.UUID) -> None:
    """An officer looks after the families of their own organisation only."""
    require_role(principal, "privacy_officer")
    family = db.get(Family, family_id)
    if family is None or family.organisation_id != principal.organisation_id:
        raise NotFound(
            "Gezin niet gevonden in uw organisatie.", "Family not found in your organisation."
        )


def plan(
    db: Session, principal: audit.Principal, family_id: uuid.UUID, on: date | None, lang: str
) -> dict[str, Any]:
    """The family's purge plan (the fields of RetentionPlan): the machine's facts (ISO dates, rule and
    event codes) and, next to them, the words in `lang`."""
    _own_family(db, principal, family_id)
    _officer(db, principal, "retention_plan")
    result = family_plan(db, family_id, on or datetime.now(UTC).date())
    return {
        "family_id": str(family_id),
        "items": [
            {
                "object_id": str(i.object_id),
                "kind": i.kind.value,
                "due": i.due.isoformat(),
                "rule": i.rule,
                "event": i.reason.event,
                "event_on": i.reason.day.isoformat(),
                "purpose": i.reason.purpose.value if i.reason.purpose else None,
                "reason": words.reason(i.reason, lang),
                "rule_text": words.rule(i.rule, lang),
                "blocked_by": [str(h) for h in i.blocked_by],
            }
            for i in result.items
        ],
        "undated": [str(u.object_id) for u in result.undated],
        "text": words.describe(result, lang),
    }


def place_hold(db: Session, principal: audit.Principal, body: HoldIn) -> LegalHoldRow:
    _own_family(db, principal, body.family_id)
    hold = LegalHoldRow(
        family_id=body.family_id,
        reason=body.reason,
        placed_by=principal.user_id,
        placed_on=datetime.now(UTC).date(),
        object_ids=json.dumps([str(o) for o in body.object_ids]) if body.object_ids else None,
        until=body.until,
        review_on=body.review_on,
    )
    db.add(hold)
    db.flush()
    audit.record(
        db,
        action="configuration_change",
        outcome="success",
        reason="legal_hold_placed",
        actor=principal,
        family_id=body.family_id,
        object_id=hold.id,
        object_type="legal_hold",
    )
    return hold


def release_hold(db: Session, principal: audit.Principal, hold_id: uuid.UUID) -> LegalHoldRow:
    require_role(principal, "privacy_officer")
    hold = db.get(LegalHoldRow, hold_id)
    if hold is None:
        raise NotFound("Bewaarplicht niet gevonden.", "Hold not found.")
    _own_family(db, principal, hold.family_id)
    hold.released_on = datetime.now(UTC).date()
    db.add(hold)
    audit.record(
        db,
        action="configuration_change",
        outcome="success",
        reason="legal_hold_released",
        actor=principal,
        family_id=hold.family_id,
        object_id=hold.id,
        object_type="legal_hold",
    )
    return hold


def purged(db: Session, principal: audit.Principal) -> list[Tombstone]:
    """What was purged in the officer's organisation, oldest first."""
    _officer(db, principal, "purge_report")
    families = select(Family.id).where(Family.organisation_id == principal.organisation_id)
    query = select(Tombstone).where(col(Tombstone.family_id).in_(families))
    return list(db.exec(query.order_by(col(Tombstone.purged_at))))


def certificate(
    db: Session, principal: audit.Principal, certificate_id: uuid.UUID
) -> dict[str, Any]:
    """A signed deletion certificate (the fields of DeletionCertificate), if it is of the officer's
    organisation; BlobNotFound when there is no such certificate."""
    _officer(db, principal, "deletion_certificate")
    found = dict(
        json.loads(
            backend_from_settings(get_settings()).get_worm(f"{CERTIFICATES}{certificate_id}.json")
        )
    )
    _own_family(db, principal, uuid.UUID(str(found.get("family_id"))))
    return found
