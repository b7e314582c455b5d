"""The administrator's rules: their own organisation, its accounts, supervision links and gecommitteerde
grants. No footage, no family data.

Every function goes through `vault.accounts.own`/`own_users` (ADR 0002, tenants): another
organisation's rows are answered as if they did not exist. Links and grants are *proposed* here and
take effect only once the trainee confirms them, so creating an account and giving it footage access is
never one person's act. Functions take a session and the principal, flush and never commit.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from consent import Role
from vault import audit
from vault.accounts import (
    ENROLMENT_HOURS,
    InvalidField,
    administrator,
    enrolment_url,
    invite_user,
    new_enrolment,
    own,
    own_users,
    require_role,
)
from vault.consents.models import GrantRow
from vault.domain.models import Organisation, SupervisionLink, User
from vault.errors import Conflict, NotFound
from vault.organisations.schemas import (
    GrantCreate,
    GrantPublic,
    OrganisationPage,
    SupervisionLinkCreate,
    SupervisionLinkPublic,
    UserCreate,
    UserEnrolment,
    UserPage,
    UserPublic,
    UserUpdate,
)
from vault.routes import check_etag, paginate
from vault.settings import get_settings

Link = TypeVar("Link", SupervisionLink, GrantRow)  # the two rows a trainee confirms

# An administrator never holds a footage role, and no footage role becomes an administrator.
ADMIN_ONLY = frozenset({Role.administrator})

ENROLMENT_NOTE = (
    "Geef deze link aan de persoon zelf; die kiest een wachtwoord en koppelt de eigen "
    "authenticator-app. De link werkt één keer. / Hand this link to the person; they "
    "choose a password and enrol their own authenticator app. It works once."
)


def _with_link(user: User, token: str, base_url: str) -> UserEnrolment:
    base = get_settings().public_url or base_url
    return UserEnrolment(
        **UserPublic.model_validate(user).model_dump(),
        enrolment_url=enrolment_url(base, token),
        enrolment_valid_hours=ENROLMENT_HOURS,
        note=ENROLMENT_NOTE,
    )


# Organisations and accounts ---------------------------------------------------------------------


def list_organisations(
    db: Session, principal: audit.Principal, limit: int = 50, offset: int = 0
) -> OrganisationPage:
    administrator(principal)
    query = select(Organisation).where(Organisation.id == principal.organisation_id)
    return OrganisationPage.model_validate(paginate(db, query, limit, offset))


def list_users(
    db: Session,
    principal: audit.Principal,
    role: Role | None = None,
    limit: int = 50,
    offset: int = 0,
) -> UserPage:
    administrator(principal)
    query = own_users(principal).order_by(User.email)
    if role:
        query = query.where(User.role == role)
    return UserPage.model_validate(paginate(db, query, limit, offset))


def create_user(
    db: Session, principal: audit.Principal, body: UserCreate, base_url: str
) -> UserEnrolment:
    """A new account in the administrator's own organisation, with its single-use enrolment link."""
    administrator(principal)
    organisation = own(
        db, principal, Organisation, body.organisation_id or principal.organisation_id
    )
    user, token = invite_user(
        db,
        organisation_id=organisation.id,
        email=body.email,
        name=body.name,
        role=body.role,
        by=principal,
    )
    return _with_link(user, token, base_url)


def get_user(db: Session, principal: audit.Principal, user_id: uuid.UUID) -> UserPublic:
    administrator(principal)
    return UserPublic.model_validate(own(db, principal, User, user_id))


def update_user(
    db: Session,
    principal: audit.Principal,
    user_id: uuid.UUID,
    body: UserUpdate,
    *,
    if_match: str | None = None,
) -> UserPublic:
    """Name, role, active. Never one's own role or account; never across the administrator line.
    `if_match`: the ETag the change was made against (412 when the account changed meanwhile)."""
    administrator(principal)
    user = own(db, principal, User, user_id)
    check_etag(if_match, UserPublic.model_validate(user).model_dump(mode="json"))
    if user.id == principal.user_id and (
        body.active is False or body.role not in (None, user.role)
    ):
        raise Conflict(
            "Uw eigen rol of account kunt u niet wijzigen; vraag een andere beheerder.",
            "You cannot change your own role or account; ask another administrator.",
        )
    if body.role is not None and (body.role in ADMIN_ONLY) != (user.role in ADMIN_ONLY):
        raise InvalidField(
            "role",
            "Een beheerder heeft nooit een rol met toegang tot beeldmateriaal, en "
            "omgekeerd: maak een apart account aan.",
            "An administrator never holds a footage "
            "role, nor the other way round: create a separate account.",
        )
    for field, value in body.model_dump(exclude_none=True).items():
        setattr(user, field, value)
    db.add(user)
    db.flush()
    audit.record(
        db,
        action="update",
        outcome="success",
        actor=principal,
        object_id=user.id,
        object_type="user",
        detail={k: str(v) for k, v in body.model_dump(exclude_none=True).items()},
    )
    return UserPublic.model_validate(user)


