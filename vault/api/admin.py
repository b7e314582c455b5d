"""Administrators: organisations, accounts and supervision links. No footage, no family data."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import select

from vault import audit
from vault.accounts import Principal, create_user, require_role
from vault.api._common import check_if_match, paginate, public, with_etag
from vault.db import DB
from vault.domain.models import Organisation, Role, SupervisionLink, User
from vault.errors import NotFound

router = APIRouter(tags=["administration"])


def _admin(principal: audit.Principal) -> None:
    require_role(principal, Role.administrator)


class OrganisationIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["GGD Hollands Midden"])


class UserIn(BaseModel):
    email: str = Field(examples=["opleider@ggd.example"])
    name: str = Field(min_length=1, examples=["Ria de Vries"])
    role: Role = Field(examples=["opleider"])
    password: str = Field(min_length=12)
    organisation_id: uuid.UUID


class UserPatch(BaseModel):
    name: str | None = None
    role: Role | None = None
    active: bool | None = None


class LinkIn(BaseModel):
    trainee_id: uuid.UUID
    opleider_id: uuid.UUID
    valid_from: datetime | None = None
    valid_until: datetime | None = None


@router.get("/organisations", summary="Organisaties / organisations")
def list_organisations(
    principal: Principal, db: DB, limit: int = Query(50, le=500), offset: int = 0
) -> dict[str, Any]:
    _admin(principal)
    return paginate(db, select(Organisation).order_by(Organisation.name), limit, offset)


@router.post(
    "/organisations", status_code=201, summary="Organisatie aanmaken / create organisation"
)
def create_organisation(body: OrganisationIn, principal: Principal, db: DB) -> dict[str, Any]:
    _admin(principal)
    org = Organisation(name=body.name)
    db.add(org)
    db.flush()
    audit.record(
        db,
        action="configuration_change",
        outcome="success",
        actor=principal,
        object_id=org.id,
        object_type="organisation",
    )
    return public(org)


@router.get("/users", summary="Accounts / users")
def list_users(
    principal: Principal,
    db: DB,
    role: Role | None = None,
    limit: int = Query(50, le=500),
    offset: int = 0,
) -> dict[str, Any]:
    _admin(principal)
    query = select(User).order_by(User.email)
    if role:
        query = query.where(User.role == role)
    return paginate(db, query, limit, offset)


@router.post("/users", status_code=201, summary="Account aanmaken / create user",
             description="Geeft eenmalig de TOTP-koppeling terug (otpauth://) / returns the TOTP URI once.")  # fmt: skip
def post_user(body: UserIn, principal: Principal, db: DB) -> dict[str, Any]:
    _admin(principal)
    if db.get(Organisation, body.organisation_id) is None:
        raise NotFound("Organisatie niet gevonden.", "Organisation not found.")
    user, uri = create_user(db, organisation_id=body.organisation_id, email=body.email, name=body.name,
                            role=body.role, password=body.password, by=principal)  # fmt: skip
    return {**public(user), "totp_uri": uri}


@router.get("/users/{user_id}", summary="Account / user")
def get_user(
    user_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    _admin(principal)
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("Account niet gevonden.", "User not found.")
    return with_etag(request, response, public(user))


@router.patch("/users/{user_id}", summary="Account wijzigen / update user")
def patch_user(
    user_id: uuid.UUID,
    body: UserPatch,
    principal: Principal,
    db: DB,
    request: Request,
    response: Response,
) -> Any:
    _admin(principal)
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("Account niet gevonden.", "User not found.")
    check_if_match(request, public(user))
    for field, value in body.model_dump(exclude_none=True).items():
        setattr(user, field, value)
    db.add(user)
    db.flush()
    audit.record(db, action="update", outcome="success", actor=principal, object_id=user.id, object_type="user",
                 detail={k: str(v) for k, v in body.model_dump(exclude_none=True).items()})  # fmt: skip
    return with_etag(request, response, public(user))


@router.post(
    "/supervision-links",
    status_code=201,
    summary="Koppel leerling aan opleider / link trainee to opleider",
)
def post_link(body: LinkIn, principal: Principal, db: DB) -> dict[str, Any]:
    _admin(principal)
    trainee, opleider = db.get(User, body.trainee_id), db.get(User, body.opleider_id)
    if trainee is None or opleider is None or opleider.role != Role.opleider:
        raise NotFound("Trainer of opleider niet gevonden.", "Trainee or opleider not found.")
    link = SupervisionLink(**body.model_dump())
    db.add(link)
    db.flush()
    audit.record(
        db,
        action="grant",
        outcome="success",
        actor=principal,
        object_id=link.id,
        object_type="supervision_link",
    )
    return public(link)
