"""Organisations are tenants: the one rule every administrative route and page goes through.

An administrator works on the rows of their own organisation only. A row of another organisation is
answered exactly like a row that does not exist (404), so a probe learns nothing. Supervision links
and gecommitteerde grants belong to the organisation of the *trainee*: the one that holds the family's
footage and alone can open it to anyone (ADR 0002).
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from consent import Role
from vault import audit
from vault.accounts._deps import require_role
from vault.consents.models import GrantRow
from vault.domain.models import Organisation, RetentionPolicyRow, SupervisionLink, User
from vault.errors import NotFound, VaultError

Row = TypeVar("Row", Organisation, User, SupervisionLink, GrantRow, RetentionPolicyRow)

NOT_FOUND = ("Niet gevonden in uw organisatie.", "Not found in your organisation.")


class InvalidField(VaultError):
    """422 naming the field that is wrong, Dutch first."""

    status = 422
    code = "invalid_input"

    def __init__(self, field: str, message_nl: str, message_en: str) -> None:
        super().__init__(message_nl, message_en, field=field)


def administrator(principal: audit.Principal) -> None:
    require_role(principal, Role.administrator)


def organisation_of(db: Session, row: Any) -> uuid.UUID | None:
    if isinstance(row, Organisation):
        return row.id
    if isinstance(row, User | RetentionPolicyRow):
        return row.organisation_id
    if isinstance(row, SupervisionLink | GrantRow):
        trainee = db.get(User, row.trainee_id)
        return trainee.organisation_id if trainee is not None else None
    return None


def own(db: Session, principal: audit.Principal, model: type[Row], row_id: uuid.UUID | None) -> Row:
    """The row, if it exists and belongs to the actor's organisation; NotFound (404) otherwise."""
    row = db.get(model, row_id) if row_id is not None else None
    if (
        row is None
        or principal.organisation_id is None
        or organisation_of(db, row) != principal.organisation_id
    ):
        raise NotFound(*NOT_FOUND)
    return row


def own_users(principal: audit.Principal) -> SelectOfScalar[User]:
    """The accounts of the actor's organisation (a listing shows nothing else)."""
    return select(User).where(User.organisation_id == principal.organisation_id)
