"""The administrator's HTTP routes: parse, call vault.organisations.service, answer."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Request, Response

from consent import Role
from vault.accounts import Principal
from vault.db import DB
from vault.organisations import service
from vault.organisations.schemas import (
    GrantCreate,
    GrantList,
    GrantPublic,
    OrganisationPage,
    SupervisionLinkCreate,
    SupervisionLinkList,
    SupervisionLinkPublic,
    UserCreate,
    UserEnrolment,
    UserPage,
    UserPublic,
    UserUpdate,
)
from vault.routes import problems, with_etag

router = APIRouter(tags=["administration"])


@router.get(
    "/organisations",
    summary="Uw organisatie / your organisation",
    operation_id="list_organisations",
    response_model=OrganisationPage,
    responses=problems(401, 403, 422),
)
def list_organisations(
    principal: Principal, db: DB, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)
) -> OrganisationPage:
    return service.list_organisations(db, principal, limit, offset)


@router.get(
    "/users",
    summary="Accounts van uw organisatie / your organisation's users",
    operation_id="list_users",
    response_model=UserPage,
    responses=problems(401, 403, 422),
)
def list_users(
    principal: Principal,
    db: DB,
    role: Role | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> UserPage:
    return service.list_users(db, principal, role, limit, offset)


@router.post(
    "/users",
    status_code=201,
    summary="Account aanmaken / create user",
    operation_id="create_user",
    description="Geeft een eenmalige inschrijflink terug (72 uur geldig) / returns a single-use enrolment link.",
    response_model=UserEnrolment,
    responses=problems(401, 403, 404, 409, 422),
)
def post_user(body: UserCreate, principal: Principal, db: DB, request: Request) -> UserEnrolment:
    return service.create_user(db, principal, body, str(request.base_url))


@router.get(
    "/users/{user_id}",
    summary="Account / user",
    operation_id="get_user",
    response_model=UserPublic,
    responses={304: {"description": "Ongewijzigd / not modified"}, **problems(401, 403, 404, 422)},
)
def get_user(
    user_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    user = service.get_user(db, principal, user_id)
    return with_etag(request, response, user.model_dump(mode="json"))


@router.patch(
    "/users/{user_id}",
    summary="Account wijzigen / update user",
    operation_id="update_user",
    response_model=UserPublic,
    responses={
        304: {"description": "Ongewijzigd / not modified"},
        **problems(401, 403, 404, 409, 412, 422),
    },
)
def patch_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    principal: Principal,
    db: DB,
    request: Request,
    response: Response,
) -> Any:
    user = service.update_user(
        db, principal, user_id, body, if_match=request.headers.get("if-match")
    )
    return with_etag(request, response, user.model_dump(mode="json"))


@router.post(
    "/users/{user_id}/enrolment",
    status_code=201,
    operation_id="reset_user_enrolment",
    summary="Nieuwe inschrijflink (nieuwe code) / new enrolment link (reset the second factor)",
    response_model=UserEnrolment,
    responses=problems(401, 403, 404, 409, 422),
)
def post_enrolment(
    user_id: uuid.UUID, principal: Principal, db: DB, request: Request
) -> UserEnrolment:
    return service.reset_enrolment(db, principal, user_id, str(request.base_url))


@router.get(
    "/supervision-links",
    summary="Begeleidingen / supervision links",
    operation_id="list_supervision_links",
    response_model=SupervisionLinkList,
    responses=problems(401, 403),
)
def list_links(principal: Principal, db: DB) -> SupervisionLinkList:
    return SupervisionLinkList(items=service.list_links(db, principal))


@router.post(
    "/supervision-links",
    status_code=201,
    operation_id="propose_supervision_link",
    summary="Begeleiding voorstellen (de trainer bevestigt) / propose a supervision link (the trainee confirms)",
    response_model=SupervisionLinkPublic,
    responses=problems(401, 403, 404, 422),
)
def post_link(body: SupervisionLinkCreate, principal: Principal, db: DB) -> SupervisionLinkPublic:
    return service.propose_link(db, principal, body)


@router.post(
    "/supervision-links/{link_id}/confirm",
    operation_id="confirm_supervision_link",
    summary="Begeleiding bevestigen (trainer) / confirm a link (trainee)",
    response_model=SupervisionLinkPublic,
    responses=problems(401, 403, 404, 422),
)
def confirm_link(link_id: uuid.UUID, principal: Principal, db: DB) -> SupervisionLinkPublic:
    return service.confirm_link(db, principal, link_id)


@router.get(
    "/grants",
    summary="Opdrachten gecommitteerden / gecommitteerde grants",
    operation_id="list_grants",
    response_model=GrantList,
    responses=problems(401, 403),
)
def list_grants(principal: Principal, db: DB) -> GrantList:
    return GrantList(items=service.list_grants(db, principal))


@router.post(
    "/grants",
    status_code=201,
    operation_id="propose_grant",
    summary="Opdracht gecommitteerde voorstellen (de trainer bevestigt) / propose a grant (the trainee confirms)",
    response_model=GrantPublic,
    responses=problems(401, 403, 404, 409, 422),
)
def create_grant(body: GrantCreate, principal: Principal, db: DB) -> GrantPublic:
    return service.propose_grant(db, principal, body)


@router.post(
    "/grants/{grant_id}/confirm",
    operation_id="confirm_grant",
    summary="Opdracht bevestigen (trainer) / confirm a grant (trainee)",
    response_model=GrantPublic,
    responses=problems(401, 403, 404, 422),
)
def confirm_grant(grant_id: uuid.UUID, principal: Principal, db: DB) -> GrantPublic:
    return service.confirm_grant(db, principal, grant_id)
