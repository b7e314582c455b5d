"""Each retention rule at its date boundaries: the day before, the day itself, the day after."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from retention import (
    DEFAULT_POLICIES,
    ConsentFact,
    Kind,
    Period,
    Phase,
    Purpose,
    Reason,
    RetentionPolicy,
    TrajectoryType,
    Withdrawal,
    WokShare,
    plan,
)
from tests.retention.build import (
    ACTIVE,
    CLIP1,
    CLOSED,
    DAY,
    EXPORT,
    FOOTAGE,
    ORIG1,
    ORIG2,
    PROXY1,
    REC1,
    REC2,
    RECORDED,
    TRAJ,
    assert_due_from,
    dates,
    due_ids,
    family,
    obj,
    rules,
    trajectory,
)

ALL_FOOTAGE = {ORIG1, ORIG2, PROXY1, EXPORT}


# --- originals and proxies: closure + grace, never before the last follow-up ----------------------


@pytest.mark.parametrize(
    ("kind", "due"),
    [
        (TrajectoryType.k_vht, date(2026, 12, 1)),  # 6 months
        (TrajectoryType.vht_complex, date(2027, 12, 1)),  # 18 months
        (TrajectoryType.vib, date(2026, 12, 1)),  # 6 months
    ],
)
def test_footage_goes_at_closure_plus_grace(kind: TrajectoryType, due: date) -> None:
    facts = family(trajectory(kind))
    assert_due_from(facts, ALL_FOOTAGE, due)
    p = plan(facts, DEFAULT_POLICIES, due)
    assert set(rules(p).values()) == {"original_after_follow_up"}
    assert p.family_complete


def test_a_late_follow_up_pushes_the_date_to_the_day_it_is_done() -> None:
    late = date(2027, 2, 15)
    facts = family(trajectory(follow_ups_planned=(date(2026, 12, 1),), follow_ups_done=(late,)))
    assert_due_from(facts, ALL_FOOTAGE, late)
    assert plan(facts, DEFAULT_POLICIES, late).items[0].reason == Reason(
        "last_follow_up_done", late, Period()
    )


def test_a_follow_up_still_to_come_keeps_the_footage_even_past_its_planned_day() -> None:
    facts = family(trajectory(phase=Phase.follow_up, follow_ups_planned=(date(2026, 12, 1),)))
    p = plan(facts, DEFAULT_POLICIES, date(2027, 6, 1))
    assert p.items == ()
    assert {u.object_id for u in p.undated} == ALL_FOOTAGE
    assert all(u.waiting_for == (Purpose.review,) for u in p.undated)
    assert not p.family_complete


def test_an_ended_trajectory_has_no_follow_up_left_even_if_one_was_never_held() -> None:
    facts = family(trajectory(phase=Phase.ended, follow_ups_planned=(date(2026, 12, 1),)))
    assert_due_from(facts, ALL_FOOTAGE, date(2026, 12, 1))


def test_an_open_trajectory_has_no_dates_yet() -> None:
    p = plan(family(ACTIVE), DEFAULT_POLICIES, date(2030, 1, 1))
    assert p.items == ()
    assert len(p.undated) == 4
    assert not p.family_complete


def test_grace_after_the_last_follow_up_is_configurable() -> None:
    policy = replace(DEFAULT_POLICIES[TrajectoryType.k_vht], keep_after_last_follow_up=Period(1))
    facts = family(
        trajectory(follow_ups_planned=(date(2026, 12, 1),), follow_ups_done=(date(2026, 12, 1),))
    )
    day = date(2027, 1, 1)
    assert {i.object_id for i in plan(facts, policy, day - DAY).due()} == set()
    assert {i.object_id for i in plan(facts, policy, day).due()} == ALL_FOOTAGE


def test_an_organisation_can_set_its_own_periods() -> None:
    own = {
        **DEFAULT_POLICIES,
        TrajectoryType.k_vht: RetentionPolicy(
            TrajectoryType.k_vht, Period(months=9), organisation_id=uuid.uuid4()
        ),
    }
    assert set(dates(plan(family(), own, CLOSED)).values()) == {date(2027, 3, 1)}


# --- export handed over, no follow-up remaining ---------------------------------------------------


def test_export_handed_over_with_no_follow_up_left_goes_earlier() -> None:
    facts = family(trajectory(phase=Phase.closed, export_handed_over_on=date(2026, 6, 10)))
    assert_due_from(facts, ALL_FOOTAGE, date(2026, 6, 24))  # hand-over + 14 days
    p = plan(facts, DEFAULT_POLICIES, date(2026, 6, 24))
    assert set(rules(p).values()) == {"export_handed_over"}
    assert p.items[0].reason == Reason("handed_over", date(2026, 6, 10), Period(days=14))


def test_complex_vht_export_after_both_follow_ups_goes_before_the_18_months() -> None:
    follow_ups = (date(2026, 12, 1), date(2027, 6, 1))
    facts = family(
        trajectory(
            TrajectoryType.vht_complex,
            Phase.follow_up,
            follow_ups_planned=follow_ups,
            follow_ups_done=follow_ups,
            export_handed_over_on=date(2027, 6, 5),
        )
    )
    assert_due_from(facts, ALL_FOOTAGE, date(2027, 6, 19))  # not 2027-12-01


def test_hand_over_does_not_count_while_a_follow_up_remains() -> None:
    facts = family(
        trajectory(
            phase=Phase.closed,
            follow_ups_planned=(date(2026, 12, 1),),
            export_handed_over_on=date(2026, 6, 10),
        )
    )
    p = plan(facts, DEFAULT_POLICIES, date(2026, 11, 30))
    assert p.items == ()
    assert len(p.undated) == 4


def test_footage_made_after_the_hand_over_was_not_in_the_package() -> None:
    late = obj(ORIG2, Kind.original, REC2, created=date(2026, 6, 12))
    facts = family(
        trajectory(phase=Phase.closed, export_handed_over_on=date(2026, 6, 10)), (FOOTAGE[0], late)
    )
    p = plan(facts, DEFAULT_POLICIES, CLOSED)
    assert rules(p) == {ORIG1: "export_handed_over", ORIG2: "original_after_follow_up"}
    assert dates(p) == {ORIG1: date(2026, 6, 24), ORIG2: date(2026, 12, 1)}


def test_hand_over_before_closure_counts_from_closure() -> None:
    facts = family(trajectory(phase=Phase.closed, export_handed_over_on=date(2026, 5, 20)))
    assert_due_from(facts, {ORIG1, ORIG2, PROXY1}, date(2026, 6, 15))
    # the package object itself was made at closure, after that hand-over: it waits for the grace
    assert dates(plan(facts, DEFAULT_POLICIES, CLOSED))[EXPORT] == date(2026, 12, 1)


# --- filmed reviews kept for supervision ----------------------------------------------------------

REVIEW = uuid.UUID("4e000000-0000-0000-0000-000000000001")


def test_review_recording_goes_when_supervision_is_done() -> None:
    facts = family(
        replace(ACTIVE, supervision_done_on=date(2026, 3, 3)),
        (obj(REVIEW, Kind.review_recording, REC1),),
    )
    assert_due_from(facts, {REVIEW}, date(2026, 3, 3))
    assert rules(plan(facts, DEFAULT_POLICIES, date(2026, 3, 3))) == {REVIEW: "supervision_done"}


def test_review_recording_goes_at_closure_without_supervision_done() -> None:
    facts = family(
        trajectory(phase=Phase.closed, follow_ups_planned=(date(2026, 12, 1),)),
        (obj(REVIEW, Kind.review_recording, REC1),),
    )
    assert_due_from(facts, {REVIEW}, CLOSED)
    assert rules(plan(facts, DEFAULT_POLICIES, CLOSED)) == {REVIEW: "supervision_at_closure"}


def test_supervision_done_after_closure_does_not_extend_it() -> None:
    facts = family(
        trajectory(supervision_done_on=date(2026, 7, 1)),
        (obj(REVIEW, Kind.review_recording, REC1),),
    )
    assert dates(plan(facts, DEFAULT_POLICIES, CLOSED)) == {REVIEW: CLOSED}


# --- clips shared into a WOK ----------------------------------------------------------------------

SESSION = uuid.UUID("50000000-0000-0000-0000-000000000001")
WOK_CLIP = obj(CLIP1, Kind.clip, REC1, clip_id=CLIP1)


def test_wok_clip_goes_when_the_session_ends() -> None:
    facts = family(
        ACTIVE, (WOK_CLIP,), wok_shares=(WokShare(SESSION, frozenset({CLIP1}), date(2026, 4, 4)),)
    )
    assert_due_from(facts, {CLIP1}, date(2026, 4, 4))
    assert rules(plan(facts, DEFAULT_POLICIES, date(2026, 4, 4))) == {CLIP1: "wok_session_ended"}


def test_a_session_ending_in_the_afternoon_keeps_the_clip_until_the_next_day() -> None:
    ends = datetime(2026, 4, 4, 16, 0, tzinfo=UTC)
    facts = family(ACTIVE, (WOK_CLIP,), wok_shares=(WokShare(SESSION, frozenset({CLIP1}), ends),))
    assert_due_from(facts, {CLIP1}, date(2026, 4, 5))


def test_shared_into_two_sessions_the_clip_stays_for_the_later_one() -> None:
    shares = (
        WokShare(SESSION, frozenset({CLIP1}), date(2026, 4, 4)),
        WokShare(uuid.uuid4(), frozenset({CLIP1}), date(2026, 5, 9)),
    )
    assert_due_from(family(ACTIVE, (WOK_CLIP,), wok_shares=shares), {CLIP1}, date(2026, 5, 9))


def test_a_wok_share_never_outlives_the_trajectorys_footage() -> None:
    share = WokShare(SESSION, frozenset({CLIP1}), date(2027, 3, 1))
    p = plan(family(trajectory(), (WOK_CLIP,), wok_shares=(share,)), DEFAULT_POLICIES, CLOSED)
    assert (dates(p), rules(p)) == (
        {CLIP1: date(2026, 12, 1)},
        {CLIP1: "original_after_follow_up"},
    )


def test_a_clip_also_kept_for_teaching_outlives_the_meeting() -> None:
    clip = replace(WOK_CLIP, purposes=frozenset({Purpose.teaching}))
    consent = ConsentFact(uuid.uuid4(), Purpose.teaching, TRAJ, valid_from=RECORDED)
    share = WokShare(SESSION, frozenset({CLIP1}), date(2026, 4, 4))
    p = plan(
        family(ACTIVE, (clip,), consents=(consent,), wok_shares=(share,)),
        DEFAULT_POLICIES,
        RECORDED,
    )
    assert rules(p) == {CLIP1: "consent_expired"}
    assert dates(p) == {CLIP1: date(2031, 2, 1)}


def test_an_untagged_unshared_clip_goes_with_the_originals() -> None:
    p = plan(family(trajectory(), (obj(CLIP1, Kind.clip, REC1),)), DEFAULT_POLICIES, CLOSED)
    assert rules(p) == {CLIP1: "original_after_follow_up"}


# --- teaching clips: consent expiry, at most five years -------------------------------------------

TEACH = obj(CLIP1, Kind.clip, REC1, purposes=frozenset({Purpose.teaching}))


def teaching(**extra: object) -> ConsentFact:
    return ConsentFact(uuid.uuid4(), Purpose.teaching, TRAJ, **extra)  # type: ignore[arg-type]  # **extra holds keyword arguments of ConsentFact; mypy cannot match object to each


def test_teaching_clip_goes_at_consent_expiry() -> None:
    consent = teaching(valid_from=date(2026, 3, 1), valid_until=date(2029, 3, 1))
    facts = family(ACTIVE, (TEACH,), consents=(consent,))
    assert_due_from(facts, {CLIP1}, date(2029, 3, 1))
    p = plan(facts, DEFAULT_POLICIES, date(2029, 3, 1))
    assert rules(p) == {CLIP1: "consent_expired"}
    assert p.items[0].reason == Reason(
        "consent_ends", date(2029, 3, 1), Period.years(5), Purpose.teaching
    )


@pytest.mark.parametrize("valid_until", [None, date(2033, 3, 1)])
def test_teaching_is_capped_at_five_years(valid_until: date | None) -> None:
    consent = teaching(valid_from=date(2026, 3, 1), valid_until=valid_until)
    assert_due_from(family(ACTIVE, (TEACH,), consents=(consent,)), {CLIP1}, date(2031, 3, 1))


def test_teaching_cap_counts_from_the_clip_when_the_consent_has_no_start() -> None:
    consent = teaching()
    assert_due_from(family(ACTIVE, (TEACH,), consents=(consent,)), {CLIP1}, date(2031, 2, 1))


def test_teaching_consent_ending_mid_day_keeps_the_clip_that_day() -> None:
    consent = teaching(valid_from=RECORDED, valid_until=datetime(2028, 1, 1, 12, 0, tzinfo=UTC))
    assert_due_from(family(ACTIVE, (TEACH,), consents=(consent,)), {CLIP1}, date(2028, 1, 2))


def test_teaching_clip_without_any_consent_goes_at_once() -> None:
    p = plan(family(ACTIVE, (TEACH,)), DEFAULT_POLICIES, RECORDED)
    assert [i.object_id for i in p.due()] == [CLIP1]
    assert p.items[0].reason == Reason("no_consent", RECORDED, purpose=Purpose.teaching)


def test_teaching_consent_for_other_recordings_does_not_keep_the_clip() -> None:
    consent = teaching(recording_ids=frozenset({REC2}), valid_until=date(2030, 1, 1))
    p = plan(family(ACTIVE, (TEACH,), consents=(consent,)), DEFAULT_POLICIES, RECORDED)
    assert dates(p) == {CLIP1: RECORDED}


def test_research_follows_its_consent_like_teaching() -> None:
    clip = obj(CLIP1, Kind.clip, REC1, purposes=frozenset({Purpose.research}))
    consent = ConsentFact(uuid.uuid4(), Purpose.research, TRAJ, valid_until=date(2027, 1, 1))
    assert_due_from(family(ACTIVE, (clip,), consents=(consent,)), {CLIP1}, date(2027, 1, 1))


# --- withdrawals ----------------------------------------------------------------------------------


def review(*withdrawals: Withdrawal, scope: frozenset[uuid.UUID] | None = None) -> ConsentFact:
    return ConsentFact(uuid.uuid4(), Purpose.review, TRAJ, scope, withdrawals=withdrawals)


def test_full_withdrawal_purges_the_covered_footage_at_once() -> None:
    facts = family(ACTIVE, consents=(review(Withdrawal(date(2026, 3, 2))),))
    assert_due_from(facts, ALL_FOOTAGE, date(2026, 3, 2))
    p = plan(facts, DEFAULT_POLICIES, date(2026, 3, 2))
    assert set(rules(p).values()) == {"withdrawn_consent"}
    assert p.items[0].reason == Reason(
        "consent_withdrawn", date(2026, 3, 2), purpose=Purpose.review
    )


def test_partial_withdrawal_purges_exactly_the_withdrawn_recordings() -> None:
    facts = family(ACTIVE, consents=(review(Withdrawal(date(2026, 3, 2), frozenset({REC1}))),))
    # the parents' package holds recording 1 as well, so it goes too; recording 2 stays
    assert_due_from(facts, {ORIG1, PROXY1, EXPORT}, date(2026, 3, 2))
    p = plan(facts, DEFAULT_POLICIES, date(2030, 1, 1))
    assert {i.object_id for i in p.items} == {ORIG1, PROXY1, EXPORT}
    assert [u.object_id for u in p.undated] == [ORIG2]


def test_withdrawal_of_a_consent_scoped_to_one_recording_covers_only_that_recording() -> None:
    facts = family(
        ACTIVE, consents=(review(Withdrawal(date(2026, 3, 2)), scope=frozenset({REC2})),)
    )
    assert due_ids(facts, date(2026, 3, 2)) == {ORIG2, EXPORT}


def test_two_partial_withdrawals_each_count_from_their_own_day() -> None:
    consent = review(
        Withdrawal(date(2026, 3, 2), frozenset({REC1})),
        Withdrawal(date(2026, 4, 7), frozenset({REC2})),
    )
    facts = family(ACTIVE, consents=(consent,))
    assert_due_from(facts, {ORIG1, PROXY1, EXPORT}, date(2026, 3, 2))
    assert_due_from(facts, {ORIG2}, date(2026, 4, 7))


def test_withdrawal_day_is_the_utc_day_of_the_event() -> None:
    cet = timezone(timedelta(hours=1))
    at = datetime(2026, 3, 3, 0, 30, tzinfo=cet)  # 2 March 23:30 UTC
    facts = family(ACTIVE, consents=(review(Withdrawal(at)),))
    assert due_ids(facts, date(2026, 3, 2)) == ALL_FOOTAGE


def test_withdrawing_supervision_does_not_touch_the_familys_own_footage() -> None:
    objects = (*FOOTAGE, obj(uuid.UUID(int=99), Kind.review_recording, REC2))
    consent = ConsentFact(
        uuid.uuid4(), Purpose.supervision, TRAJ, withdrawals=(Withdrawal(date(2026, 3, 2)),)
    )
    facts = family(ACTIVE, objects, consents=(consent,))
    assert due_ids(facts, date(2026, 3, 2)) == {uuid.UUID(int=99)}


def test_withdrawing_wok_keeps_a_clip_that_also_serves_teaching_until_teaching_is_withdrawn() -> (
    None
):
    clip = replace(WOK_CLIP, purposes=frozenset({Purpose.wok, Purpose.teaching}))
    wok = ConsentFact(uuid.uuid4(), Purpose.wok, TRAJ, withdrawals=(Withdrawal(date(2026, 3, 2)),))
    keep = teaching(valid_until=date(2029, 1, 1))
    assert due_ids(family(ACTIVE, (clip,), consents=(wok, keep)), date(2026, 3, 2)) == set()
    gone = teaching(valid_until=date(2029, 1, 1), withdrawals=(Withdrawal(date(2026, 5, 1)),))
    assert_due_from(family(ACTIVE, (clip,), consents=(wok, gone)), {CLIP1}, date(2026, 5, 1))


def test_withdrawal_wins_over_a_later_rule_and_loses_to_nothing() -> None:
    facts = family(trajectory(), consents=(review(Withdrawal(date(2026, 9, 1))),))
    p = plan(facts, DEFAULT_POLICIES, CLOSED)
    assert set(rules(p).values()) == {"withdrawn_consent"}
    assert set(dates(p).values()) == {date(2026, 9, 1)}
