"""Who must sign, at the age boundaries, and what changes when a child turns 12 or 16."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from consent import (
    Action,
    Authority,
    Capacity,
    ConsentEvent,
    EventKind,
    Person,
    PersonKind,
    Purpose,
    Role,
    Signature,
    decide,
    families_needing_reconfirmation,
    missing_signatures,
    required_signatories,
)

from .world import ACTORS, CHILD, FATHER, MOTHER, T0, clip, facts, record

BIRTH = date(2010, 6, 15)


def needed(
    on: date, *, competent: bool = True, authorities: tuple[Authority, ...] | None = None
) -> set[tuple[uuid.UUID | None, Capacity]]:
    people = (
        Person(MOTHER, PersonKind.parent),
        Person(FATHER, PersonKind.parent),
        Person(CHILD, PersonKind.child, BIRTH, competent),
    )
    auth = (
        authorities
        if authorities is not None
        else (Authority(CHILD, MOTHER), Authority(CHILD, FATHER))
    )
    return {(r.person_id, r.capacity) for r in required_signatories(people, auth, on)}


PARENTS = {(MOTHER, Capacity.parent_with_authority), (FATHER, Capacity.parent_with_authority)}


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2022, 6, 14), PARENTS),  # 11 years 364 days
        (date(2022, 6, 15), PARENTS | {(CHILD, Capacity.child)}),  # 12
        (date(2026, 6, 14), PARENTS | {(CHILD, Capacity.child)}),  # 15 years 364 days
        (date(2026, 6, 15), {(CHILD, Capacity.self)}),  # 16
    ],
)
def test_age_boundaries(on: date, expected: set[tuple[uuid.UUID, Capacity]]) -> None:
    assert needed(on) == expected


def test_sixteen_but_not_competent_means_the_parents() -> None:
    assert needed(date(2027, 1, 1), competent=False) == PARENTS


def test_sole_authority_needs_one_parent_and_none_recorded_is_missing() -> None:
    assert needed(date(2015, 1, 1), authorities=(Authority(CHILD, MOTHER),)) == {
        (MOTHER, Capacity.parent_with_authority)
    }
    assert needed(date(2015, 1, 1), authorities=()) == {(None, Capacity.parent_with_authority)}


def test_leap_day_birthday() -> None:
    people = (Person(MOTHER, PersonKind.parent), Person(CHILD, PersonKind.child, date(2012, 2, 29)))
    auth = (Authority(CHILD, MOTHER),)
    before = {r.capacity for r in required_signatories(people, auth, date(2024, 2, 28))}
    on_day = {r.capacity for r in required_signatories(people, auth, date(2024, 2, 29))}
    assert Capacity.child not in before
    assert Capacity.child in on_day


def test_joint_authority_needs_both_and_says_who_is_missing() -> None:
    r = record(
        Purpose.supervision, signatures=(Signature(MOTHER, Capacity.parent_with_authority, T0),)
    )
    f = facts(r)
    missing = missing_signatures(r, f.people, f.authorities)
    assert [(m.person_id, m.capacity) for m in missing] == [
        (FATHER, Capacity.parent_with_authority)
    ]
    assert "ontbreekt" in missing[0].message
    assert (
        decide(ACTORS[Role.opleider], Action.stream, clip(f), T0 + timedelta(days=1)).reason
        == "consent_incomplete"
    )


def test_turning_twelve_needs_reconfirmation_for_new_footage() -> None:
    child = Person(CHILD, PersonKind.child, date(2014, 4, 1))
    people = (Person(MOTHER, PersonKind.parent), Person(FATHER, PersonKind.parent), child)
    signed = datetime(2026, 1, 10, tzinfo=UTC)
    r = record(Purpose.supervision)
    r = type(r)(
        r.id,
        r.family_id,
        r.purpose,
        r.trajectory_id,
        signed,
        tuple(Signature(s.person_id, s.capacity, signed) for s in r.signatures),
    )
    f = facts(r, people=people)
    before = clip(f)
    before = type(before)(**{**before.__dict__, "recorded_at": datetime(2026, 3, 31, tzinfo=UTC)})
    after = type(before)(**{**before.__dict__, "recorded_at": datetime(2026, 4, 2, tzinfo=UTC)})
    at = datetime(2026, 5, 1, tzinfo=UTC)
    assert decide(ACTORS[Role.opleider], Action.stream, before, at).allowed
    assert decide(ACTORS[Role.opleider], Action.stream, after, at).reason == "needs_reconfirmation"
    reconfirmed = ConsentEvent(
        uuid.uuid4(), r.id, EventKind.reconfirmed, datetime(2026, 4, 1, 12, tzinfo=UTC)
    )
    f2 = facts(r, people=people, events=(reconfirmed,))
    after2 = type(after)(**{**after.__dict__, "facts": f2})
    assert decide(ACTORS[Role.opleider], Action.stream, after2, at).allowed
    report = families_needing_reconfirmation(
        [(uuid.UUID(int=1), people)], date(2026, 1, 1), date(2026, 12, 31)
    )
    assert [(x.child_id, x.turns, x.on) for x in report] == [(CHILD, 12, date(2026, 4, 1))]


def test_teaching_consent_is_capped_at_five_years() -> None:
    with pytest.raises(ValueError, match="five years"):
        record(Purpose.teaching, valid_until=T0 + timedelta(days=6 * 365))
    with pytest.raises(ValueError, match="five years"):
        record(Purpose.teaching)
