"""/audit for privacy officers: reports (JSON, CSV, FHIR), anomalies, verification. Reading is logged."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, Field

from vault import audit
from vault.accounts import Principal, require_role
from vault.audit import _review as review
from vault.audit import service
from vault.audit._publish import describe, public_key
from vault.audit.schemas import (
    AuditRecordPublic,
    AuditReport,
    ConsistencyProof,
    FhirBundle,
    InclusionProof,
    PublicKey,
    ReviewSignedOff,
    ReviewTask,
    Signals,
    VerifyResult,
)
from vault.db import DB
from vault.errors import NotFound, VaultError
from vault.families.models import Family
from vault.routes import MAX_SEQ, Offset, Page, operation_ids, problems
from vault.settings import get_settings
from vault.store import backend_from_settings

router = APIRouter(
    prefix="/audit", tags=["audit"], generate_unique_id_function=operation_ids("audit")
)


class BadRequest(VaultError):
    code = "invalid_period"


def _render(rows: list[audit.AuditRecord], fmt: str) -> Any:
    if fmt == "csv":
        return PlainTextResponse(audit.to_csv(rows), media_type="text/csv")
    if fmt == "fhir":
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": audit.fhir_audit_event(r)} for r in rows],
        }
    return {"items": [audit.as_dict(r) for r in rows], "total": len(rows)}


Format = Annotated[str, Query(pattern="^(json|csv|fhir)$")]
# `fmt=json` the records, `fmt=fhir` a FHIR R5 Bundle, `fmt=csv` the records as CSV.
REPORT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "json, fhir or csv",
    }
}


@router.get(
    "/families/{family_id}",
    summary="Alles rond één gezin / everything about one family",
    response_model=AuditReport | FhirBundle,
    responses={**REPORT, **problems(401, 403, 404, 422)},
)
def family(
    family_id: uuid.UUID,
    principal: Principal,
    db: DB,
    fmt: Format = "json",
    since: datetime | None = None,
) -> Any:
    return _render(service.family_records(db, principal, family_id, since), fmt)


@router.get(
    "/families/{family_id}/readable",
    summary="Leesbaar toegangsoverzicht voor ouders / readable report for parents",
    response_class=HTMLResponse,
    responses=problems(401, 403, 404, 422),
)
def family_readable(
    family_id: uuid.UUID, principal: Principal, db: DB, since: datetime | None = None
) -> HTMLResponse:
    """Print-ready, in Dutch and Dutch time, for an art. 15 request: one line per viewing session."""
    family = db.get(Family, family_id)
    service.own(db, principal, family)
    service.officer(db, principal, "family_readable_report", family_id=str(family_id))
    grouped = audit.access_report(db, family_id, since=since)
    label = f"gezin {family.code}" if family is not None else "uw gezin"
    return HTMLResponse(audit.access_report_html(label, grouped, datetime.now(UTC)))


@router.get(
    "/employees/{user_id}",
    summary="Alles van één medewerker / everything one employee did",
    response_model=AuditReport | FhirBundle,
    responses={**REPORT, **problems(401, 403, 404, 422)},
)
def employee(
    user_id: uuid.UUID,
    principal: Principal,
    db: DB,
    fmt: Format = "json",
    since: datetime | None = None,
) -> Any:
    return _render(service.employee_records(db, principal, user_id, since), fmt)


@router.get(
    "/records",
    summary="Het logboek doorzoeken / search the log",
    response_model=Page[AuditRecordPublic],
    responses=problems(401, 403, 422),
)
def records(
    principal: Principal,
    db: DB,
    family_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    action: audit.AuditAction | None = None,
    outcome: audit.Outcome | None = None,
    seq: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Newest first, within the officer's organisation; the read is logged after the search, so the
    answer shows the log as it was before this read."""
    rows, total = service.search(
        db,
        principal,
        family_id=family_id,
        user_id=user_id,
        action=action,
        outcome=outcome,
        seq=seq,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return {
        "items": [audit.as_dict(r) for r in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.get(
    "/denied",
    summary="Geweigerde pogingen / denied attempts",
    response_model=AuditReport | FhirBundle,
    responses={**REPORT, **problems(401, 403, 422)},
)
def denied(
    principal: Principal, db: DB, fmt: Format = "json", since: datetime | None = None
) -> Any:
    service.officer(db, principal, "denied_report")
    return _render(audit.denied_report(db, principal.organisation_id, since=since), fmt)


@router.get(
    "/anomalies",
    summary="Signalen / anomaly signals",
    response_model=Signals,
    responses=problems(401, 403, 422),
)
def anomalies(principal: Principal, db: DB, since: datetime | None = None) -> dict[str, Any]:
    return {"items": service.anomalies(db, principal, since)}


class ReviewSignOff(BaseModel):
    since: datetime = Field(alias="from")
    until: datetime
    conclusion: str = Field(min_length=10, max_length=4000)
    sample: list[int] = Field(default_factory=list, max_length=500)


@router.get(
    "/review",
    summary="De logcontrole van deze periode / this period's log review",
    response_model=ReviewTask,
    responses=problems(401, 403, 404, 422),
)
def review_task(
    principal: Principal, db: DB, sample: Annotated[int, Query(ge=0, le=200)] = 20
) -> dict[str, Any]:
    """The period since the last review, its signals and a random sample of footage accesses to look at."""
    service.officer(db, principal, "log_review_task")
    if principal.organisation_id is None:
        raise NotFound("Geen organisatie.", "No organisation.")
    return review.review_task(
        db, principal.organisation_id, datetime.now(UTC), service.review_every(), sample
    )


@router.post(
    "/review",
    summary="Logcontrole afronden en ondertekenen / sign off the log review",
    response_model=ReviewSignedOff,
    responses=problems(400, 401, 403, 404, 422),
)
def review_sign_off(body: ReviewSignOff, principal: Principal, db: DB) -> dict[str, Any]:
    """The conclusion is a record in the log itself, covered by the next signed checkpoint."""
    require_role(principal, "privacy_officer")
    organisation = principal.organisation_id
    if organisation is None:
        raise NotFound("Geen organisatie.", "No organisation.")
    now = datetime.now(UTC)
    if not body.since < body.until <= now + timedelta(minutes=1):
        raise BadRequest("De periode klopt niet.", "The period is not valid.")
    signals = len(audit.anomalies(db, since=body.since, organisation_id=organisation))
    row = review.finish_review(
        db,
        principal,
        since=body.since,
        until=body.until,
        conclusion=body.conclusion,
        signals=signals,
        sample=body.sample,
    )
    return {
        "seq": row.seq,
        "signed_off_by": principal.name,
        **review.due(db, organisation, now, service.review_every()),
    }


@router.get(
    "/verify",
    summary="Controleer de keten / verify the chain",
    response_model=VerifyResult,
    responses=problems(401, 403, 422, 503),
)
def verify_get(
    principal: Principal,
    db: DB,
    start: Annotated[str | None, Query(alias="from")] = None,
    incremental: bool = False,
) -> dict[str, Any]:
    return service.verify(db, principal, start, incremental)


@router.post(
    "/verify",
    summary="Controleer de keten / verify the chain",
    response_model=VerifyResult,
    responses=problems(401, 403, 422, 503),
)
def verify(
    principal: Principal,
    db: DB,
    start: Annotated[str | None, Query(alias="from")] = None,
    incremental: bool = False,
) -> dict[str, Any]:
    return service.verify(db, principal, start, incremental)


@router.get(
    "/public-key",
    summary="De publieke sleutel van de checkpoints / the checkpoints' public key",
    response_model=PublicKey,
    responses=problems(503),
)
def published_key() -> dict[str, str]:
    """Public: anyone holding a checkpoint or a deletion certificate may check its signature with this."""
    return describe(public_key(get_settings()))


@router.get(
    "/records/{seq}/proof",
    summary="Bewijs van opname onder een ondertekend checkpoint / inclusion proof",
    response_model=InclusionProof,
    responses=problems(401, 403, 404, 422, 503),
)
def proof(
    seq: Annotated[int, Path(ge=0, le=MAX_SEQ)],
    principal: Principal,
    db: DB,
    checkpoint: str | None = None,
) -> dict[str, object]:
    service.officer(db, principal, "inclusion_proof", seq=str(seq), checkpoint=checkpoint or "")
    if db.get(audit.AuditRecord, seq) is None:  # past the end (or not written yet)
        raise NotFound("Geen logregel met dit nummer.", "No log record with this number.")
    settings = get_settings()
    return audit.inclusion(
        db,
        seq,
        backend=backend_from_settings(settings),
        public_key=public_key(settings),
        checkpoint_name=checkpoint,
    )


@router.get(
    "/proofs/consistency",
    summary="Bewijs dat de log alleen groeide / consistency proof",
    response_model=ConsistencyProof,
    responses=problems(401, 403, 404, 422, 503),
)
def consistency(
    principal: Principal,
    db: DB,
    first: Annotated[str, Query(alias="from")],
    second: Annotated[str, Query(alias="to")],
) -> dict[str, object]:
    service.officer(db, principal, "consistency_proof", first=first, second=second)
    settings = get_settings()
    return audit.consistency(
        db, backend_from_settings(settings), public_key(settings), first, second
    )
