"""The annotations' HTTP routes: parse, call vault/annotations/service.py, answer through the schemas."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from vault.accounts import Principal
from vault.annotations import formats, service
from vault.annotations.schemas import (
    AnnotationPage,
    AnnotationPublic,
    AnnotationWrite,
    CodebookEntries,
    CodebookPublic,
    CommentPage,
    CommentPublic,
    CommentWrite,
    ImportPublic,
)
from vault.db import DB, release
from vault.routes import problems

router = APIRouter(tags=["annotations"])


def _codebook(row: Any) -> dict[str, Any]:
    return CodebookPublic.model_validate(
        {
            **service.entries(row),
            "id": row.id,
            "organisation_id": row.organisation_id,
            "version": row.version,
            "created_at": row.created_at,
        }
    ).model_dump(mode="json")


@router.get(
    "/codebook",
    response_model=CodebookPublic,
    operation_id="get_codebook",
    responses=problems(401, 403, 404),
    summary="Codeboek van uw organisatie / your organisation's codebook",
    description="De codes van de basiscommunicatie (actoren, codes, momenten, kenmerken) met kleur en "
    "toets, in de nieuwste versie. Zonder eigen versie: het meegeleverde codeboek (versie 1).",
)
def get_codebook(principal: Principal, db: DB) -> Any:
    return _codebook(service.codebook(db, principal))


@router.post(
    "/codebook",
    status_code=201,
    response_model=CodebookPublic,
    operation_id="new_codebook_version",
    responses=problems(401, 403, 404, 409, 422),
    summary="Nieuwe versie van het codeboek / a new codebook version",
    description="Alleen de beheerder van de organisatie. Bestaande aantekeningen houden de versie "
    "waarmee ze zijn gemaakt.",
)
def new_codebook_version(body: CodebookEntries, principal: Principal, db: DB) -> Any:
    return _codebook(service.new_codebook_version(db, principal, body))


@router.get(
    "/recordings/{recording_id}/annotations",
    response_model=AnnotationPage,
    operation_id="list_annotations",
    responses=problems(401, 403, 404, 422),
    summary="Aantekeningen bij een opname / a recording's annotations",
    description="Alleen de trainer van het traject; beslist en gelogd.",
)
def list_annotations(recording_id: uuid.UUID, principal: Principal, db: DB) -> Any:
    rows = service.list_annotations(db, principal, recording_id)
    return {
        "items": [AnnotationPublic.of(r).model_dump(mode="json") for r in rows],
        "total": len(rows),
    }


@router.post(
    "/recordings/{recording_id}/annotations",
    status_code=201,
    response_model=AnnotationPublic,
    operation_id="create_annotation",
    responses=problems(401, 403, 404, 409, 422),
    summary="Aantekening maken / annotate",
    description="Een moment (frame_in) of een stuk (frame_in tot en met frame_out), in beelden van de "
    "opname, met een code uit het codeboek. 409 zolang de beeldfrequentie niet bekend is.",
)
def create_annotation(
    recording_id: uuid.UUID, body: AnnotationWrite, principal: Principal, db: DB
) -> Any:
    return AnnotationPublic.of(
        service.create_annotation(db, principal, recording_id, body)
    ).model_dump(mode="json")


@router.put(
    "/recordings/{recording_id}/annotations/{annotation_id}",
    response_model=AnnotationPublic,
    operation_id="update_annotation",
    responses=problems(401, 403, 404, 409, 422),
    summary="Aantekening wijzigen / change an annotation",
)
def update_annotation(
    recording_id: uuid.UUID,
    annotation_id: uuid.UUID,
    body: AnnotationWrite,
    principal: Principal,
    db: DB,
) -> Any:
    row = service.update_annotation(db, principal, recording_id, annotation_id, body)
    return AnnotationPublic.of(row).model_dump(mode="json")


@router.delete(
    "/recordings/{recording_id}/annotations/{annotation_id}",
    response_model=AnnotationPublic,
    operation_id="delete_annotation",
    responses=problems(401, 403, 404, 422),
    summary="Aantekening verwijderen / delete an annotation",
    description="Answers the annotation as it was, now deleted.",
)
def delete_annotation(
    recording_id: uuid.UUID, annotation_id: uuid.UUID, principal: Principal, db: DB
) -> Any:
    row = service.delete_annotation(db, principal, recording_id, annotation_id)
    return AnnotationPublic.of(row).model_dump(mode="json")


@router.get(
    "/recordings/{recording_id}/annotations/export",
    response_class=Response,
    operation_id="export_annotations",
    responses={
        200: {
            "content": {"application/ld+json": {}, "text/vtt": {}, "application/xml": {}},
            "description": "W3C Web Annotation (JSON-LD), WebVTT metadata or ELAN (.eaf)",
        },
        **problems(401, 403, 404, 422),
    },
    summary="Aantekeningen uitvoeren / export annotations",
    description="format=jsonld (W3C Web Annotation, Media Fragments t=), vtt (WebVTT-metadataspoor) of "
    "eaf (ELAN). Beslist en gelogd als het lezen van de aantekeningen.",
)
def export_annotations(
    recording_id: uuid.UUID,
    principal: Principal,
    db: DB,
    format: str = Query("jsonld", max_length=8),
) -> Response:
    body, media_type, name = service.export(db, principal, recording_id, format)
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post(
    "/recordings/{recording_id}/annotations/import",
    response_model=ImportPublic,
    operation_id="import_annotations",
    responses=problems(401, 403, 404, 409, 413, 422),
    summary="Aantekeningen inlezen / import annotations",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/ld+json": {"schema": {"type": "string", "format": "binary"}},
                "text/vtt": {"schema": {"type": "string", "format": "binary"}},
                "application/xml": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
    description="Het bestand zelf als body: W3C Web Annotation (JSON-LD), WebVTT-metadata of ELAN (.eaf), "
    "zoals de export ze schrijft; het formaat uit de inhoud of uit format=. Alles of niets: één fout "
    "item weigert het hele bestand (422, met regel/nummer/id en reden); niets wordt geschreven. Een "
    "aantekening die de opname al heeft wordt overgeslagen en geteld (skipped). Alleen de trainer van "
    "het traject; beslist en gelogd als het maken van een aantekening. Hoogstens 10 MB en 5.000 "
    "aantekeningen.",
)
async def import_annotations(
    recording_id: uuid.UUID,
    request: Request,
    principal: Principal,
    db: DB,
    format: str = Query("", max_length=8),
) -> Any:
    """Limits before work: decided (and logged) and the declared size checked before a byte of the body
    is read; the body is then read with a hard cap."""

    def decide() -> Any:
        recording = service.import_recording(db, principal, recording_id)
        release(db)  # the decision is logged; no transaction waits for the body
        return recording

    recording = await run_in_threadpool(decide)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > formats.MAX_IMPORT_BYTES:
        raise formats.ImportTooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > formats.MAX_IMPORT_BYTES:
            raise formats.ImportTooLarge()
    done = await run_in_threadpool(
        service.import_annotations, db, principal, recording, bytes(body), format
    )
    return {
        "format": done.format,
        "created": len(done.created),
        "skipped": done.skipped,
        "items": [AnnotationPublic.of(r).model_dump(mode="json") for r in done.created],
    }


@router.get(
    "/clips/{clip_id}/annotations",
    response_model=AnnotationPage,
    operation_id="list_clip_annotations",
    responses=problems(401, 403, 404, 422),
    summary="Aantekeningen binnen een fragment / the annotations inside a clip",
    description="De aantekeningen van de opname die in het fragment vallen (tijden in de opname; "
    "clip_start_s om ze in het fragment te plaatsen). De trainer, en een opleider of gecommitteerde met "
    "toestemming voor supervisie; nooit in een WOK.",
)
def list_clip_annotations(clip_id: uuid.UUID, principal: Principal, db: DB) -> Any:
    found = service.clip_annotations(db, principal, clip_id)
    return {
        "items": [AnnotationPublic.of(r).model_dump(mode="json") for r in found.rows],
        "total": len(found.rows),
        "clip_id": str(found.clip.id),
        "clip_start_s": found.clip.start_s,
    }


@router.get(
    "/clips/{clip_id}/annotations/{annotation_id}/comments",
    response_model=CommentPage,
    operation_id="list_annotation_comments",
    responses=problems(401, 403, 404, 422),
    summary="Reacties op een aantekening / the thread on an annotation",
    description="Wie de aantekeningen van het fragment mag zien (de trainer, een opleider of gecommitteerde "
    "met toestemming voor supervisie; nooit in een WOK) leest de reacties. Beslist en gelogd.",
)
def list_annotation_comments(
    clip_id: uuid.UUID, annotation_id: uuid.UUID, principal: Principal, db: DB
) -> Any:
    rows = service.comments(db, principal, clip_id, annotation_id)
    return {
        "items": [
            CommentPublic.model_validate(r, from_attributes=True).model_dump(mode="json")
            for r in rows
        ],
        "total": len(rows),
    }


@router.post(
    "/clips/{clip_id}/annotations/{annotation_id}/comments",
    status_code=201,
    response_model=CommentPublic,
    operation_id="add_annotation_comment",
    responses=problems(401, 403, 404, 422),
    summary="Reageren op een aantekening / comment on an annotation",
    description="De opleider of gecommitteerde reageert op een aantekening van de trainer, de trainer "
    "antwoordt. Beslist en gelogd.",
)
def add_annotation_comment(
    clip_id: uuid.UUID, annotation_id: uuid.UUID, body: CommentWrite, principal: Principal, db: DB
) -> Any:
    row = service.add_comment(db, principal, clip_id, annotation_id, body)
    return CommentPublic.model_validate(row, from_attributes=True).model_dump(mode="json")
