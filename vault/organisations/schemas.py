"""What enters and what leaves the administrator's area. The Public classes are an allowlist: a column
of `user_account` that is not named here (a password hash, a second factor, an enrolment hash, the
count of failed attempts) never reaches a client."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from consent import ACCOUNT_ROLES, Role, account_role


def _account_role(value: Role) -> Role:
    return account_role(value)


# The one role vocabulary (consent.Role), narrowed to the roles an account holds.
AccountRole = Annotated[
    Role,
    AfterValidator(_account_role),
    WithJsonSchema({"type": "string", "enum": [r.value for r in ACCOUNT_ROLES]}),
]


class UserCreate(BaseModel):
    email: str = Field(min_length=3, max_length=320, examples=["opleider@ggd.example"])
    name: str = Field(min_length=1, max_length=200, examples=["Ria de Vries"])
    role: AccountRole = Field(examples=["opleider"])
    organisation_id: uuid.UUID | None = Field(
        default=None, description="Uw eigen organisatie / your own organisation"
    )


class UserUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    role: AccountRole | None = None
    active: bool | None = None


class SupervisionLinkCreate(BaseModel):
    trainee_id: uuid.UUID
    opleider_id: uuid.UUID
    valid_from: datetime | None = None
    valid_until: datetime | None = None


class GrantCreate(BaseModel):
    user_id: uuid.UUID
    trainee_id: uuid.UUID
    valid_from: datetime
    valid_until: datetime


class OrganisationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    created_at: datetime


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_id: uuid.UUID
    email: str
    name: str
    role: str
    active: bool
    locked_until: datetime | None
    created_at: datetime
    enrolment_expires_at: datetime | None


class UserEnrolment(UserPublic):
    """An account with its single-use enrolment link, shown once to the administrator who made it."""

    enrolment_url: str
    enrolment_valid_hours: int
    note: str


class OrganisationPage(BaseModel):
    items: list[OrganisationPublic]
    total: int
    limit: int
    offset: int


class UserPage(BaseModel):
    items: list[UserPublic]
    total: int
    limit: int
    offset: int


State = Literal["proposed", "active"]


class SupervisionLinkPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    trainee_id: uuid.UUID
    opleider_id: uuid.UUID
    valid_from: datetime | None
    valid_until: datetime | None
    proposed_by: uuid.UUID | None
    confirmed_by: uuid.UUID | None
    confirmed_at: datetime | None
    state: State


class GrantPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    trainee_id: uuid.UUID
    valid_from: datetime
    valid_until: datetime
    proposed_by: uuid.UUID | None
    confirmed_by: uuid.UUID | None
    confirmed_at: datetime | None
    state: State


class SupervisionLinkList(BaseModel):
    items: list[SupervisionLinkPublic]


class GrantList(BaseModel):
    items: list[GrantPublic]
