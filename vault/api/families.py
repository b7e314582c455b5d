"""Families, their people and gezag, trajectories, recordings and clips: every route goes through access."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema, model_validator
from sqlmodel import Session, col, func, or_, select

from consent import PersonKind, Phase, Purpose, Role
from keys import KeyDestroyed
from retention import TrajectoryType
from vault import audit
from vault.access import authorize
from vault.accounts import Principal, require_role
from vault.db import DB
from vault.errors import Conflict, NotFound, VaultError
from vault.families.models import Authority, Family, Person, Trajectory
from vault.ingest.models import Upload
from vault.media import serve_range
from vault.media.thumbnail import render_thumbnail
from vault.purge.removal import remove_recording
from vault.recordings.models import CLIP_TAGS, Clip, Recording, RemovalReason, Situation
from vault.routes import Offset, check_if_match, paginate, public, with_etag
from vault.settings import get_settings
from vault.store import BlobNotFound, open_store

router = APIRouter(tags=["families"])
Limit = Annotated[int, Query(ge=1, le=500)]


class FamilyIn(BaseModel):
    pass


class PersonIn(BaseModel):
    kind: PersonKind = Field(examples=["child"])
    display_name: str = Field(default="", max_length=100, examples=["Kind 1"])
    birth_date: date | None = Field(default=None, examples=["2023-05-17"])
    competent: bool = True


class AuthorityIn(BaseModel):
    child_id: uuid.UUID
    parent_id: uuid.UUID
    source: str = Field(default="verklaring ouders", examples=["uittreksel gezagsregister"])
    checked_on: date | None = None


class TrajectoryIn(BaseModel):
    type: TrajectoryType = Field(examples=["k_vht"])
    started_on: date | None = None


class TrajectoryPatch(BaseModel):
    phase: Phase | None = Field(default=None, examples=["active"])
    closed_on: date | None = None
    follow_up_1_on: date | None = None
    follow_up_2_on: date | None = None
    follow_ups_done: int | None = Field(default=None, ge=0, le=2)
    supervision_done_on: date | None = None


class RecordingIn(BaseModel):
    recorded_at: datetime
    situation: Situation = Field(default=Situation.other, examples=["bath"])
    duration_s: float | None = Field(default=None, ge=0)
    source_device: str = Field(default="", max_length=100)


def _clip_tag(purpose: Purpose) -> Purpose:
    if purpose not in CLIP_TAGS:
        raise ValueError(f"purpose {purpose} is not a clip purpose")
    return purpose


class ClipIn(BaseModel):
    start_s: float = Field(ge=0, examples=[12.5])
    end_s: float = Field(gt=0, examples=[48.0])
    title: str = Field(default="", max_length=200, examples=["Samen in bad: aansluiten"])
    purpose: Annotated[Purpose, AfterValidator(_clip_tag), WithJsonSchema({"type": "string", "enum": [p.value for p in CLIP_TAGS]})] = Purpose.review  # fmt: skip

    @model_validator(mode="after")
    def _ordered(self) -> ClipIn:
        if self.end_s <= self.start_s:
            raise ValueError("end_s must be after start_s")
        return self


class RemovalIn(BaseModel):
    reason: str | None = Field(default=None, examples=["wrong_family"])


class InvalidReason(VaultError):
    status = 422
    code = "invalid_reason"

    def __init__(self) -> None:
        super().__init__(
            "Kies een reden voor het verwijderen (veld 'reason'): wrong_family (verkeerd gezin), "
            "imported_by_mistake (per ongeluk geïmporteerd), failed_recording (mislukte opname) of "
            "duplicate (dubbel geïmporteerd).",
            "Choose a reason for the removal (field 'reason'): wrong_family, imported_by_mistake, "
            "failed_recording or duplicate.",
            field="reason",
        )


def _get(db: Session, model: type, item_id: uuid.UUID, what: str) -> Any:
    row = db.get(model, item_id)
    if row is None:
        raise NotFound(f"{what} niet gevonden.", f"{what} not found.")
    return row


# Families ---------------------------------------------------------------------------------------


@router.post("/families", status_code=201, summary="Gezin registreren / register a family",
             description="Een gezin krijgt een ondoorzichtig id en een pseudoniem (FAM-XXXXXX); geen namen.")  # fmt: skip
def create_family(principal: Principal, db: DB) -> dict[str, Any]:
    require_role(principal, Role.trainer)
    family = Family(organisation_id=principal.organisation_id, created_by=principal.user_id)  # type: ignore[arg-type]
    db.add(family)
    db.flush()
    audit.record(
        db,
        action="create",
        outcome="success",
        actor=principal,
        family_id=family.id,
        object_id=family.id,
        object_type="family",
    )
    return public(family)


@router.get("/families", summary="Mijn gezinnen / my families")
def list_families(
    principal: Principal, db: DB, code: str | None = None, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    require_role(principal, Role.trainer)
    mine = select(Trajectory.family_id).where(Trajectory.trainer_id == principal.user_id)
    query = (
        select(Family)
        .where(or_(col(Family.id).in_(mine), Family.created_by == principal.user_id))
        .order_by(Family.code)
    )
    if code:
        query = query.where(Family.code == code)
    page = paginate(db, query, limit, offset)
    audit.record(
        db,
        action="view",
        outcome="allowed",
        actor=principal,
        object_type="family_list",
        detail={"count": str(len(page["items"]))},
    )
    return page


@router.get("/families/{family_id}", summary="Gezin / family")
def get_family(
    family_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    authorize(db, principal, "view", family_id=family_id)
    family = _get(db, Family, family_id, "Gezin")
    return with_etag(request, response, public(family))


@router.get("/families/{family_id}/people", summary="Gezinsleden / people")
def list_people(
    family_id: uuid.UUID, principal: Principal, db: DB, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    authorize(db, principal, "view", family_id=family_id)
    return paginate(db, select(Person).where(Person.family_id == family_id), limit, offset)


@router.post(
    "/families/{family_id}/people", status_code=201, summary="Gezinslid toevoegen / add a person"
)
def add_person(
    family_id: uuid.UUID, body: PersonIn, principal: Principal, db: DB
) -> dict[str, Any]:
    authorize(db, principal, "manage_consent", family_id=family_id)
    person = Person(family_id=family_id, **body.model_dump())
    db.add(person)
    db.flush()
    return public(person)


@router.get("/families/{family_id}/authorities", summary="Gezag / parental authority")
def list_authorities(
    family_id: uuid.UUID, principal: Principal, db: DB, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    authorize(db, principal, "view", family_id=family_id)
    return paginate(db, select(Authority).where(Authority.family_id == family_id), limit, offset)


@router.post(
    "/families/{family_id}/authorities", status_code=201, summary="Gezag vastleggen / record gezag"
)
def add_authority(
    family_id: uuid.UUID, body: AuthorityIn, principal: Principal, db: DB
) -> dict[str, Any]:
    authorize(db, principal, "manage_consent", family_id=family_id)
    child, parent = db.get(Person, body.child_id), db.get(Person, body.parent_id)
    if (child is None or parent is None or child.family_id != family_id or parent.family_id != family_id
            or child.kind != PersonKind.child or parent.kind not in (PersonKind.parent, PersonKind.carer)):  # fmt: skip
        raise Conflict(
            "Gezag geldt tussen een ouder en een kind van dit gezin.",
            "Authority links a parent and a child of this family.",
        )
    row = Authority(family_id=family_id, **body.model_dump())
    db.add(row)
    db.flush()
    return public(row)


# Trajectories -----------------------------------------------------------------------------------


@router.post(
    "/families/{family_id}/trajectories",
    status_code=201,
    summary="Traject starten / start a trajectory",
)
def create_trajectory(
    family_id: uuid.UUID, body: TrajectoryIn, principal: Principal, db: DB
) -> dict[str, Any]:
    authorize(db, principal, "manage_consent", family_id=family_id)
    data = body.model_dump(exclude_none=True)
    row = Trajectory(family_id=family_id, trainer_id=principal.user_id, **data)  # type: ignore[arg-type]
    db.add(row)
    db.flush()
    return public(row)


@router.get("/trajectories", summary="Mijn trajecten / my trajectories")
def list_trajectories(
    principal: Principal, db: DB, phase: Phase | None = None, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    require_role(principal, Role.trainer)
    query = (
        select(Trajectory)
        .where(Trajectory.trainer_id == principal.user_id)
        .order_by(col(Trajectory.started_on).desc())
    )
    if phase:
        query = query.where(Trajectory.phase == phase)
    audit.record(
        db, action="view", outcome="allowed", actor=principal, object_type="trajectory_list"
    )
    return paginate(db, query, limit, offset)


@router.get("/trajectories/{trajectory_id}", summary="Traject / trajectory")
def get_trajectory(
    trajectory_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    authorize(db, principal, "view", trajectory_id=trajectory_id)
    return with_etag(request, response, public(_get(db, Trajectory, trajectory_id, "Traject")))


@router.patch(
    "/trajectories/{trajectory_id}", summary="Fase of datums wijzigen / update phase or dates"
)
def patch_trajectory(
    trajectory_id: uuid.UUID,
    body: TrajectoryPatch,
    principal: Principal,
    db: DB,
    request: Request,
    response: Response,
) -> Any:
    authorize(db, principal, "manage_consent", trajectory_id=trajectory_id)
    row = _get(db, Trajectory, trajectory_id, "Traject")
    check_if_match(request, public(row))
    for field, value in body.model_dump(exclude_none=True).items():
        setattr(row, field, value)
    db.add(row)
    db.flush()
    return with_etag(request, response, public(row))


# Recordings and clips ---------------------------------------------------------------------------


def _card(db: Session, recordings: list[Recording]) -> dict[uuid.UUID, dict[str, str]]:
    """The upload metadata of recordings that came from a card (what the import client sent)."""
    ids = [r.id for r in recordings]
    uploads = db.exec(select(Upload).where(col(Upload.recording_id).in_(ids))).all() if ids else []
    out: dict[uuid.UUID, dict[str, str]] = {}
    for upload in uploads:
        try:
            meta = json.loads(upload.meta)
        except ValueError:
            meta = {}
        out[upload.recording_id] = meta if isinstance(meta, dict) else {}  # type: ignore[index]
    return out


def recording_view(recording: Recording, card: dict[str, str] | None) -> dict[str, Any]:
    """A recording for people: its card file name and when it was filmed, as far as that is known.

    `filmed_at` is the camera's own time (from the file) or a time the import client gave; for a card
    file with neither it is None: the time of the upload is never passed off as the time of filming.
    A recording registered without a card was registered with its time.
    """
    probe = json.loads(recording.probe or "{}")
    known = card is None or bool(probe.get("creation_time") or card.get("recorded_at"))
    name = str(card.get("filename", "")).replace("\\", "/").rsplit("/", 1)[-1][:255] if card else ""
    return {**public(recording), "file_name": name or None,
            "filmed_at": public(recording)["recorded_at"] if known else None}  # fmt: skip


def recording_views(db: Session, recordings: list[Recording]) -> list[dict[str, Any]]:
    cards = _card(db, recordings)
    return [recording_view(r, cards.get(r.id)) for r in recordings]


@router.get("/trajectories/{trajectory_id}/recordings", summary="Opnames / recordings")
def list_recordings(trajectory_id: uuid.UUID, principal: Principal, db: DB, situation: Situation | None = None,
                    limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:  # fmt: skip
    authorize(db, principal, "view", trajectory_id=trajectory_id)
    query = (
        select(Recording)
        .where(Recording.trajectory_id == trajectory_id)
        .order_by(Recording.recorded_at)
    )
    if situation:
        query = query.where(Recording.situation == situation)
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    rows = list(db.exec(query.limit(limit).offset(offset)).all())
    return {"items": recording_views(db, rows), "total": total, "limit": limit, "offset": offset}


@router.post(
    "/trajectories/{trajectory_id}/recordings",
    status_code=201,
    summary="Opname registreren / register a recording",
)
def create_recording(
    trajectory_id: uuid.UUID, body: RecordingIn, principal: Principal, db: DB
) -> dict[str, Any]:
    authorize(db, principal, "upload", trajectory_id=trajectory_id)
    row = Recording(trajectory_id=trajectory_id, **body.model_dump())
    db.add(row)
    db.flush()
    return public(row)


@router.get("/recordings/{recording_id}", summary="Opname / recording")
def get_recording(
    recording_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    authorize(db, principal, "view", recording_id=recording_id)
    recording = _get(db, Recording, recording_id, "Opname")
    return with_etag(request, response, recording_views(db, [recording])[0])


@router.post("/recordings/{recording_id}/removal",
             summary="Opname verwijderen (verkeerd geïmporteerd) / remove a wrongly imported recording",
             description="Body: {\"reason\": \"wrong_family\" | \"imported_by_mistake\" | \"failed_recording\" | "
                         "\"duplicate\"}. Verwijdert definitief het origineel en de kijkversie (sleutels vernietigd), "
                         "de fragmenten en de notities daarbij; geweigerd (409) onder een bewaarplicht, tijdens de "
                         "controle of in een pakket voor het gezin. Alleen de trainer van het traject.")  # fmt: skip
def remove(recording_id: uuid.UUID, principal: Principal, db: DB,
           body: RemovalIn | None = None) -> dict[str, Any]:  # fmt: skip
    authorize(
        db, principal, "manage_consent", recording_id=recording_id, object_type="recording_removal"
    )
    try:
        reason = RemovalReason((body or RemovalIn()).reason or "")
    except ValueError:
        raise InvalidReason() from None
    return remove_recording(db, open_store(db, get_settings()), principal, recording_id, reason)


@router.get("/recordings/{recording_id}/thumbnail.jpg", response_class=Response,
            summary="Voorbeeldbeeld van een opname / a recording's thumbnail",
            description="Eén klein JPEG-beeld (ongeveer 320 px breed) op 10% van de duur, telkens gemaakt uit de "
                        "versleutelde kijkversie of het origineel; nergens opgeslagen. Beslist en gelogd als bekijken.")  # fmt: skip
def thumbnail(recording_id: uuid.UUID, principal: Principal, db: DB) -> Response:
    authorize(db, principal, "view", recording_id=recording_id, object_type="thumbnail")
    recording = _get(db, Recording, recording_id, "Opname")
    source = recording.proxy_object_id or recording.original_object_id
    if source is None or not recording.duration_s:
        raise NotFound(
            "Van deze opname is (nog) geen beeld.", "There is no picture of this recording (yet)."
        )
    info = json.loads(recording.probe or "{}")
    original = source != recording.proxy_object_id
    interlaced = original and bool(info.get("interlaced"))
    container = str(info.get("container") or "mov") if original else "mov"
    settings = get_settings()
    try:
        size, read = open_store(db, settings).range_reader(source)
    except (BlobNotFound, KeyDestroyed):
        raise NotFound(
            "Van deze opname is geen beeld meer.", "There is no picture of this recording any more."
        ) from None
    at = recording.duration_s * 0.1
    db.commit()  # the decision is logged; no transaction (on SQLite, the write lock) waits for ffmpeg
    with serve_range(size, read) as url:
        jpeg = render_thumbnail(url, at, container=container, interlaced=interlaced, ffmpeg=settings.ffmpeg)
    return Response(jpeg, media_type="image/jpeg",
                    headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})  # fmt: skip


@router.get("/recordings/{recording_id}/clips", summary="Fragmenten / clips")
def list_clips(
    recording_id: uuid.UUID, principal: Principal, db: DB, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    authorize(db, principal, "view", recording_id=recording_id)
    return paginate(
        db,
        select(Clip).where(Clip.recording_id == recording_id).order_by(Clip.start_s),
        limit,
        offset,
    )


@router.post(
    "/recordings/{recording_id}/clips", status_code=201, summary="Fragment maken / make a clip"
)
def create_clip(
    recording_id: uuid.UUID, body: ClipIn, principal: Principal, db: DB
) -> dict[str, Any]:
    authorize(db, principal, "clip", recording_id=recording_id)
    recording = _get(db, Recording, recording_id, "Opname")
    if recording.duration_s is not None and body.end_s > recording.duration_s:
        raise Conflict(
            "Het fragment loopt voorbij het einde van de opname.",
            "The clip runs past the end of the recording.",
        )
    row = Clip(recording_id=recording_id, created_by=principal.user_id, **body.model_dump())  # type: ignore[arg-type]
    db.add(row)
    db.flush()
    return public(row)


@router.get("/clips/{clip_id}", summary="Fragment / clip")
def get_clip(
    clip_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    authorize(db, principal, "view", clip_id=clip_id)
    return with_etag(request, response, public(_get(db, Clip, clip_id, "Fragment")))
