"""Who must sign, what state a consent is in at a moment, and whether it covers a recording."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from consent._model import (
    Authority,
    Capacity,
    ConsentEvent,
    ConsentRecord,
    ConsentStatus,
    EventKind,
    Person,
    PersonKind,
)


def age_on(birth: date, on: date) -> int:
    """Whole years; someone born on 29 February has a birthday on 1 March in common years."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year
        return date(birth.year + years, 3, 1)


@dataclass(frozen=True)
class Required:
    """A signature the law asks for: `person_id` signs in `capacity` for `child_id`.

    `person_id` is None when no one with gezag is recorded for a child under 16.
    """

    person_id: uuid.UUID | None
    capacity: Capacity
    child_id: uuid.UUID
    message: str


def required_signatories(
    people: Iterable[Person], authorities: Iterable[Authority], on: date
) -> list[Required]:
    """Under 12: every parent with gezag. 12-15: those parents and the child. 16+: the young person alone,
    unless recorded as not competent (then the parents). Joint gezag means both parents."""
    authorities = tuple(authorities)
    required: list[Required] = []
    for child in people:
        if child.kind is not PersonKind.child or child.birth_date is None:
            continue
        age = age_on(child.birth_date, on)
        parents = sorted({a.parent_id for a in authorities if a.child_id == child.id})
        needs_parents = age < 16 or not child.competent
        if needs_parents:
            if not parents:
                required.append(
                    Required(
                        None,
                        Capacity.parent_with_authority,
                        child.id,
                        "Geen gezaghebbende ouder vastgelegd.",
                    )
                )
            required.extend(
                Required(
                    p,
                    Capacity.parent_with_authority,
                    child.id,
                    "Handtekening van ouder met gezag ontbreekt.",
                )
                for p in parents
            )
        if 12 <= age < 16:
            required.append(
                Required(
                    child.id,
                    Capacity.child,
                    child.id,
                    "Handtekening van het kind (12-15 jaar) ontbreekt.",
                )
            )
        if age >= 16 and child.competent:
            required.append(
                Required(
                    child.id,
                    Capacity.self,
                    child.id,
                    "Handtekening van de jongere (16+) ontbreekt.",
                )
            )
    return required


def missing_signatures(
    record: ConsentRecord, people: Iterable[Person], authorities: Iterable[Authority]
) -> list[Required]:
    """Signatures the rules require on the day the consent was given that the record lacks."""
    signed = {(s.person_id, s.capacity) for s in record.signatures}
    return [
        r
        for r in required_signatories(people, authorities, record.valid_from.date())
        if r.person_id is None or (r.person_id, r.capacity) not in signed
    ]


def _events(
    record: ConsentRecord, events: Iterable[ConsentEvent], at: datetime
) -> list[ConsentEvent]:
    return sorted(
        (e for e in events if e.record_id == record.id and e.at <= at), key=lambda e: e.at
    )


def status(
    record: ConsentRecord,
    events: Iterable[ConsentEvent],
    people: Iterable[Person],
    authorities: Iterable[Authority],
    at: datetime,
) -> ConsentStatus:
    """The record's state at `at`, derived from the record and the events up to then."""
    happened = _events(record, events, at)
    kinds = {e.kind for e in happened if e.recording_ids is None}
    if EventKind.invalidated in kinds:
        return ConsentStatus.invalidated
    if EventKind.withdrawn in kinds:
        return ConsentStatus.withdrawn
    if EventKind.expired in kinds or (record.valid_until is not None and at >= record.valid_until):
        return ConsentStatus.expired
    if at < record.valid_from:
        return ConsentStatus.not_yet_valid
    if missing_signatures(record, people, authorities):
        return ConsentStatus.incomplete
    return ConsentStatus.given


def in_scope(
    record: ConsentRecord, trajectory_id: uuid.UUID | None, recording_id: uuid.UUID | None
) -> bool:
    if record.trajectory_id != trajectory_id:
        return False
    return record.recording_ids is None or recording_id in record.recording_ids


def withdrawn_for(
    record: ConsentRecord,
    events: Iterable[ConsentEvent],
    recording_id: uuid.UUID | None,
    at: datetime,
) -> bool:
    """A partial withdrawal of this recording took effect by `at`."""
    return any(
        e.kind is EventKind.withdrawn
        and e.recording_ids is not None
        and recording_id in e.recording_ids
        for e in _events(record, events, at)
    )


def needs_reconfirmation(
    record: ConsentRecord,
    events: Iterable[ConsentEvent],
    people: Iterable[Person],
    recorded_at: datetime | None,
) -> uuid.UUID | None:
    """A child who turned 12 or 16 after the consent was signed and before the footage was recorded,
    with no re-confirmation since that birthday: the child's id, else None."""
    if recorded_at is None:
        return None
    reconfirmed = [
        e.at.date() for e in events if e.record_id == record.id and e.kind is EventKind.reconfirmed
    ]
    signed_on, recorded_on = record.valid_from.date(), recorded_at.date()
    for child in people:
        if child.kind is not PersonKind.child or child.birth_date is None:
            continue
        for years in (12, 16):
            day = birthday(child.birth_date, years)
            if signed_on < day <= recorded_on and not any(
                day <= r <= recorded_on for r in reconfirmed
            ):
                return child.id
    return None


@dataclass(frozen=True)
class Reconfirmation:
    family_id: uuid.UUID
    child_id: uuid.UUID
    turns: int
    on: date


def families_needing_reconfirmation(
    families: Iterable[tuple[uuid.UUID, tuple[Person, ...]]], start: date, end: date
) -> list[Reconfirmation]:
    """Children turning 12 or 16 in [start, end]: their family's consents need re-confirmation for new
    footage from that day."""
    out: list[Reconfirmation] = []
    for family_id, people in families:
        for child in people:
            if child.kind is PersonKind.child and child.birth_date is not None:
                for years in (12, 16):
                    day = birthday(child.birth_date, years)
                    if start <= day <= end:
                        out.append(Reconfirmation(family_id, child.id, years, day))
    return sorted(out, key=lambda r: r.on)
