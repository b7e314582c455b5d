"""Small builders for retention facts: readable fixed ids and one K-VHT family to vary per test."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from retention import (
    DEFAULT_POLICIES,
    FamilyFacts,
    Kind,
    Phase,
    PurgePlan,
    StoredObject,
    TrajectoryFacts,
    TrajectoryType,
    plan,
)

FAMILY = uuid.UUID("f0000000-0000-0000-0000-000000000001")
TRAJ = uuid.UUID("70000000-0000-0000-0000-000000000001")
REC1 = uuid.UUID("1e000000-0000-0000-0000-000000000001")
REC2 = uuid.UUID("1e000000-0000-0000-0000-000000000002")
ORIG1 = uuid.UUID("3f2a0000-0000-0000-0000-000000000001")
ORIG2 = uuid.UUID("3f2a0000-0000-0000-0000-000000000002")
PROXY1 = uuid.UUID("3f2a0000-0000-0000-0000-000000000011")
CLIP1 = uuid.UUID("c1000000-0000-0000-0000-000000000001")
EXPORT = uuid.UUID("e0000000-0000-0000-0000-000000000001")

CLOSED = date(2026, 6, 1)
RECORDED = date(2026, 2, 1)
DAY = timedelta(days=1)


def obj(
    object_id: uuid.UUID,
    kind: Kind,
    recording: uuid.UUID | None = None,
    created: date | datetime = RECORDED,
    **extra: object,
) -> StoredObject:
    return StoredObject(object_id, kind, TRAJ, created, recording, **extra)  # type: ignore[arg-type]  # **extra holds keyword arguments of StoredObject; mypy cannot match object to each


# The family's own footage of two recordings, and the parents' package.
FOOTAGE = (
    obj(ORIG1, Kind.original, REC1),
    obj(ORIG2, Kind.original, REC2),
    obj(PROXY1, Kind.proxy, REC1),
    obj(EXPORT, Kind.export, created=CLOSED),
)


def trajectory(
    kind: TrajectoryType = TrajectoryType.k_vht,
    phase: Phase = Phase.ended,
    closed_on: date | None = CLOSED,
    **extra: object,
) -> TrajectoryFacts:
    return TrajectoryFacts(TRAJ, kind, phase, closed_on, **extra)  # type: ignore[arg-type]  # **extra holds keyword arguments of TrajectoryFacts; mypy cannot match object to each


ACTIVE = trajectory(phase=Phase.active, closed_on=None)


def family(
    traj: TrajectoryFacts | None = None,
    objects: tuple[StoredObject, ...] = FOOTAGE,
    **extra: object,
) -> FamilyFacts:
    return FamilyFacts(FAMILY, (traj or trajectory(),), objects, **extra)  # type: ignore[arg-type]  # **extra holds keyword arguments of FamilyFacts; mypy cannot match object to each


def due_ids(facts: FamilyFacts, today: date | datetime) -> set[uuid.UUID]:
    return {i.object_id for i in plan(facts, DEFAULT_POLICIES, today).due()}


def dates(p: PurgePlan) -> dict[uuid.UUID, date]:
    return {i.object_id: i.due for i in p.items}


def rules(p: PurgePlan) -> dict[uuid.UUID, str]:
    return {i.object_id: i.rule for i in p.items}


def assert_due_from(facts: FamilyFacts, expected: set[uuid.UUID], day: date) -> None:
    """Exactly `expected` becomes due on `day`: not the day before, still the day after."""
    before = due_ids(facts, day - DAY)
    assert not (expected & before), f"due too early: {expected & before}"
    assert expected <= due_ids(facts, day)
    assert expected <= due_ids(facts, day + DAY)
