"""Administrators: their own organisation, its accounts, supervision links and gecommitteerde grants.
No footage, no family data.

Every route goes through `vault.accounts.own`/`own_users` (ADR 0002, tenants): another
organisation's rows are answered as if they did not exist. Links and grants are *proposed* here and
take effect only once the trainee confirms them (`/confirm`), so creating an account and giving it
footage access is never one person's act.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema
from sqlmodel import Session, col, select

from consent import ACCOUNT_ROLES, Role, account_role
from vault import audit
from vault.accounts import (
    ENROLMENT_HOURS,
    InvalidField,
    Principal,
    administrator,
    enrolment_url,
    invite_user,
    new_enrolment,
    own,
    own_users,
    require_role,
)
from vault.db import DB
from vault.domain.models import GrantRow, Organisation, SupervisionLink, User
from vault.errors import Conflict, NotFound
from vault.routes import check_if_match, paginate, public, with_etag
from vault.settings import get_settings

router = APIRouter(tags=["administration"])

# An administrator never holds a footage role, and no footage role becomes an administrator.
ADMIN_ONLY = frozenset({Role.administrator})


def _account_role(value: Role) -> Role:
    return account_role(value)


# The one role vocabulary (consent.Role), narrowed to the roles an account holds.
AccountRole = Annotated[Role, AfterValidator(_account_role), WithJsonSchema({"type": "string", "enum": [r.value for r in ACCOUNT_ROLES]})]  # fmt: skip


class UserIn(BaseModel):
    email: str = Field(min_length=3, max_length=320, examples=["opleider@ggd.example"])
    name: str = Field(min_length=1, max_length=200, examples=["Ria de Vries"])
    role: AccountRole = Field(examples=["opleider"])
    organisation_id: uuid.UUID | None = Field(default=None, description="Uw eigen organisatie / your own organisation")


class UserPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: AccountRole | None = None
    active: bool | None = None


class LinkIn(BaseModel):
    trainee_id: uuid.UUID
    opleider_id: uuid.UUID
    valid_from: datetime | None = None
    valid_until: datetime | None = None


class GrantIn(BaseModel):
    user_id: uuid.UUID
    trainee_id: uuid.UUID
    valid_from: datetime
    valid_until: datetime


def _enrolment(request: Request, token: str) -> dict[str, Any]:
    base = get_settings().public_url or str(request.base_url)
    return {"enrolment_url": enrolment_url(base, token), "enrolment_valid_hours": ENROLMENT_HOURS,
            "note": "Geef deze link aan de persoon zelf; die kiest een wachtwoord en koppelt de eigen "
                    "authenticator-app. De link werkt één keer. / Hand this link to the person; they "
                    "choose a password and enrol their own authenticator app. It works once."}  # fmt: skip


@router.get("/organisations", summary="Uw organisatie / your organisation")
def list_organisations(
    principal: Principal, db: DB, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)
) -> dict[str, Any]:
    administrator(principal)
    query = select(Organisation).where(Organisation.id == principal.organisation_id)
    return paginate(db, query, limit, offset)


@router.get("/users", summary="Accounts van uw organisatie / your organisation's users")
def list_users(
    principal: Principal,
    db: DB,
    role: Role | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    administrator(principal)
    query = own_users(principal).order_by(User.email)
    if role:
        query = query.where(User.role == role)
    return paginate(db, query, limit, offset)


@router.post("/users", status_code=201, summary="Account aanmaken / create user",
             description="Geeft een eenmalige inschrijflink terug (72 uur geldig) / returns a single-use enrolment link.")  # fmt: skip
def post_user(body: UserIn, principal: Principal, db: DB, request: Request) -> dict[str, Any]:
    administrator(principal)
    organisation = own(db, principal, Organisation, body.organisation_id or principal.organisation_id)
    user, token = invite_user(db, organisation_id=organisation.id, email=body.email, name=body.name,
                              role=body.role, by=principal)  # fmt: skip
    return {**public(user), **_enrolment(request, token)}


@router.get("/users/{user_id}", summary="Account / user")
def get_user(
    user_id: uuid.UUID, principal: Principal, db: DB, request: Request, response: Response
) -> Any:
    administrator(principal)
    return with_etag(request, response, public(own(db, principal, User, user_id)))


@router.patch("/users/{user_id}", summary="Account wijzigen / update user")
def patch_user(
    user_id: uuid.UUID,
    body: UserPatch,
    principal: Principal,
    db: DB,
    request: Request,
    response: Response,
) -> Any:
    administrator(principal)
    user = own(db, principal, User, user_id)
    check_if_match(request, public(user))
    if user.id == principal.user_id and (body.active is False or body.role not in (None, user.role)):
        raise Conflict("Uw eigen rol of account kunt u niet wijzigen; vraag een andere beheerder.",
                       "You cannot change your own role or account; ask another administrator.")  # fmt: skip
    if body.role is not None and (body.role in ADMIN_ONLY) != (user.role in ADMIN_ONLY):
        raise InvalidField("role", "Een beheerder heeft nooit een rol met toegang tot beeldmateriaal, en "
                           "omgekeerd: maak een apart account aan.", "An administrator never holds a footage "
                           "role, nor the other way round: create a separate account.")  # fmt: skip
    for field, value in body.model_dump(exclude_none=True).items():
        setattr(user, field, value)
    db.add(user)
    db.flush()
    audit.record(db, action="update", outcome="success", actor=principal, object_id=user.id, object_type="user",
                 detail={k: str(v) for k, v in body.model_dump(exclude_none=True).items()})  # fmt: skip
    return with_etag(request, response, public(user))


@router.post("/users/{user_id}/enrolment", status_code=201,
             summary="Nieuwe inschrijflink (nieuwe code) / new enrolment link (reset the second factor)")  # fmt: skip
def post_enrolment(user_id: uuid.UUID, principal: Principal, db: DB, request: Request) -> dict[str, Any]:
    administrator(principal)
    user = own(db, principal, User, user_id)
    if user.id == principal.user_id:
        raise Conflict("Uw eigen code kunt u niet opnieuw instellen; vraag een andere beheerder.",
                       "You cannot reset your own code; ask another administrator.")  # fmt: skip
    return {**public(user), **_enrolment(request, new_enrolment(db, user, by=principal))}


# Supervision links and grants: proposed by the trainee's organisation, confirmed by the trainee --------


def _active(db: Session, user_id: uuid.UUID, role: Role) -> User:
    """An active account with this role, in any organisation (opleiders often work elsewhere)."""
    user = db.get(User, user_id)
    if user is None or not user.active or user.role != role:
        raise NotFound("Account niet gevonden.", "Account not found.")
    return user


def _state(row: SupervisionLink | GrantRow) -> dict[str, Any]:
    return {**public(row), "state": "active" if row.confirmed_at else "proposed"}


def _propose(db: Session, principal: audit.Principal, row: SupervisionLink | GrantRow, kind: str) -> dict[str, Any]:
    row.proposed_by = principal.user_id
    db.add(row)
    db.flush()
    audit.record(db, action="grant", outcome="success", reason="proposed", actor=principal,
                 object_id=row.id, object_type=kind, detail={"trainee_id": str(row.trainee_id)})  # fmt: skip
    return _state(row)


def _listing(db: Session, principal: audit.Principal, model: type[SupervisionLink] | type[GrantRow]) -> dict[str, Any]:
    """An administrator sees the links of their organisation's trainees; a trainer their own."""
    require_role(principal, Role.administrator, Role.trainer)
    if principal.role == Role.administrator:
        trainees = select(User.id).where(User.organisation_id == principal.organisation_id)
        query = select(model).where(col(model.trainee_id).in_(trainees))
    else:
        query = select(model).where(model.trainee_id == principal.user_id)
    return {"items": [_state(r) for r in db.exec(query.order_by(col(model.id)))]}


