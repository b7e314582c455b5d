"""A small family world for consent tests: two parents with joint gezag, a child, a trajectory, people."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from consent import (
    Actor,
    Authority,
    Capacity,
    ConsentEvent,
    ConsentRecord,
    EventKind,
    Facts,
    GecommitteerdeGrant,
    Person,
    PersonKind,
    Phase,
    Purpose,
    Resource,
    ResourceKind,
    Role,
    Signature,
    SupervisionLink,
    WokSession,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
FAMILY = uuid.UUID(int=1)
TRAJECTORY = uuid.UUID(int=2)
RECORDING = uuid.UUID(int=3)
OTHER_RECORDING = uuid.UUID(int=4)
CLIP = uuid.UUID(int=5)
TRAINER = uuid.UUID(int=10)
OTHER_TRAINER = uuid.UUID(int=11)
OPLEIDER = uuid.UUID(int=12)
GECOMMITTEERDE = uuid.UUID(int=13)
WOK_VIEWER = uuid.UUID(int=14)
OFFICER = uuid.UUID(int=15)
ADMIN = uuid.UUID(int=16)
PARENT_USER = uuid.UUID(int=17)
MOTHER, FATHER, CHILD = uuid.UUID(int=20), uuid.UUID(int=21), uuid.UUID(int=22)
GRANT, WOK = uuid.UUID(int=30), uuid.UUID(int=31)

PEOPLE = (
    Person(MOTHER, PersonKind.parent),
    Person(FATHER, PersonKind.parent),
    Person(CHILD, PersonKind.child, date(2023, 5, 17)),
)
AUTHORITIES = (Authority(CHILD, MOTHER), Authority(CHILD, FATHER))
BOTH_PARENTS = (
    Signature(MOTHER, Capacity.parent_with_authority, T0),
    Signature(FATHER, Capacity.parent_with_authority, T0),
)

ACTORS = {
    Role.trainer: Actor(TRAINER, Role.trainer),
    Role.opleider: Actor(OPLEIDER, Role.opleider),
    Role.gecommitteerde: Actor(GECOMMITTEERDE, Role.gecommitteerde),
    Role.wok_viewer: Actor(WOK_VIEWER, Role.wok_viewer),
    Role.privacy_officer: Actor(OFFICER, Role.privacy_officer),
    Role.administrator: Actor(ADMIN, Role.administrator),
    Role.parent: Actor(PARENT_USER, Role.parent, family_id=FAMILY, handover_verified=True),
}


def record(
    purpose: Purpose,
    *,
    recordings: frozenset[uuid.UUID] | None = None,
    signatures: tuple[Signature, ...] = BOTH_PARENTS,
    valid_until: datetime | None = None,
    rid: int = 100,
    valid_from: datetime = T0,
) -> ConsentRecord:
    return ConsentRecord(
        uuid.UUID(int=rid),
        FAMILY,
        purpose,
        TRAJECTORY,
        valid_from,
        signatures,
        recordings,
        valid_until,
    )


def facts(
    *consents: ConsentRecord, events: tuple[ConsentEvent, ...] = (), **extra: object
) -> Facts:
    base = Facts(
        people=PEOPLE,
        authorities=AUTHORITIES,
        consents=consents,
        events=events,
        supervision_links=(SupervisionLink(TRAINER, OPLEIDER, confirmed=True),),
        grants=(
            GecommitteerdeGrant(
                GRANT, GECOMMITTEERDE, TRAINER, T0, T0 + timedelta(days=365), confirmed=True
            ),
        ),
        wok_sessions=(
            WokSession(
                WOK,
                NOW - timedelta(hours=1),
                NOW + timedelta(hours=2),
                OPLEIDER,
                frozenset({WOK_VIEWER}),
                frozenset({CLIP}),
            ),
        ),
    )
    return replace(base, **extra)  # type: ignore[arg-type]  # the fields of Facts, named by the caller


def clip(
    f: Facts,
    *,
    phase: Phase = Phase.active,
    recording: uuid.UUID = RECORDING,
    kind: ResourceKind = ResourceKind.clip,
    purpose: Purpose | None = None,
    in_view: frozenset[uuid.UUID] | None = frozenset({CHILD, MOTHER}),
    **extra: object,
) -> Resource:
    """A clip (tagged with `purpose`, its "Doel"; None: untagged) or, with `kind`, its recording. Its
    trainer said the child and the mother are in view (both parents sign the records of this world)."""
    return Resource(
        kind,
        FAMILY,
        TRAJECTORY,
        TRAINER,
        phase,
        recording,
        T0 + timedelta(days=7),
        CLIP,
        f,
        clip_purpose=purpose if kind is ResourceKind.clip else None,
        in_view=in_view if kind is ResourceKind.clip else None,
        **extra,  # type: ignore[arg-type]  # the fields of Resource, named by the caller
    )


def withdrawal(
    rid: int = 100,
    at: datetime = NOW - timedelta(days=1),
    recordings: frozenset[uuid.UUID] | None = None,
) -> ConsentEvent:
    return ConsentEvent(
        uuid.uuid4(), uuid.UUID(int=rid), EventKind.withdrawn, at, MOTHER, recordings
    )


def family(f: Facts) -> Resource:
    """The family itself (its people, gezag): no trajectory, no recording."""
    return Resource(ResourceKind.family, FAMILY, facts=f)