def reset_enrolment(
    db: Session, principal: audit.Principal, user_id: uuid.UUID, base_url: str
) -> UserEnrolment:
    """A new enrolment link (a lost phone): the old password and second factor stop working at once."""
    administrator(principal)
    user = own(db, principal, User, user_id)
    if user.id == principal.user_id:
        raise Conflict(
            "Uw eigen code kunt u niet opnieuw instellen; vraag een andere beheerder.",
            "You cannot reset your own code; ask another administrator.",
        )
    return _with_link(user, new_enrolment(db, user, by=principal), base_url)


# Supervision links and grants: proposed by the trainee's organisation, confirmed by the trainee --------


def _active(db: Session, user_id: uuid.UUID, role: Role) -> User:
    """An active account with this role, in any organisation (opleiders often work elsewhere)."""
    user = db.get(User, user_id)
    if user is None or not user.active or user.role != role:
        raise NotFound("Account niet gevonden.", "Account not found.")
    return user


def _state(row: SupervisionLink | GrantRow) -> dict[str, Any]:
    return {**row.model_dump(), "state": "active" if row.confirmed_at else "proposed"}


def _propose(
    db: Session, principal: audit.Principal, row: SupervisionLink | GrantRow, kind: str
) -> dict[str, Any]:
    row.proposed_by = principal.user_id
    db.add(row)
    db.flush()
    audit.record(
        db,
        action="grant",
        outcome="success",
        reason="proposed",
        actor=principal,
        object_id=row.id,
        object_type=kind,
        detail={"trainee_id": str(row.trainee_id)},
    )
    return _state(row)


def _listing(db: Session, principal: audit.Principal, model: type[Link]) -> list[dict[str, Any]]:
    """An administrator sees the links of their organisation's trainees; a trainer their own."""
    require_role(principal, Role.administrator, Role.trainer)
    if principal.role == Role.administrator:
        trainees = select(User.id).where(User.organisation_id == principal.organisation_id)
        query = select(model).where(col(model.trainee_id).in_(trainees))
    else:
        query = select(model).where(model.trainee_id == principal.user_id)
    return [_state(r) for r in db.exec(query.order_by(col(model.id)))]


def _confirm(
    db: Session, principal: audit.Principal, model: type[Link], row_id: uuid.UUID, kind: str
) -> dict[str, Any]:
    """The second person: only the trainee whose footage it opens confirms (not whoever proposed it)."""
    require_role(principal, Role.trainer)
    row = db.get(model, row_id)
    if row is None or row.trainee_id != principal.user_id:
        raise NotFound("Niet gevonden.", "Not found.")
    if row.confirmed_at is None:
        row.confirmed_by, row.confirmed_at = principal.user_id, datetime.now(UTC)
        db.add(row)
        audit.record(
            db,
            action="grant",
            outcome="success",
            reason="confirmed",
            actor=principal,
            object_id=row.id,
            object_type=kind,
            detail={"proposed_by": str(row.proposed_by)},
        )
    return _state(row)


def list_links(db: Session, principal: audit.Principal) -> list[SupervisionLinkPublic]:
    return [
        SupervisionLinkPublic.model_validate(r) for r in _listing(db, principal, SupervisionLink)
    ]


def propose_link(
    db: Session, principal: audit.Principal, body: SupervisionLinkCreate
) -> SupervisionLinkPublic:
    """Trainee → opleider, proposed by an administrator of the trainee's organisation."""
    administrator(principal)
    trainee = own(db, principal, User, body.trainee_id)
    opleider = _active(db, body.opleider_id, Role.opleider)
    if trainee.role != Role.trainer:
        raise NotFound("Trainer niet gevonden.", "Trainee not found.")
    if body.valid_from and body.valid_until and body.valid_until <= body.valid_from:
        raise InvalidField(
            "valid_until", "Het einde ligt niet na het begin.", "The end is not after the start."
        )
    link = SupervisionLink(
        trainee_id=trainee.id,
        opleider_id=opleider.id,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    return SupervisionLinkPublic.model_validate(_propose(db, principal, link, "supervision_link"))


def confirm_link(
    db: Session, principal: audit.Principal, link_id: uuid.UUID
) -> SupervisionLinkPublic:
    return SupervisionLinkPublic.model_validate(
        _confirm(db, principal, SupervisionLink, link_id, "supervision_link")
    )


def list_grants(db: Session, principal: audit.Principal) -> list[GrantPublic]:
    return [GrantPublic.model_validate(r) for r in _listing(db, principal, GrantRow)]


def propose_grant(db: Session, principal: audit.Principal, body: GrantCreate) -> GrantPublic:
    """A gecommitteerde's time-bound grant for one trainee, proposed by the trainee's organisation."""
    administrator(principal)
    trainee = own(db, principal, User, body.trainee_id)
    user = db.get(User, body.user_id)
    if (
        trainee.role != Role.trainer
        or user is None
        or not user.active
        or user.role != Role.gecommitteerde
        or body.valid_until <= body.valid_from
    ):
        raise Conflict(
            "Een opdracht is voor een gecommitteerde, met een einde na het begin.",
            "A grant is for a gecommitteerde, ending after it starts.",
        )
    grant = GrantRow(
        user_id=user.id,
        trainee_id=trainee.id,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    return GrantPublic.model_validate(_propose(db, principal, grant, "grant"))


def confirm_grant(db: Session, principal: audit.Principal, grant_id: uuid.UUID) -> GrantPublic:
    return GrantPublic.model_validate(_confirm(db, principal, GrantRow, grant_id, "grant"))
