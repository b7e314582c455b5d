"""The recordings' HTTP routes: parse, call vault/recordings/service.py, answer through the Public schemas."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from vault.accounts import Principal
from vault.db import DB, release
from vault.media import serve_range
from vault.media.still import render_still
from vault.media.thumbnail import render_thumbnail
from vault.recordings import service
from vault.recordings.models import Situation
from vault.recordings.schemas import (
    ClipCreate,
    ClipFaceEdits,
    ClipFaces,
    ClipInView,
    ClipMute,
    ClipPublic,
    ClipPurpose,
    ClipUpdate,
    RecordingCreate,
    RecordingPublic,
    RecordingView,
    RemovalPublic,
    RemovalRequest,
)
from vault.routes import Offset, Page, dump, problems, published, with_etag
from vault.settings import get_settings

router = APIRouter(tags=["recordings"])
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get(
    "/trajectories/{trajectory_id}/recordings",
    response_model=Page[RecordingView],
    operation_id="list_recordings",
    responses=problems(401, 403, 404, 422),
    summary="Opnames / recordings",
)
def list_recordings(
    trajectory_id: uuid.UUID,
    principal: Principal,
    db: DB,
    situation: Situation | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    rows = service.list_recordings(
        db, principal, trajectory_id, situation=situation, limit=limit, offset=offset
    )
    return {
        "items": [v.model_dump(mode="json") for v in service.views(db, rows.items)],
        "total": rows.total,
        "limit": rows.limit,
        "offset": rows.offset,
    }


@router.post(
    "/trajectories/{trajectory_id}/recordings",
    status_code=201,
    response_model=RecordingPublic,
    operation_id="create_recording",
    responses=problems(401, 403, 404, 422),
    summary="Opname registreren / register a recording",
)
def create_recording(
    trajectory_id: uuid.UUID, body: RecordingCreate, principal: Principal, db: DB
) -> Any:
    return dump(service.create_recording(db, principal, trajectory_id, body), RecordingPublic)


@router.get(
    "/recordings/{recording_id}",
    response_model=RecordingView,
    operation_id="get_recording",
    responses=problems(401, 403, 404, 422),
    summary="Opname / recording",
)
def get_recording(
    recording_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    view = service.views(db, [service.get_recording(db, principal, recording_id)])[0]
    return with_etag(request, response, view.model_dump(mode="json"))


@router.post(
    "/recordings/{recording_id}/removal",
    response_model=RemovalPublic,
    operation_id="remove_recording",
    responses=problems(401, 403, 404, 409, 422),
    summary="Opname verwijderen (verkeerd geïmporteerd) / remove a wrongly imported recording",
    description='Body: {"reason": "wrong_family" | "imported_by_mistake" | "failed_recording" | '
    '"duplicate"}. Verwijdert definitief het origineel en de kijkversie (sleutels vernietigd), '
    "de fragmenten en de notities daarbij; geweigerd (409) onder een bewaarplicht, tijdens de "
    "controle of in een pakket voor het gezin. Alleen de trainer van het traject.",
)
def remove(
    recording_id: uuid.UUID, principal: Principal, db: DB, body: RemovalRequest | None = None
) -> Any:
    return service.remove(db, principal, recording_id, (body or RemovalRequest()).reason)


@router.get(
    "/recordings/{recording_id}/thumbnail.jpg",
    response_class=Response,
    operation_id="recording_thumbnail",
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "JPEG"},
        **problems(401, 403, 404, 422),
    },
    summary="Voorbeeldbeeld van een opname / a recording's thumbnail",
    description="Eén klein JPEG-beeld (ongeveer 320 px breed) op 10% van de duur, telkens gemaakt uit de "
    "versleutelde kijkversie of het origineel; nergens opgeslagen. Beslist en gelogd als bekijken.",
)
def thumbnail(recording_id: uuid.UUID, principal: Principal, db: DB) -> Response:
    picture = service.thumbnail_source(db, principal, recording_id)
    release(
        db
    )  # the decision is logged; no transaction (on SQLite, the write lock) waits for ffmpeg
    with serve_range(picture.size, picture.read) as url:
        jpeg = render_thumbnail(
            url,
            picture.at_s,
            container=picture.container,
            interlaced=picture.interlaced,
            ffmpeg=get_settings().ffmpeg,
        )
    return Response(
        jpeg,
        media_type="image/jpeg",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/recordings/{recording_id}/clips",
    response_model=Page[ClipPublic],
    operation_id="list_clips",
    responses=problems(401, 403, 404, 422),
    summary="Fragmenten / clips",
)
def list_clips(
    recording_id: uuid.UUID, principal: Principal, db: DB, limit: Limit = 50, offset: Offset = 0
) -> Any:
    return published(
        service.list_clips(db, principal, recording_id, limit=limit, offset=offset), ClipPublic
    )


@router.post(
    "/recordings/{recording_id}/clips",
    status_code=201,
    response_model=ClipPublic,
    operation_id="create_clip",
    responses=problems(401, 403, 404, 409, 422),
    summary="Fragment maken / make a clip",
)
def create_clip(recording_id: uuid.UUID, body: ClipCreate, principal: Principal, db: DB) -> Any:
    return dump(service.create_clip(db, principal, recording_id, body), ClipPublic)


@router.get(
    "/clips/{clip_id}",
    response_model=ClipPublic,
    operation_id="get_clip",
    responses=problems(401, 403, 404, 422),
    summary="Fragment / clip",
)
def get_clip(
    clip_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    return with_etag(request, response, dump(service.get_clip(db, principal, clip_id), ClipPublic))


@router.put(
    "/clips/{clip_id}",
    response_model=ClipPublic,
    operation_id="update_clip",
    responses=problems(401, 403, 404, 409, 422),
    summary="Fragment met kijkrichting / a clip as a fragment with a kijkrichting",
    description="Titel, de codes uit het codeboek die het fragment laat zien, de kijkrichting voor de "
    "ouders, de beeldjes (nummers van de opname, zoals aantekeningen ze tellen) die als stilstaand beeld "
    "dienen, en de plaats in het terugkijkgesprek (leeg: niet erin). Alleen de trainer van het traject.",
)
def update_clip(clip_id: uuid.UUID, body: ClipUpdate, principal: Principal, db: DB) -> Any:
    return dump(service.update_clip(db, principal, clip_id, body), ClipPublic)


@router.put(
    "/clips/{clip_id}/mute",
    response_model=ClipPublic,
    operation_id="set_clip_mute",
    responses=problems(401, 403, 404, 422),
    summary="Stiltes in het geanonimiseerde fragment / spans muted in the anonymised clip",
    description="Alle stukken (seconden van de opname, binnen het fragment; hoogstens 50) waarin het "
    "geluid van de geanonimiseerde kopie stil is, omdat er bijvoorbeeld namen klinken. Een wijziging "
    "verwijdert een kopie die zonder deze stiltes is gemaakt; die wordt opnieuw gemaakt. Alleen de "
    "trainer van het traject.",
)
def set_clip_mute(clip_id: uuid.UUID, body: ClipMute, principal: Principal, db: DB) -> Any:
    return dump(service.set_mute(db, principal, clip_id, body), ClipPublic)


@router.put(
    "/clips/{clip_id}/in-view",
    response_model=ClipPublic,
    operation_id="set_clip_in_view",
    responses=problems(401, 403, 404, 422),
    summary="Wie er in beeld is / who is in view",
    description="Wie van het gezin er in het fragment in beeld is, en of er anderen in beeld zijn (een "
    "bezoeker, een buurkind). Zolang dat niet is vastgelegd, wordt het fragment buiten het gezin en de "
    "supervisie (WOK, onderwijs) aan niemand getoond; is niet iedereen in beeld gedekt door de "
    "toestemming, dan alleen een geanonimiseerde versie die de trainer heeft goedgekeurd. Alleen de "
    "trainer van het traject.",
)
def set_clip_in_view(clip_id: uuid.UUID, body: ClipInView, principal: Principal, db: DB) -> Any:
    return dump(service.set_in_view(db, principal, clip_id, body), ClipPublic)


@router.put(
    "/clips/{clip_id}/purpose",
    response_model=ClipPublic,
    operation_id="set_clip_purpose",
    responses=problems(401, 403, 404, 422),
    summary="Doel van het fragment / the clip's purpose",
    description="Het doel van het fragment bepaalt wie het mag zien. `teaching` markeert het als "
    "lesmateriaal; dat mag alleen met toestemming van het gezin voor onderwijs, als vastligt wie er in "
    "beeld is, en waar niet iedereen in beeld is gedekt alleen met een geanonimiseerde versie die de "
    "trainer heeft bekeken en goedgekeurd (anders 403 met de reden). Alleen de trainer van het traject.",
)
def set_clip_purpose(clip_id: uuid.UUID, body: ClipPurpose, principal: Principal, db: DB) -> Any:
    return dump(service.set_purpose(db, principal, clip_id, body), ClipPublic)


@router.post(
    "/clips/{clip_id}/anonymise",
    response_model=ClipPublic,
    status_code=202,
    operation_id="anonymise_clip",
    responses={200: {"model": ClipPublic}, **problems(401, 403, 404, 409, 422, 503)},
    summary="Geanonimiseerde versie maken / make the anonymised copy",
    description="Zet het maken van een versie met vervaagde gezichten (en de stiltes) in de wachtrij: "
    "202, en `anonymised` is `making`. Is die er al, of wordt ze al gemaakt, dan 200 (er komt geen "
    "tweede taak bij). Volg `anonymised` van het fragment: `made` zodra ze klaar is om te controleren, "
    "`failed` als ze niet gemaakt kon worden (vraag haar dan opnieuw aan). Alleen de trainer van het "
    "traject.",
)
def anonymise_clip(clip_id: uuid.UUID, principal: Principal, db: DB, response: Response) -> Any:
    clip, queued = service.anonymise(db, principal, clip_id)
    response.status_code = 202 if queued else 200
    return dump(clip, ClipPublic)


@router.put(
    "/clips/{clip_id}/anonymised/approval",
    response_model=ClipPublic,
    operation_id="approve_anonymised",
    responses=problems(401, 403, 404, 409, 422),
    summary="Geanonimiseerde versie goedkeuren / approve the anonymised copy",
    description="De trainer keurt de geanonimiseerde versie goed, nadat zij die zelf heeft bekeken "
    "(409 zolang er geen versie is of zij die niet heeft afgespeeld). Pas dan mag die in een WOK getoond "
    "worden. Elke wijziging van stiltes of gezichten verwijdert de versie en de goedkeuring.",
)
def approve_anonymised(clip_id: uuid.UUID, principal: Principal, db: DB) -> Any:
    return dump(service.approve_anonymised(db, principal, clip_id), ClipPublic)


@router.delete(
    "/clips/{clip_id}/anonymised/approval",
    response_model=ClipPublic,
    operation_id="withdraw_anonymised_approval",
    responses=problems(401, 403, 404, 422),
    summary="Goedkeuring intrekken / withdraw the approval",
)
def withdraw_anonymised_approval(clip_id: uuid.UUID, principal: Principal, db: DB) -> Any:
    return dump(service.approve_anonymised(db, principal, clip_id, approved=False), ClipPublic)


@router.put(
    "/clips/{clip_id}/faces",
    response_model=ClipPublic,
    operation_id="set_clip_faces",
    responses=problems(401, 403, 404, 422),
    summary="Vakken over het geanonimiseerde fragment / the trainer's boxes over the anonymised clip",
    description="Alle vakken (hoogstens 200) die de trainer over de geanonimiseerde kopie tekent, elk "
    "over een stuk van het fragment (seconden van de opname) en als delen van het beeld: `add` vervaagt "
    "een gezicht dat de detectie miste, `keep` laat een persoon die toestemming gaf zichtbaar (een `add` "
    "gaat altijd voor). Een wijziging verwijdert de kopie en de goedkeuring ervan; de kopie wordt "
    "opnieuw gemaakt. Alleen de trainer van het traject.",
)
def set_clip_faces(clip_id: uuid.UUID, body: ClipFaceEdits, principal: Principal, db: DB) -> Any:
    return dump(service.set_faces(db, principal, clip_id, body), ClipPublic)


@router.get(
    "/clips/{clip_id}/faces",
    response_model=ClipFaces,
    operation_id="get_clip_faces",
    responses=problems(401, 403, 404, 422),
    summary="Gevonden gezichten en vakken / faces found and the trainer's boxes",
    description="De gezichten die in de geanonimiseerde kopie zijn gevonden (per detectiebeeld, als "
    "delen van het beeld) en de vakken van de trainer, voor de controlepagina. Beslist als het "
    "fragment bekijken.",
)
def get_clip_faces(clip_id: uuid.UUID, principal: Principal, db: DB) -> Any:
    return ClipFaces.model_validate(service.faces(db, principal, clip_id)).model_dump(mode="json")


@router.get(
    "/clips/{clip_id}/stills/{frame}.jpg",
    response_class=Response,
    operation_id="clip_still",
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "JPEG"},
        **problems(401, 403, 404, 409, 422),
    },
    summary="Stilstaand beeld uit een fragment / a still from a clip",
    description="Eén beeldje van het fragment (nummer van de opname) als JPEG met het watermerk van de "
    "kijker, telkens gemaakt uit het versleutelde origineel; nergens opgeslagen. Beslist als het fragment "
    "bekijken en gelogd als stilstaand beeld.",
)
def clip_still(clip_id: uuid.UUID, frame: int, principal: Principal, db: DB) -> Response:
    still = service.still_source(db, principal, clip_id, frame)
    release(db)  # the decision is logged; nothing waits for ffmpeg in a transaction
    settings = get_settings()
    with serve_range(still.size, still.read) as url:
        jpeg = render_still(
            url,
            still.at_s,
            watermark=still.watermark,
            container=still.container,
            interlaced=still.interlaced,
            corner=settings.watermark_corner,
            ffmpeg=settings.ffmpeg,
        )
    return Response(
        jpeg,
        media_type="image/jpeg",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
