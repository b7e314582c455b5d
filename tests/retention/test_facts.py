"""Bad facts and policies are refused with a stable code; periods and days are counted exactly."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

import retention
from retention import (
    DEFAULT_POLICIES,
    ConsentFact,
    FamilyFacts,
    Kind,
    LegalHold,
    Period,
    Phase,
    Purpose,
    RetentionError,
    StoredObject,
    TrajectoryType,
    plan,
)
from retention._facts import day_of, end_day
from tests.retention.build import (
    ACTIVE,
    CLOSED,
    FAMILY,
    FOOTAGE,
    ORIG1,
    TRAJ,
    family,
    obj,
    trajectory,
)

OTHER = uuid.UUID(int=404)


def bad_inputs() -> dict[str, Callable[[], object]]:
    return {
        "open_trajectory_with_closure": lambda: trajectory(phase=Phase.active),
        "closed_trajectory_without_date": lambda: trajectory(phase=Phase.closed, closed_on=None),
        "follow_up_before_closure": lambda: trajectory(follow_ups_planned=(date(2026, 5, 1),)),
        "evidence_with_purpose": lambda: obj(
            ORIG1, Kind.evidence, purposes=frozenset({Purpose.review})
        ),
        "negative_size": lambda: obj(ORIG1, Kind.original, size=-1),
        "hold_without_reason": lambda: LegalHold(OTHER, "  ", "fg@org"),
        "duplicate_trajectory": lambda: FamilyFacts(FAMILY, (ACTIVE, ACTIVE)),
        "duplicate_object": lambda: family(objects=(FOOTAGE[0], FOOTAGE[0])),
        "unknown_trajectory": lambda: family(objects=(replace(FOOTAGE[0], trajectory_id=OTHER),)),
        "negative_period": lambda: Period(months=-1),
        "missing_policy": lambda: plan(
            family(trajectory(TrajectoryType.vib)),
            {TrajectoryType.k_vht: DEFAULT_POLICIES[TrajectoryType.k_vht]},
            CLOSED,
        ),
    }


@pytest.mark.parametrize("code", sorted(bad_inputs()))
def test_bad_input_is_refused_with_a_stable_code_and_a_dutch_message(code: str) -> None:
    with pytest.raises(RetentionError) as raised:
        bad_inputs()[code]()
    assert raised.value.code == code
    assert raised.value.message_nl
    assert raised.value.message_en
    assert raised.value.message_nl != raised.value.message_en


def test_a_hold_must_name_who_placed_it() -> None:
    with pytest.raises(RetentionError, match="Bewaarplicht"):
        LegalHold(OTHER, "klacht", "")


def test_a_consent_for_an_unknown_trajectory_is_refused() -> None:
    with pytest.raises(RetentionError) as raised:
        family(consents=(ConsentFact(uuid.uuid4(), Purpose.review, OTHER),))
    assert raised.value.code == "unknown_trajectory"


def test_a_single_policy_of_another_type_is_refused() -> None:
    with pytest.raises(RetentionError) as raised:
        plan(family(), DEFAULT_POLICIES[TrajectoryType.vht_complex], CLOSED)
    assert raised.value.code == "missing_policy"


def test_a_policy_filed_under_the_wrong_type_is_refused() -> None:
    wrong = {TrajectoryType.k_vht: DEFAULT_POLICIES[TrajectoryType.vib]}
    with pytest.raises(RetentionError):
        plan(family(), wrong, CLOSED)


def test_default_policies_cover_every_trajectory_type_and_cannot_be_changed() -> None:
    assert set(DEFAULT_POLICIES) == set(TrajectoryType)
    assert all(p.trajectory_type is t for t, p in DEFAULT_POLICIES.items())
    with pytest.raises(TypeError):
        DEFAULT_POLICIES[TrajectoryType.vib] = DEFAULT_POLICIES[TrajectoryType.k_vht]  # type: ignore[index]  # the test proves the real mapping is read-only by trying to write it


def test_every_purpose_has_rules_and_every_rule_is_known() -> None:
    assert set(retention.RULES) == set(Purpose)
    assert all(rules[0] == retention.WITHDRAWN for rules in retention.RULES.values())


def test_public_face_is_explicit() -> None:
    assert sorted(retention.__all__) == sorted(set(retention.__all__))
    assert all(hasattr(retention, name) for name in retention.__all__)


# --- periods and days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "period", "end"),
    [
        (date(2026, 6, 1), Period(months=6), date(2026, 12, 1)),
        (date(2026, 6, 1), Period(months=18), date(2027, 12, 1)),
        (date(2026, 8, 31), Period(months=6), date(2027, 2, 28)),  # clamped to the month's end
        (date(2027, 8, 31), Period(months=6), date(2028, 2, 29)),  # leap year
        (date(2028, 2, 29), Period.years(5), date(2033, 2, 28)),
        (date(2026, 12, 20), Period(days=14), date(2027, 1, 3)),
        (date(2026, 1, 31), Period(months=1, days=1), date(2026, 3, 1)),
        (date(2026, 1, 31), Period(), date(2026, 1, 31)),
    ],
)
def test_periods_count_calendar_months_then_days(start: date, period: Period, end: date) -> None:
    assert period.after(start) == end


@pytest.mark.parametrize(
    ("period", "text"),
    [
        (Period(months=6), "6 maanden"),
        (Period(months=1), "1 maand"),
        (Period(months=18), "18 maanden"),
        (Period.years(5), "5 jaar"),
        (Period(days=14), "14 dagen"),
        (Period(days=1), "1 dag"),
        (Period(months=2, days=3), "2 maanden en 3 dagen"),
        (Period(), "0 dagen"),
    ],
)
def test_periods_read_in_dutch(period: Period, text: str) -> None:
    assert str(period) == text


def test_days_are_utc_days() -> None:
    amsterdam = timezone(timedelta(hours=2))
    assert day_of(datetime(2026, 6, 2, 1, 0, tzinfo=amsterdam)) == date(2026, 6, 1)
    assert day_of(datetime(2026, 6, 2, 1, 0)) == date(2026, 6, 2)  # naive: taken as UTC
    assert day_of(date(2026, 6, 2)) == date(2026, 6, 2)


def test_an_end_counts_from_the_first_day_starting_at_or_after_it() -> None:
    assert end_day(date(2026, 6, 2)) == date(2026, 6, 2)
    assert end_day(datetime(2026, 6, 2, 0, 0, tzinfo=UTC)) == date(2026, 6, 2)
    assert end_day(datetime(2026, 6, 2, 0, 0, 1, tzinfo=UTC)) == date(2026, 6, 3)
    assert end_day(datetime(2026, 6, 2, 23, 0)) == date(2026, 6, 3)
    # midnight in Amsterdam is 22:00 UTC the day before: that day still runs until its end
    assert end_day(datetime(2026, 6, 3, 0, 0, tzinfo=timezone(timedelta(hours=2)))) == date(
        2026, 6, 3
    )


def test_an_object_without_a_recording_stands_for_the_whole_trajectory() -> None:
    scoped = ConsentFact(uuid.uuid4(), Purpose.review, TRAJ, frozenset({uuid.UUID(int=5)}))
    package = StoredObject(OTHER, Kind.export, TRAJ, CLOSED)
    assert scoped.covers(package)
    assert not scoped.covers(obj(ORIG1, Kind.original, uuid.UUID(int=6)))


def test_phase_and_purpose_are_consents_own() -> None:
    """One vocabulary: retention reads consent's phases and purposes, it keeps no copy to cast between."""
    import consent

    assert retention.Phase is consent.Phase
    assert retention.Purpose is consent.Purpose
