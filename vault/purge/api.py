"""/retention for privacy officers: the plan, legal holds, deletion certificates."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlmodel import Session, col, select

from vault import audit
from vault.accounts import Principal, require_role
from vault.db import DB
from vault.errors import NotFound
from vault.families.models import Family
from vault.pages import language
from vault.purge import words
from vault.purge._service import CERTIFICATES, family_plan
from vault.purge.models import LegalHoldRow, Tombstone
from vault.purge.schemas import (
    DeletionCertificate,
    HoldIn,
    LegalHoldPublic,
    RetentionPlan,
    TombstonePublic,
    Tombstones,
)
from vault.routes import operation_ids, problems
from vault.settings import get_settings
from vault.store import backend_from_settings

router = APIRouter(
    prefix="/retention",
    tags=["retention"],
    generate_unique_id_function=operation_ids("retention"),
    responses=problems(401, 403),
)
__all__ = ["HoldIn", "router"]  # HoldIn: the privacy pages place a hold with it


def _published(schema: type[LegalHoldPublic | TombstonePublic], row: object) -> dict[str, Any]:
    """A row as JSON through its Public schema (the web pages read the same dict)."""
    return schema.model_validate(row).model_dump(mode="json")


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


@router.get(
    "/plan/{family_id}",
    summary="Bewaarplan van een gezin / a family's purge plan",
    response_model=RetentionPlan,
    responses=problems(404, 422),
)
def plan(
    family_id: uuid.UUID,
    principal: Principal,
    db: DB,
    on: date | None = None,
    lang: Annotated[str, Depends(language)] = "nl",
) -> dict[str, Any]:
    """The machine's facts (ISO dates, rule and event codes) and, next to them, the words in the
    request's language (`lang` cookie or Accept-Language)."""
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


@router.post(
    "/holds",
    status_code=201,
    summary="Bewaarplicht opleggen / place a legal hold",
    response_model=LegalHoldPublic,
    responses=problems(404, 422),
)
def place_hold(body: HoldIn, principal: Principal, db: DB) -> dict[str, Any]:
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
    return _published(LegalHoldPublic, hold)


@router.post(
    "/holds/{hold_id}/release",
    summary="Bewaarplicht opheffen / release a hold",
    response_model=LegalHoldPublic,
    responses=problems(404, 422),
)
def release_hold(hold_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, Any]:
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
    return _published(LegalHoldPublic, hold)


@router.get(
    "/purged", summary="Wat is wanneer verwijderd / what was purged when", response_model=Tombstones
)
def purged(principal: Principal, db: DB) -> dict[str, Any]:
    _officer(db, principal, "purge_report")
    families = select(Family.id).where(Family.organisation_id == principal.organisation_id)
    query = select(Tombstone).where(col(Tombstone.family_id).in_(families))
    return {
        "items": [
            _published(TombstonePublic, t)
            for t in db.exec(query.order_by(col(Tombstone.purged_at)))
        ]
    }


@router.get(
    "/certificates/{certificate_id}",
    summary="Verwijderingscertificaat / deletion certificate",
    response_model=DeletionCertificate,
    responses=problems(404, 422),
)
def certificate(certificate_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, Any]:
    _officer(db, principal, "deletion_certificate")
    found = dict(
        json.loads(
            backend_from_settings(get_settings()).get_worm(f"{CERTIFICATES}{certificate_id}.json")
        )
    )
    _own_family(db, principal, uuid.UUID(str(found.get("family_id"))))
    return found
