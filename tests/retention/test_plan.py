"""Retention rules at their date boundaries, holds, withdrawals, and a family driven through time."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention import (
    DEFAULT_POLICY,
    ConsentFact,
    FamilyFacts,
    Kept,
    LegalHold,
    Phase,
    StoredObject,
    TrajectoryFacts,
    TrajectoryType,
    WokShare,
    plan,
)

FAMILY = uuid.UUID(int=1)
TRAJ = uuid.UUID(int=2)
REC1, REC2 = uuid.UUID(int=3), uuid.UUID(int=4)
ORIG1, ORIG2, PROXY1 = uuid.UUID(int=10), uuid.UUID(int=11), uuid.UUID(int=12)
REVIEW, WOK, TEACH, EVIDENCE, EXPORT = (uuid.UUID(int=i) for i in range(20, 25))
CLOSED = date(2026, 6, 1)

OBJECTS = (
    StoredObject(ORIG1, Kept.original, TRAJ, REC1),
    StoredObject(ORIG2, Kept.original, TRAJ, REC2),
    StoredObject(PROXY1, Kept.proxy, TRAJ, REC1),
)


def family(
    traj: TrajectoryFacts, objects: tuple[StoredObject, ...] = OBJECTS, **extra: object
) -> FamilyFacts:
    return FamilyFacts(FAMILY, (traj,), objects, **extra)  # type: ignore[arg-type]


def k_vht(**changes: object) -> TrajectoryFacts:
    base = TrajectoryFacts(
        TRAJ, TrajectoryType.k_vht, Phase.follow_up, CLOSED, (date(2026, 12, 1),), ()
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def due_dates(p) -> dict[uuid.UUID, date]:  # type: ignore[no-untyped-def]
    return {i.object_id: i.due for i in p.items}


def test_active_trajectory_has_no_dates_yet() -> None:
    p = plan(family(k_vht(phase=Phase.active, closed_on=None)), DEFAULT_POLICY, date(2026, 1, 1))
    assert p.items == ()
    assert set(p.undated) == {ORIG1, ORIG2, PROXY1}
    assert not p.family_complete


@pytest.mark.parametrize(
    ("kind", "grace"),
    [(TrajectoryType.k_vht, 183), (TrajectoryType.vht_complex, 548), (TrajectoryType.vib, 183)],
)
def test_originals_after_closure_plus_grace_at_the_boundary(
    kind: TrajectoryType, grace: int
) -> None:
    traj = k_vht(type=kind, follow_ups_planned=(), phase=Phase.ended)
    due = CLOSED + timedelta(days=grace)
    for today, expected in ((due - timedelta(days=1), 0), (due, 3), (due + timedelta(days=1), 3)):
        p = plan(family(traj), DEFAULT_POLICY, today)
        assert len(p.due()) == expected, today
    assert {i.rule for i in plan(family(traj), DEFAULT_POLICY, due).items} == {
        "original_after_follow_up"
    }


def test_never_before_the_last_follow_up() -> None:
    late = date(2027, 3, 1)  # the follow-up slipped past closure + 6 months
    p = plan(family(k_vht(follow_ups_planned=(late,))), DEFAULT_POLICY, late - timedelta(days=1))
    assert p.due() == []
    assert set(due_dates(p).values()) == {late}


def test_export_handed_over_with_no_follow_up_left_goes_earlier() -> None:
    traj = k_vht(
        follow_ups_planned=(date(2026, 7, 15),),
        follow_ups_done=(date(2026, 7, 15),),
        export_handed_over_on=date(2026, 7, 20),
    )
    p = plan(family(traj), DEFAULT_POLICY, date(2026, 8, 19))
    assert {i.rule for i in p.items} == {"export_handed_over"}
    assert set(due_dates(p).values()) == {date(2026, 8, 19)}
    assert len(p.due()) == 3
    # with a follow-up still to come, the hand-over does not bring the date forward
    waiting = plan(
        family(k_vht(export_handed_over_on=date(2026, 7, 1))), DEFAULT_POLICY, date(2026, 8, 1)
    )
    assert {i.rule for i in waiting.items} == {"original_after_follow_up"}


def test_withdrawal_purges_exactly_the_covered_recordings_at_once() -> None:
    consents = (
        ConsentFact(
            uuid.UUID(int=50),
            "review",
            TRAJ,
            withdrawn_on=date(2026, 2, 2),
            withdrawn_recordings=frozenset({REC1}),
        ),
    )
    p = plan(
        family(k_vht(phase=Phase.active, closed_on=None), consents=consents),
        DEFAULT_POLICY,
        date(2026, 2, 2),
    )
    assert {i.object_id for i in p.due()} == {ORIG1, PROXY1}
    assert {i.rule for i in p.due()} == {"withdrawn_consent"}
    assert ORIG2 in p.undated
    before = plan(
        family(k_vht(phase=Phase.active, closed_on=None), consents=consents),
        DEFAULT_POLICY,
        date(2026, 2, 1),
    )
    assert before.due() == []


def test_withdrawal_of_supervision_consent_does_not_touch_the_familys_own_footage() -> None:
    objects = (*OBJECTS, StoredObject(REVIEW, Kept.review_recording, TRAJ, REC2))
    consents = (ConsentFact(uuid.UUID(int=51), "supervision", TRAJ, withdrawn_on=date(2026, 2, 2)),)
    p = plan(
        family(k_vht(phase=Phase.active, closed_on=None), objects, consents=consents),
        DEFAULT_POLICY,
        date(2026, 2, 2),
    )
    assert [i.object_id for i in p.due()] == [REVIEW]


def test_review_recording_at_supervision_done_or_closure() -> None:
    objects = (StoredObject(REVIEW, Kept.review_recording, TRAJ, REC1),)
    p = plan(
        family(
            k_vht(phase=Phase.active, closed_on=None, supervision_done_on=date(2026, 3, 3)), objects
        ),
        DEFAULT_POLICY,
        date(2026, 3, 3),
    )
    assert [(i.object_id, i.rule) for i in p.due()] == [(REVIEW, "review_after_supervision")]
    p = plan(family(k_vht(), objects), DEFAULT_POLICY, CLOSED)
    assert due_dates(p) == {REVIEW: CLOSED}


def test_wok_clip_at_session_end_and_teaching_at_consent_expiry() -> None:
    objects = (
        StoredObject(WOK, Kept.wok_clip, TRAJ, REC1),
        StoredObject(TEACH, Kept.teaching_clip, TRAJ, REC2),
    )
    consents = (
        ConsentFact(
            uuid.UUID(int=52), "teaching", TRAJ, frozenset({REC2}), valid_until=date(2031, 1, 1)
        ),
    )
    facts = family(
        k_vht(phase=Phase.active, closed_on=None),
        objects,
        consents=consents,
        wok_shares=(WokShare(WOK, date(2026, 4, 4)),),
    )
    assert due_dates(plan(facts, DEFAULT_POLICY, date(2026, 4, 3))) == {
        WOK: date(2026, 4, 4),
        TEACH: date(2031, 1, 1),
    }
    assert [i.object_id for i in plan(facts, DEFAULT_POLICY, date(2026, 4, 4)).due()] == [WOK]


def test_evidence_and_export_package_have_their_own_periods() -> None:
    objects = (StoredObject(EVIDENCE, Kept.evidence, TRAJ), StoredObject(EXPORT, Kept.export, TRAJ))
    traj = k_vht(export_handed_over_on=date(2026, 6, 5))
    dates = due_dates(plan(family(traj, objects), DEFAULT_POLICY, CLOSED))
    assert dates[EXPORT] == date(2026, 7, 5)
    assert dates[EVIDENCE] == CLOSED + timedelta(days=5 * 365 + 1)


def test_a_hold_blocks_and_releasing_it_lets_the_purge_proceed() -> None:
    traj = k_vht(phase=Phase.ended, follow_ups_planned=())
    due = CLOSED + timedelta(days=183)
    hold = LegalHold(
        uuid.UUID(int=60),
        "klacht in behandeling",
        "fg@org",
        date(2026, 5, 1),
        review_on=date(2027, 1, 1),
    )
    held = plan(family(traj, holds=(hold,)), DEFAULT_POLICY, due)
    assert held.due() == []
    assert len(held.blocked()) == 3
    assert not held.family_complete
    assert "geblokkeerd" in held.describe()[0]
    released = plan(family(traj, holds=(replace(hold, released_on=due),)), DEFAULT_POLICY, due)
    assert len(released.due()) == 3
    assert released.family_complete
    expired = plan(
        family(traj, holds=(replace(hold, until=due - timedelta(days=1)),)), DEFAULT_POLICY, due
    )
    assert len(expired.due()) == 3
    partial = plan(
        family(traj, holds=(replace(hold, object_ids=frozenset({ORIG1})),)), DEFAULT_POLICY, due
    )
    assert {i.object_id for i in partial.due()} == {ORIG2, PROXY1}


def test_a_k_vht_family_driven_through_time_is_purged_on_the_right_day() -> None:
    intake = k_vht(phase=Phase.intake, closed_on=None, follow_ups_planned=())
    assert plan(family(intake), DEFAULT_POLICY, date(2026, 1, 10)).items == ()
    closed = k_vht(phase=Phase.closed, follow_ups_planned=(date(2026, 12, 1),))
    follow = replace(closed, phase=Phase.follow_up, follow_ups_done=(date(2026, 12, 1),))
    ended = replace(follow, phase=Phase.ended)
    the_day = CLOSED + timedelta(days=183)
    for facts in (closed, follow, ended):
        assert plan(family(facts), DEFAULT_POLICY, the_day - timedelta(days=1)).due() == []
    final = plan(family(ended), DEFAULT_POLICY, the_day)
    assert len(final.due()) == 3
    assert final.family_complete
    assert "wordt verwijderd op 2026-12-01" in final.describe()[0]


def test_complex_vht_with_two_follow_ups() -> None:
    traj = TrajectoryFacts(
        TRAJ,
        TrajectoryType.vht_complex,
        Phase.follow_up,
        CLOSED,
        (date(2026, 12, 1), date(2027, 12, 1)),
        (date(2026, 12, 1),),
    )
    before = plan(family(traj), DEFAULT_POLICY, date(2027, 11, 30))
    assert set(due_dates(before).values()) == {CLOSED + timedelta(days=548)}
    assert before.due() == []
    # the second follow-up has not been held on its day: nothing goes until it has
    slipped = plan(family(traj), DEFAULT_POLICY, date(2027, 12, 10))
    assert slipped.due() == []
    assert set(slipped.undated) == {ORIG1, ORIG2, PROXY1}
    done = replace(traj, phase=Phase.ended, follow_ups_done=(date(2026, 12, 1), date(2027, 12, 12)))
    assert len(plan(family(done), DEFAULT_POLICY, date(2027, 12, 12)).due()) == 3


dates = st.dates(date(2025, 1, 1), date(2029, 1, 1))


@settings(max_examples=300, deadline=None)
@given(
    closed=st.one_of(st.none(), dates),
    withdrawn=st.one_of(st.none(), dates),
    partial=st.booleans(),
    hold_from=st.one_of(st.none(), dates),
    hold_until=st.one_of(st.none(), dates),
    today=dates,
)
def test_holds_always_block_and_withdrawals_are_never_late(
    closed, withdrawn, partial, hold_from, hold_until, today
) -> None:  # type: ignore[no-untyped-def]
    traj = k_vht(
        phase=Phase.ended if closed else Phase.active, closed_on=closed, follow_ups_planned=()
    )
    consents = (
        ConsentFact(
            uuid.UUID(int=70),
            "review",
            TRAJ,
            withdrawn_on=withdrawn,
            withdrawn_recordings=frozenset({REC1}) if partial else None,
        ),
    )
    holds = (LegalHold(uuid.UUID(int=71), "x", "fg", hold_from, hold_until),) if hold_from else ()
    p = plan(family(traj, consents=consents, holds=holds), DEFAULT_POLICY, today)
    for item in p.due():
        assert not any(h.blocks(item.object_id, today) for h in holds)
    if withdrawn is not None:
        covered = {ORIG1, PROXY1} if partial else {ORIG1, ORIG2, PROXY1}
        dated = due_dates(p)
        for obj in covered:
            assert dated[obj] <= withdrawn
