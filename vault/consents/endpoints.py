"""The consent domain's HTTP routes: parse, call vault.consents.service, answer."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from vault.accounts import Principal
from vault.consents import service
from vault.consents.models import ConsentRecordRow
from vault.consents.schemas import (
    ConsentCreate,
    ConsentEventCreate,
    ConsentEventPublic,
    ConsentList,
    ConsentPublic,
    EvidencePublic,
    SignatureAdd,
    WokSessionCreate,
    WokSessionPublic,
)
from vault.db import DB, release
from vault.routes import problems

router = APIRouter(tags=["consent"])


@router.post(
    "/families/{family_id}/consents",
    status_code=201,
    summary="Toestemming vastleggen / record consent",
    operation_id="create_consent",
    response_model=ConsentPublic,
    responses=problems(401, 403, 404, 409, 422),
)
def create_consent(
    family_id: uuid.UUID, body: ConsentCreate, principal: Principal, db: DB
) -> ConsentPublic:
    return service.create_consent(db, principal, family_id, body)


@router.get(
    "/families/{family_id}/consents",
    summary="Overzicht toestemmingen voor de ouders / consent overview",
    operation_id="list_consents",
    response_model=ConsentList,
    responses=problems(401, 403, 404, 422),
)
def list_consents(family_id: uuid.UUID, principal: Principal, db: DB) -> ConsentList:
    return ConsentList(items=service.list_consents(db, principal, family_id))


@router.post(
    "/consents/{record_id}/events",
    status_code=201,
    summary="Intrekken, herbevestigen… / withdraw, reconfirm…",
    operation_id="add_consent_event",
    response_model=ConsentEventPublic,
    responses=problems(401, 403, 404, 409, 422),
)
def add_event(
    record_id: uuid.UUID, body: ConsentEventCreate, principal: Principal, db: DB
) -> ConsentEventPublic:
    return service.add_event(db, principal, record_id, body)


@router.post(
    "/consents/{record_id}/signatures",
    status_code=201,
    summary="Ontbrekende handtekening toevoegen / add a missing signature",
    operation_id="add_consent_signature",
    response_model=ConsentPublic,
    responses=problems(401, 403, 404, 409, 422),
)
def add_signature(
    record_id: uuid.UUID, body: SignatureAdd, principal: Principal, db: DB
) -> ConsentPublic:
    return service.add_signature(db, principal, record_id, body.person_id, body.signed_at)


@router.post(
    "/consents/{record_id}/evidence",
    status_code=201,
    summary="Getekend formulier uploaden / upload the signed form",
    description="PDF, JPEG of PNG; versleuteld opgeslagen.",
    operation_id="upload_consent_evidence",
    response_model=EvidencePublic,
    responses=problems(401, 403, 404, 413, 415, 422),
)
async def upload_evidence(
    record_id: uuid.UUID, request: Request, principal: Principal, db: DB
) -> EvidencePublic:
    """Limits before work: the right is decided (and logged) and the declared size checked before a
    byte of the body is read; the body is then read with a hard cap."""

    def decide() -> ConsentRecordRow:
        record = service.evidence_record(db, principal, record_id)
        release(
            db
        )  # the decision is logged; no transaction (on SQLite, the write lock) waits for the body
        return record

    record = await run_in_threadpool(decide)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > service.MAX_EVIDENCE:
        raise service.EvidenceTooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > service.MAX_EVIDENCE:
            raise service.EvidenceTooLarge()
    return await run_in_threadpool(service.save_evidence, db, principal, record, bytes(body))


@router.get(
    "/consents/{record_id}/evidence",
    summary="Getekend formulier inzien / read the signed form",
    operation_id="read_consent_evidence",
    response_class=Response,
    responses={
        200: {"content": {t: {} for t in service.EVIDENCE_TYPES.values()}},
        **problems(401, 403, 404, 422),
    },
    description="Voor de trainer van het gezin en de privacy officer van de organisatie; de inzage wordt gelogd.",
)
def read_evidence(record_id: uuid.UUID, principal: Principal, db: DB) -> Response:
    data, kind = service.read_evidence(db, principal, record_id)
    return Response(
        data,
        media_type=kind,
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": 'attachment; filename="toestemming"',
        },
    )


@router.post(
    "/wok-sessions",
    status_code=201,
    summary="WOK-bijeenkomst plannen / plan a WOK session",
    operation_id="create_wok_session",
    response_model=WokSessionPublic,
    responses=problems(401, 403, 409, 422),
)
def create_wok(body: WokSessionCreate, principal: Principal, db: DB) -> WokSessionPublic:
    return service.create_wok(db, principal, body)


@router.post(
    "/wok-sessions/{session_id}/clips/{clip_id}",
    status_code=201,
    summary="Fragment delen in WOK / share a clip",
    operation_id="share_clip_to_wok",
    response_model=WokSessionPublic,
    responses=problems(401, 403, 404, 422),
)
def share_clip(
    session_id: uuid.UUID, clip_id: uuid.UUID, principal: Principal, db: DB
) -> WokSessionPublic:
    return service.share_clip(db, principal, session_id, clip_id)