def _confirm(db: Session, principal: audit.Principal, model: type[SupervisionLink] | type[GrantRow],
             row_id: uuid.UUID, kind: str) -> dict[str, Any]:  # fmt: skip
    """The second person: only the trainee whose footage it opens confirms (not whoever proposed it)."""
    require_role(principal, Role.trainer)
    row = db.get(model, row_id)
    if row is None or row.trainee_id != principal.user_id:
        raise NotFound("Niet gevonden.", "Not found.")
    if row.confirmed_at is None:
        row.confirmed_by, row.confirmed_at = principal.user_id, datetime.now(UTC)
        db.add(row)
        audit.record(db, action="grant", outcome="success", reason="confirmed", actor=principal,
                     object_id=row.id, object_type=kind, detail={"proposed_by": str(row.proposed_by)})  # fmt: skip
    return _state(row)


@router.get("/supervision-links", summary="Begeleidingen / supervision links")
def list_links(principal: Principal, db: DB) -> dict[str, Any]:
    return _listing(db, principal, SupervisionLink)


@router.post("/supervision-links", status_code=201,
             summary="Begeleiding voorstellen (de trainer bevestigt) / propose a supervision link (the trainee confirms)")  # fmt: skip
def post_link(body: LinkIn, principal: Principal, db: DB) -> dict[str, Any]:
    administrator(principal)
    trainee = own(db, principal, User, body.trainee_id)
    opleider = _active(db, body.opleider_id, Role.opleider)
    if trainee.role != Role.trainer:
        raise NotFound("Trainer niet gevonden.", "Trainee not found.")
    if body.valid_from and body.valid_until and body.valid_until <= body.valid_from:
        raise InvalidField("valid_until", "Het einde ligt niet na het begin.", "The end is not after the start.")
    link = SupervisionLink(trainee_id=trainee.id, opleider_id=opleider.id, valid_from=body.valid_from,
                           valid_until=body.valid_until)  # fmt: skip
    return _propose(db, principal, link, "supervision_link")


@router.post("/supervision-links/{link_id}/confirm", summary="Begeleiding bevestigen (trainer) / confirm a link (trainee)")
def confirm_link(link_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, Any]:
    return _confirm(db, principal, SupervisionLink, link_id, "supervision_link")


@router.get("/grants", summary="Opdrachten gecommitteerden / gecommitteerde grants")
def list_grants(principal: Principal, db: DB) -> dict[str, Any]:
    return _listing(db, principal, GrantRow)


@router.post("/grants", status_code=201,
             summary="Opdracht gecommitteerde voorstellen (de trainer bevestigt) / propose a grant (the trainee confirms)")  # fmt: skip
def create_grant(body: GrantIn, principal: Principal, db: DB) -> dict[str, Any]:
    administrator(principal)
    trainee = own(db, principal, User, body.trainee_id)
    user = db.get(User, body.user_id)
    if trainee.role != Role.trainer or user is None or not user.active or user.role != Role.gecommitteerde \
            or body.valid_until <= body.valid_from:  # fmt: skip
        raise Conflict(
            "Een opdracht is voor een gecommitteerde, met een einde na het begin.",
            "A grant is for a gecommitteerde, ending after it starts.",
        )
    grant = GrantRow(user_id=user.id, trainee_id=trainee.id, valid_from=body.valid_from,
                     valid_until=body.valid_until)  # fmt: skip
    return _propose(db, principal, grant, "grant")


@router.post("/grants/{grant_id}/confirm", summary="Opdracht bevestigen (trainer) / confirm a grant (trainee)")
def confirm_grant(grant_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, Any]:
    return _confirm(db, principal, GrantRow, grant_id, "grant")
