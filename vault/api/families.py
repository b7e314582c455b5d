"""Families, their people and gezag, trajectories, recordings and clips: every route goes through access."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session, col, or_, select

from vault import audit
from vault.access import authorize
from vault.accounts import Principal, require_role
from vault.api._common import check_if_match, paginate, public, with_etag
from vault.db import DB
from vault.domain.models import (
    Authority,
    Clip,
    ClipPurpose,
    Family,
    Person,
    PersonKind,
    Phase,
    Recording,
    Role,
    Situation,
    Trajectory,
    TrajectoryType,
)
from vault.errors import Conflict, NotFound

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


class ClipIn(BaseModel):
    start_s: float = Field(ge=0, examples=[12.5])
    end_s: float = Field(gt=0, examples=[48.0])
    title: str = Field(default="", max_length=200, examples=["Samen in bad: aansluiten"])
    purpose: ClipPurpose = ClipPurpose.review

    @model_validator(mode="after")
    def _ordered(self) -> ClipIn:
        if self.end_s <= self.start_s:
            raise ValueError("end_s must be after start_s")
        return self


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
    principal: Principal, db: DB, code: str | None = None, limit: Limit = 50, offset: int = 0
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
    family_id: uuid.UUID, principal: Principal, db: DB, limit: Limit = 50, offset: int = 0
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
    family_id: uuid.UUID, principal: Principal, db: DB, limit: Limit = 50, offset: int = 0
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
    principal: Principal, db: DB, phase: Phase | None = None, limit: Limit = 50, offset: int = 0
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


@router.get("/trajectories/{trajectory_id}/recordings", summary="Opnames / recordings")
def list_recordings(trajectory_id: uuid.UUID, principal: Principal, db: DB, situation: Situation | None = None,
                    limit: Limit = 50, offset: int = 0) -> dict[str, Any]:  # fmt: skip
    authorize(db, principal, "view", trajectory_id=trajectory_id)
    query = (
        select(Recording)
        .where(Recording.trajectory_id == trajectory_id)
        .order_by(Recording.recorded_at)
    )
    if situation:
        query = query.where(Recording.situation == situation)
    return paginate(db, query, limit, offset)


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
    return with_etag(request, response, public(_get(db, Recording, recording_id, "Opname")))


@router.get("/recordings/{recording_id}/clips", summary="Fragmenten / clips")
def list_clips(
    recording_id: uuid.UUID, principal: Principal, db: DB, limit: Limit = 50, offset: int = 0
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
