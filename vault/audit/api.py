"""/audit for privacy officers: reports (JSON, CSV, FHIR), anomalies, verification. Reading is logged."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from sqlmodel import Session

from vault import audit
from vault.accounts import Principal, require_role
from vault.db import DB
from vault.settings import get_settings
from vault.store import backend_from_settings

router = APIRouter(prefix="/audit", tags=["audit"])


def _officer(db: Session, principal: audit.Principal, what: str, **detail: str) -> None:
    require_role(principal, "privacy_officer")
    audit.record(
        db, action="audit_read", outcome="allowed", actor=principal, object_type=what, detail=detail
    )


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


@router.get("/families/{family_id}", summary="Alles rond één gezin / everything about one family")
def family(
    family_id: uuid.UUID,
    principal: Principal,
    db: DB,
    fmt: Format = "json",
    since: datetime | None = None,
) -> Any:
    _officer(db, principal, "family_report", family_id=str(family_id))
    return _render(audit.family_report(db, family_id, since=since), fmt)


@router.get(
    "/employees/{user_id}", summary="Alles van één medewerker / everything one employee did"
)
def employee(
    user_id: uuid.UUID,
    principal: Principal,
    db: DB,
    fmt: Format = "json",
    since: datetime | None = None,
) -> Any:
    _officer(db, principal, "employee_report", user_id=str(user_id))
    return _render(audit.employee_report(db, user_id, since=since), fmt)


@router.get("/denied", summary="Geweigerde pogingen / denied attempts")
def denied(
    principal: Principal, db: DB, fmt: Format = "json", since: datetime | None = None
) -> Any:
    _officer(db, principal, "denied_report")
    return _render(audit.denied_report(db, since=since), fmt)


@router.get("/anomalies", summary="Signalen / anomaly signals")
def anomalies(principal: Principal, db: DB, since: datetime | None = None) -> dict[str, Any]:
    _officer(db, principal, "anomalies")
    return {"items": audit.anomalies(db, since=since)}


@router.post("/verify", summary="Controleer de keten / verify the chain")
def verify(principal: Principal, db: DB) -> dict[str, Any]:
    from keys import LocalSigningKey

    _officer(db, principal, "verify")
    settings = get_settings()
    key = LocalSigningKey.open_or_create(settings.signing_key_file)
    report = audit.verify(db, backend_from_settings(settings), key.public_bytes())
    return {
        "ok": report.ok,
        "records": report.records,
        "checkpoints": report.checkpoints,
        "first_bad_seq": report.first_bad_seq,
        "problems": report.problems,
    }


@router.get("/records/{seq}/proof", summary="Bewijs van opname in de log / inclusion proof")
def proof(seq: int, principal: Principal, db: DB) -> dict[str, object]:
    _officer(db, principal, "inclusion_proof", seq=str(seq))
    return audit.inclusion(db, seq)
