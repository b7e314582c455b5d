"""The families' HTTP routes: parse, call vault/families/service.py, answer through the Public schemas."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from consent import Phase
from vault.accounts import Principal
from vault.db import DB
from vault.families import service
from vault.families.schemas import (
    AuthorityCreate,
    AuthorityPublic,
    FamilyPublic,
    PersonCreate,
    PersonPublic,
    TrajectoryCreate,
    TrajectoryPublic,
    TrajectoryUpdate,
)
from vault.routes import Offset, Page, dump, problems, published, with_etag

router = APIRouter(tags=["families"])
Limit = Annotated[int, Query(ge=1, le=500)]


@router.post(
    "/families",
    status_code=201,
    response_model=FamilyPublic,
    operation_id="create_family",
    responses=problems(401, 403),
    summary="Gezin registreren / register a family",
    description="Een gezin krijgt een ondoorzichtig id en een pseudoniem (FAM-XXXXXX); geen namen.",
)
def create_family(principal: Principal, db: DB) -> Any:
    return dump(service.create_family(db, principal), FamilyPublic)


@router.get(
    "/families",
    response_model=Page[FamilyPublic],
    operation_id="list_families",
    responses=problems(401, 403, 422),
    summary="Mijn gezinnen / my families",
)
def list_families(
    principal: Principal, db: DB, code: str | None = None, limit: Limit = 50, offset: Offset = 0
) -> Any:
    rows = service.list_families(db, principal, code=code, limit=limit, offset=offset)
    return published(rows, FamilyPublic)


@router.get(
    "/families/{family_id}",
    response_model=FamilyPublic,
    operation_id="get_family",
    responses=problems(401, 403, 404, 422),
    summary="Gezin / family",
)
def get_family(
    family_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    return with_etag(
        request, response, dump(service.get_family(db, principal, family_id), FamilyPublic)
    )


@router.get(
    "/families/{family_id}/people",
    response_model=Page[PersonPublic],
    operation_id="list_people",
    responses=problems(401, 403, 404, 422),
    summary="Gezinsleden / people",
)
def list_people(
    family_id: uuid.UUID, principal: Principal, db: DB, limit: Limit = 50, offset: Offset = 0
) -> Any:
    return published(
        service.list_people(db, principal, family_id, limit=limit, offset=offset), PersonPublic
    )


@router.post(
    "/families/{family_id}/people",
    status_code=201,
    response_model=PersonPublic,
    operation_id="add_person",
    responses=problems(401, 403, 404, 422),
    summary="Gezinslid toevoegen / add a person",
)
def add_person(family_id: uuid.UUID, body: PersonCreate, principal: Principal, db: DB) -> Any:
    return dump(service.add_person(db, principal, family_id, body), PersonPublic)


@router.get(
    "/families/{family_id}/authorities",
    response_model=Page[AuthorityPublic],
    operation_id="list_authorities",
    responses=problems(401, 403, 404, 422),
    summary="Gezag / parental authority",
)
def list_authorities(
    family_id: uuid.UUID, principal: Principal, db: DB, limit: Limit = 50, offset: Offset = 0
) -> Any:
    rows = service.list_authorities(db, principal, family_id, limit=limit, offset=offset)
    return published(rows, AuthorityPublic)


@router.post(
    "/families/{family_id}/authorities",
    status_code=201,
    response_model=AuthorityPublic,
    operation_id="add_authority",
    responses=problems(401, 403, 404, 409, 422),
    summary="Gezag vastleggen / record gezag",
)
def add_authority(family_id: uuid.UUID, body: AuthorityCreate, principal: Principal, db: DB) -> Any:
    return dump(service.add_authority(db, principal, family_id, body), AuthorityPublic)


@router.post(
    "/families/{family_id}/trajectories",
    status_code=201,
    response_model=TrajectoryPublic,
    operation_id="create_trajectory",
    responses=problems(401, 403, 404, 422),
    summary="Traject starten / start a trajectory",
)
def create_trajectory(
    family_id: uuid.UUID, body: TrajectoryCreate, principal: Principal, db: DB
) -> Any:
    return dump(service.create_trajectory(db, principal, family_id, body), TrajectoryPublic)


@router.get(
    "/trajectories",
    response_model=Page[TrajectoryPublic],
    operation_id="list_trajectories",
    responses=problems(401, 403, 422),
    summary="Mijn trajecten / my trajectories",
)
def list_trajectories(
    principal: Principal, db: DB, phase: Phase | None = None, limit: Limit = 50, offset: Offset = 0
) -> Any:
    rows = service.list_trajectories(db, principal, phase=phase, limit=limit, offset=offset)
    return published(rows, TrajectoryPublic)


@router.get(
    "/trajectories/{trajectory_id}",
    response_model=TrajectoryPublic,
    operation_id="get_trajectory",
    responses=problems(401, 403, 404, 422),
    summary="Traject / trajectory",
)
def get_trajectory(
    trajectory_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    row = service.get_trajectory(db, principal, trajectory_id)
    return with_etag(request, response, dump(row, TrajectoryPublic))


@router.patch(
    "/trajectories/{trajectory_id}",
    response_model=TrajectoryPublic,
    operation_id="update_trajectory",
    responses=problems(401, 403, 404, 412, 422),
    summary="Fase of datums wijzigen / update phase or dates",
)
def patch_trajectory(
    trajectory_id: uuid.UUID,
    body: TrajectoryUpdate,
    principal: Principal,
    db: DB,
    request: Request,
    response: Response,
) -> Any:
    row = service.update_trajectory(
        db, principal, trajectory_id, body, if_match=request.headers.get("if-match")
    )
    return with_etag(request, response, dump(row, TrajectoryPublic))
