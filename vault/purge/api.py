"""/retention for privacy officers: the plan, legal holds, deletion certificates."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from vault.accounts import Principal
from vault.db import DB
from vault.pages import language
from vault.purge import service
from vault.purge.schemas import (
    DeletionCertificate,
    HoldIn,
    LegalHoldPublic,
    RetentionPlan,
    TombstonePublic,
    Tombstones,
)
from vault.routes import operation_ids, problems

router = APIRouter(
    prefix="/retention",
    tags=["retention"],
    generate_unique_id_function=operation_ids("retention"),
    responses=problems(401, 403),
)


def _published(schema: type[LegalHoldPublic | TombstonePublic], row: object) -> dict[str, Any]:
    """A row as JSON through its Public schema (the web pages read the same dict)."""
    return schema.model_validate(row).model_dump(mode="json")


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
    return service.plan(db, principal, family_id, on, lang)


@router.post(
    "/holds",
    status_code=201,
    summary="Bewaarplicht opleggen / place a legal hold",
    response_model=LegalHoldPublic,
    responses=problems(404, 422),
)
def place_hold(body: HoldIn, principal: Principal, db: DB) -> dict[str, Any]:
    return _published(LegalHoldPublic, service.place_hold(db, principal, body))


@router.post(
    "/holds/{hold_id}/release",
    summary="Bewaarplicht opheffen / release a hold",
    response_model=LegalHoldPublic,
    responses=problems(404, 422),
)
def release_hold(hold_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, Any]:
    return _published(LegalHoldPublic, service.release_hold(db, principal, hold_id))


@router.get(
    "/purged", summary="Wat is wanneer verwijderd / what was purged when", response_model=Tombstones
)
def purged(principal: Principal, db: DB) -> dict[str, Any]:
    return {"items": [_published(TombstonePublic, t) for t in service.purged(db, principal)]}


@router.get(
    "/certificates/{certificate_id}",
    summary="Verwijderingscertificaat / deletion certificate",
    response_model=DeletionCertificate,
    responses=problems(404, 422),
)
def certificate(certificate_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, Any]:
    return service.certificate(db, principal, certificate_id)
