"""The families' rules: who registers a family, adds its people and gezag, starts and changes a trajectory.

Every function takes the session and the principal, asks the access seam (`vault.access.authorize`,
decided and logged) before it reads or writes, flushes and never commits, and raises VaultErrors.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlmodel import Session, col, or_, select

from consent import PersonKind, Phase, Role
from vault import audit
from vault.access import authorize
from vault.accounts import require_role
from vault.errors import Conflict, NotFound
from vault.families.models import Authority, Family, Person, Trajectory
from vault.families.schemas import (
    AuthorityCreate,
    PersonCreate,
    TrajectoryCreate,
    TrajectoryPublic,
    TrajectoryUpdate,
)
from vault.routes import Rows, check_etag, dump, fetch_page

Row = TypeVar("Row")


def found(row: Row | None, what_nl: str, what_en: str) -> Row:
    if row is None:
        raise NotFound(f"{what_nl} niet gevonden.", f"{what_en} not found.")
    return row


# Families ---------------------------------------------------------------------------------------


def create_family(db: Session, principal: audit.Principal) -> Family:
    """A trainer registers a family: an opaque id and a pseudonym (FAM-XXXXXX), no names."""
    require_role(principal, Role.trainer)
    # a trainer's principal has both (require_role refused anyone else)
    family = Family(organisation_id=principal.organisation_id, created_by=principal.user_id)  # type: ignore[arg-type]  # only the system and parents' download links lack a user and organisation; they never call this
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
    return family


def list_families(
    db: Session,
    principal: audit.Principal,
    *,
    code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Rows[Family]:
    """The trainer's families: those of their trajectories and those they registered."""
    require_role(principal, Role.trainer)
    mine = select(Trajectory.family_id).where(Trajectory.trainer_id == principal.user_id)
    query = (
        select(Family)
        .where(or_(col(Family.id).in_(mine), Family.created_by == principal.user_id))
        .order_by(Family.code)
    )
    if code:
        query = query.where(Family.code == code)
    rows = fetch_page(db, query, limit, offset)
    audit.record(
        db,
        action="view",
        outcome="allowed",
        actor=principal,
        object_type="family_list",
        detail={"count": str(len(rows.items))},
    )
    return rows


def get_family(db: Session, principal: audit.Principal, family_id: uuid.UUID) -> Family:
    authorize(db, principal, "view", family_id=family_id)
    return found(db.get(Family, family_id), "Gezin", "Family")


# People and gezag -------------------------------------------------------------------------------


def list_people(
    db: Session,
    principal: audit.Principal,
    family_id: uuid.UUID,
    *,
    limit: int = 50,
    offset: int = 0,
) -> Rows[Person]:
    authorize(db, principal, "view", family_id=family_id)
    return fetch_page(db, select(Person).where(Person.family_id == family_id), limit, offset)


def add_person(
    db: Session, principal: audit.Principal, family_id: uuid.UUID, data: PersonCreate
) -> Person:
    authorize(db, principal, "manage_consent", family_id=family_id)
    person = Person(family_id=family_id, **data.model_dump())
    db.add(person)
    db.flush()
    return person


def list_authorities(
    db: Session,
    principal: audit.Principal,
    family_id: uuid.UUID,
    *,
    limit: int = 50,
    offset: int = 0,
) -> Rows[Authority]:
    authorize(db, principal, "view", family_id=family_id)
    return fetch_page(db, select(Authority).where(Authority.family_id == family_id), limit, offset)


def add_authority(
    db: Session, principal: audit.Principal, family_id: uuid.UUID, data: AuthorityCreate
) -> Authority:
    """Gezag links a parent (or carer) and a child of the same family."""
    authorize(db, principal, "manage_consent", family_id=family_id)
    child, parent = db.get(Person, data.child_id), db.get(Person, data.parent_id)
    if (
        child is None
        or parent is None
        or child.family_id != family_id
        or parent.family_id != family_id
        or child.kind != PersonKind.child
        or parent.kind not in (PersonKind.parent, PersonKind.carer)
    ):
        raise Conflict(
            "Gezag geldt tussen een ouder en een kind van dit gezin.",
            "Authority links a parent and a child of this family.",
        )
    row = Authority(family_id=family_id, **data.model_dump())
    db.add(row)
    db.flush()
    return row


# Trajectories -----------------------------------------------------------------------------------


def create_trajectory(
    db: Session, principal: audit.Principal, family_id: uuid.UUID, data: TrajectoryCreate
) -> Trajectory:
    authorize(db, principal, "manage_consent", family_id=family_id)
    values = data.model_dump(exclude_none=True)
    # a trainer's principal always has a user id (the access seam refuses a trainer without one)
    row = Trajectory(family_id=family_id, trainer_id=principal.user_id, **values)  # type: ignore[arg-type]  # user_id is None only for the system and parents' download links, which never call this
    db.add(row)
    db.flush()
    return row


def list_trajectories(
    db: Session,
    principal: audit.Principal,
    *,
    phase: Phase | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Rows[Trajectory]:
    """The trainer's own trajectories, the latest started first."""
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
    return fetch_page(db, query, limit, offset)


def get_trajectory(db: Session, principal: audit.Principal, trajectory_id: uuid.UUID) -> Trajectory:
    authorize(db, principal, "view", trajectory_id=trajectory_id)
    return found(db.get(Trajectory, trajectory_id), "Traject", "Trajectory")


def update_trajectory(
    db: Session,
    principal: audit.Principal,
    trajectory_id: uuid.UUID,
    changes: TrajectoryUpdate,
    *,
    if_match: str | None = None,
) -> Trajectory:
    """Change a trajectory's phase or dates; `if_match` (an ETag) refuses a change to a version the
    client did not see (412)."""
    authorize(db, principal, "manage_consent", trajectory_id=trajectory_id)
    row = found(db.get(Trajectory, trajectory_id), "Traject", "Trajectory")
    check_etag(if_match, dump(row, TrajectoryPublic))
    values: dict[str, Any] = changes.model_dump(exclude_none=True)
    for field, value in values.items():
        setattr(row, field, value)
    db.add(row)
    db.flush()
    return row
