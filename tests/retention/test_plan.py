"""Legal holds, consent evidence, the plan's helpers and text, and families driven through time."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

from retention import (
    DEFAULT_POLICIES,
    EVENTS,
    RULE_CODES,
    ConsentFact,
    FamilyFacts,
    Kind,
    LegalHold,
    Period,
    Phase,
    PurgePlan,
    Purpose,
    Reason,
    StoredObject,
    TrajectoryFacts,
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
    FAMILY,
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
DUE = date(2026, 12, 1)  # closure + 6 months for the default K-VHT family
HOLD = LegalHold(
    uuid.UUID("40100000-0000-0000-0000-000000000001"),
    "klacht in behandeling",
    "fg@zorgorg.nl",
    review_on=date(2027, 1, 1),
)

# --- legal holds ----------------------------------------------------------------------------------


def test_a_hold_blocks_every_purge_it_covers_and_the_plan_says_so() -> None:
    p = plan(family(holds=(HOLD,)), DEFAULT_POLICIES, DUE)
    assert p.due() == ()
    assert {i.object_id for i in p.blocked()} == ALL_FOOTAGE
    assert all(i.blocked_by == (HOLD.id,) for i in p.items)
    assert not p.family_complete


def test_removing_the_hold_from_the_facts_lets_the_purge_proceed() -> None:
    held = family(holds=(HOLD,))
    assert due_ids(held, DUE + DAY) == set()
    released = replace(held, holds=())
    assert due_ids(released, DUE) == ALL_FOOTAGE
    assert plan(released, DEFAULT_POLICIES, DUE).family_complete


def test_a_hold_lets_go_on_its_until_day() -> None:
    lapse = date(2027, 2, 1)
    facts = family(holds=(replace(HOLD, until=lapse),))
    assert_due_from(facts, ALL_FOOTAGE, lapse)
    assert plan(facts, DEFAULT_POLICIES, lapse).family_complete


def test_a_hold_ending_mid_day_blocks_until_the_next_day() -> None:
    facts = family(holds=(replace(HOLD, until=datetime(2027, 2, 1, 9, 0, tzinfo=UTC)),))
    assert_due_from(facts, ALL_FOOTAGE, date(2027, 2, 2))


def test_a_hold_that_lapses_before_the_due_day_does_not_block_it() -> None:
    p = plan(family(holds=(replace(HOLD, until=date(2026, 9, 1)),)), DEFAULT_POLICIES, CLOSED)
    assert p.blocked() == ()
    assert {i.object_id for i in p.due(DUE)} == ALL_FOOTAGE


def test_a_hold_still_in_force_on_the_due_day_is_named_in_advance() -> None:
    p = plan(family(holds=(replace(HOLD, until=date(2027, 1, 1)),)), DEFAULT_POLICIES, CLOSED)
    assert {i.object_id for i in p.blocked()} == ALL_FOOTAGE
    assert p.due(DUE) == ()
    assert {i.object_id for i in p.due(date(2027, 1, 1))} == ALL_FOOTAGE


def test_a_hold_on_some_objects_blocks_only_those() -> None:
    facts = family(holds=(replace(HOLD, object_ids=frozenset({ORIG1})),))
    p = plan(facts, DEFAULT_POLICIES, DUE)
    assert {i.object_id for i in p.due()} == {ORIG2, PROXY1, EXPORT}
    assert [i.object_id for i in p.blocked()] == [ORIG1]
    assert not p.family_complete


def test_a_hold_blocks_a_withdrawal_too() -> None:
    consent = ConsentFact(uuid.uuid4(), Purpose.review, TRAJ, withdrawals=(Withdrawal(RECORDED),))
    p = plan(family(ACTIVE, consents=(consent,), holds=(HOLD,)), DEFAULT_POLICIES, RECORDED)
    assert p.due() == ()
    assert {i.rule for i in p.blocked()} == {"withdrawn_consent"}


def test_holds_past_their_review_day_are_reported() -> None:
    assert plan(family(holds=(HOLD,)), DEFAULT_POLICIES, date(2026, 12, 31)).holds_to_review() == ()
    p = plan(family(holds=(HOLD,)), DEFAULT_POLICIES, date(2027, 1, 1))
    assert p.holds_to_review() == (HOLD,)


# --- consent evidence -----------------------------------------------------------------------------

FORM = uuid.UUID("ef000000-0000-0000-0000-000000000001")
EVIDENCE = obj(FORM, Kind.evidence, created=RECORDED)


def test_evidence_outlives_the_footage_it_covers_by_five_years() -> None:
    consent = ConsentFact(uuid.uuid4(), Purpose.review, TRAJ, evidence_object_id=FORM)
    facts = family(objects=(*FOOTAGE, EVIDENCE), consents=(consent,))
    assert_due_from(facts, {FORM}, date(2031, 12, 1))
    p = plan(facts, DEFAULT_POLICIES, DUE)
    assert rules(p)[FORM] == "evidence_period"
    assert not p.family_complete  # the form is encrypted with the family key too
    assert plan(facts, DEFAULT_POLICIES, date(2031, 12, 1)).family_complete


def test_evidence_waits_while_the_trajectory_runs() -> None:
    p = plan(family(ACTIVE, (EVIDENCE,)), DEFAULT_POLICIES, date(2040, 1, 1))
    assert [(u.object_id, u.waiting_for) for u in p.undated] == [(FORM, ())]


def test_teaching_evidence_is_kept_five_years_past_the_teaching_consent() -> None:
    consent = ConsentFact(
        uuid.uuid4(),
        Purpose.teaching,
        TRAJ,
        valid_from=date(2026, 3, 1),
        valid_until=date(2029, 3, 1),
        evidence_object_id=FORM,
    )
    facts = family(objects=(EVIDENCE,), consents=(consent,))  # the clip itself is long gone
    assert dates(plan(facts, DEFAULT_POLICIES, CLOSED)) == {FORM: date(2034, 3, 1)}


def test_evidence_stays_while_held_footage_it_covers_is_still_stored() -> None:
    consent = ConsentFact(uuid.uuid4(), Purpose.review, TRAJ, evidence_object_id=FORM)
    on_footage = replace(HOLD, object_ids=frozenset({ORIG1}), until=date(2030, 1, 1))
    facts = family(objects=(*FOOTAGE, EVIDENCE), consents=(consent,), holds=(on_footage,))
    assert dates(plan(facts, DEFAULT_POLICIES, DUE))[FORM] == date(2035, 1, 1)
    open_ended = replace(facts, holds=(replace(on_footage, until=None),))
    assert FORM in {u.object_id for u in plan(open_ended, DEFAULT_POLICIES, DUE).undated}


def test_evidence_of_no_recorded_consent_follows_the_trajectory() -> None:
    assert dates(plan(family(objects=(EVIDENCE,)), DEFAULT_POLICIES, CLOSED)) == {
        FORM: date(2031, 12, 1)
    }


def test_audit_log_period_defaults_to_five_years() -> None:
    policy = DEFAULT_POLICIES[TrajectoryType.k_vht]
    assert policy.audit_log_expires_on(date(2026, 3, 1)) == date(2031, 3, 1)
    assert policy.audit_log_expires_on(date(2028, 2, 29)) == date(2033, 2, 28)


# --- the plan itself ------------------------------------------------------------------------------


def test_an_item_says_why_as_facts_the_adapters_put_into_words() -> None:
    p = plan(family(), DEFAULT_POLICIES, DUE)
    assert p.items[0].rule == "original_after_follow_up"
    assert p.items[0].reason == Reason("trajectory_closed", CLOSED, Period(months=6))
    assert str(p.items[0].reason) == "trajectory_closed on 2026-06-01, period 6 months 0 days"
    assert {i.rule for i in p.items} <= RULE_CODES
    assert {i.reason.event for i in p.items} <= EVENTS
    waiting = plan(family(ACTIVE), DEFAULT_POLICIES, DUE).undated
    assert waiting[0].waiting_for == (Purpose.review,)


def test_items_are_ordered_by_due_day() -> None:
    share = WokShare(uuid.uuid4(), frozenset({CLIP1}), date(2026, 4, 4))
    clip = obj(CLIP1, Kind.clip, REC1, clip_id=CLIP1)
    p = plan(family(objects=(*FOOTAGE, clip), wok_shares=(share,)), DEFAULT_POLICIES, CLOSED)
    assert [i.due for i in p.items] == sorted(i.due for i in p.items)
    assert p.items[0].object_id == CLIP1


def test_today_may_be_a_datetime() -> None:
    aware = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
    assert {i.object_id for i in plan(family(), DEFAULT_POLICIES, aware).due()} == ALL_FOOTAGE
    p = plan(family(), DEFAULT_POLICIES, datetime(2026, 11, 30, 23, 59))
    assert p.today == date(2026, 11, 30)
    assert p.due() == ()
    assert {i.object_id for i in p.due(aware)} == ALL_FOOTAGE


def test_a_single_policy_is_enough_for_a_family_of_one_type() -> None:
    one = plan(family(), DEFAULT_POLICIES[TrajectoryType.k_vht], DUE)
    assert one == plan(family(), DEFAULT_POLICIES, DUE)


def test_a_family_with_nothing_stored_and_nothing_to_come_is_complete() -> None:
    assert plan(family(objects=()), DEFAULT_POLICIES, CLOSED).family_complete
    assert not plan(family(ACTIVE, ()), DEFAULT_POLICIES, CLOSED).family_complete


def test_each_trajectory_of_a_family_follows_its_own_policy() -> None:
    other = uuid.UUID("70000000-0000-0000-0000-000000000002")
    complex_ = replace(trajectory(TrajectoryType.vht_complex), id=other)
    orig3 = replace(obj(uuid.UUID(int=33), Kind.original, REC2), trajectory_id=other)
    facts = FamilyFacts(FAMILY, (trajectory(), complex_), (FOOTAGE[0], orig3))
    assert dates(plan(facts, DEFAULT_POLICIES, CLOSED)) == {
        ORIG1: date(2026, 12, 1),
        orig3.id: date(2027, 12, 1),
    }
    assert not plan(facts, DEFAULT_POLICIES, date(2026, 12, 1)).family_complete
    assert plan(facts, DEFAULT_POLICIES, date(2027, 12, 1)).family_complete


# --- families driven through time -----------------------------------------------------------------


def test_a_k_vht_family_from_intake_to_end_is_purged_on_exactly_the_right_day() -> None:
    form = obj(FORM, Kind.evidence, created=date(2026, 1, 10))
    consent = ConsentFact(
        uuid.uuid4(), Purpose.review, TRAJ, valid_from=date(2026, 1, 10), evidence_object_id=FORM
    )
    review = obj(uuid.UUID(int=77), Kind.review_recording, REC1, created=date(2026, 2, 15))
    recordings = (
        obj(ORIG1, Kind.original, REC1, created=date(2026, 2, 1)),
        obj(PROXY1, Kind.proxy, REC1, created=date(2026, 2, 1)),
        review,
        obj(ORIG2, Kind.original, REC2, created=date(2026, 3, 1)),
    )
    follow_up = obj(uuid.UUID(int=78), Kind.original, uuid.UUID(int=79), created=date(2026, 12, 3))

    def at(traj: TrajectoryFacts, objects: tuple[StoredObject, ...], today: date) -> PurgePlan:
        return plan(family(traj, (form, *objects), consents=(consent,)), DEFAULT_POLICIES, today)

    intake = trajectory(phase=Phase.intake, closed_on=None)
    p = at(intake, (), date(2026, 1, 10))
    assert p.items == ()
    assert not p.family_complete

    p = at(replace(intake, phase=Phase.active), recordings, date(2026, 3, 1))
    assert p.items == ()

    closed = trajectory(phase=Phase.closed, follow_ups_planned=(date(2026, 12, 1),))
    p = at(closed, recordings, CLOSED)
    assert [i.object_id for i in p.due()] == [review.id]
    after_review = tuple(o for o in recordings if o is not review)

    p = at(closed, after_review, date(2026, 12, 2))  # follow-up planned for yesterday, not yet held
    assert p.items == ()

    ended = replace(closed, phase=Phase.ended, follow_ups_done=(date(2026, 12, 3),))
    everything = (*after_review, follow_up)
    assert at(ended, everything, date(2026, 12, 2)).due() == ()
    p = at(ended, everything, date(2026, 12, 3))
    assert {i.object_id for i in p.due()} == {ORIG1, PROXY1, ORIG2, follow_up.id}
    assert not p.family_complete  # the consent form stays

    assert at(ended, (), date(2031, 12, 2)).due() == ()
    last = at(ended, (), date(2031, 12, 3))
    assert [i.object_id for i in last.due()] == [FORM]
    assert last.family_complete


def test_complex_vht_with_two_follow_ups() -> None:
    planned = (date(2026, 12, 1), date(2027, 12, 1))
    first = trajectory(
        TrajectoryType.vht_complex,
        Phase.follow_up,
        follow_ups_planned=planned,
        follow_ups_done=(date(2026, 12, 1),),
    )
    p = plan(family(first), DEFAULT_POLICIES, date(2027, 12, 10))
    assert p.items == ()  # the second follow-up is not held yet: nothing goes
    on_time = replace(first, follow_ups_done=planned)
    assert_due_from(family(on_time), ALL_FOOTAGE, date(2027, 12, 1))  # closure + 18 months
    late = replace(first, phase=Phase.ended, follow_ups_done=(date(2026, 12, 1), date(2028, 1, 15)))
    assert_due_from(family(late), ALL_FOOTAGE, date(2028, 1, 15))


# --- the parents' package: one date, the package's own (issue #22) --------------------------------


def test_a_package_is_planned_on_the_day_it_expires_even_while_the_trajectory_runs() -> None:
    """The package's own removal day (the export sweep deletes it then, handed over or not) is its
    date in the plan too: while the trajectory runs the plan used to have none for it."""
    expires = date(2026, 7, 15)
    package = obj(EXPORT, Kind.export, created=date(2026, 7, 1), expires_on=expires)
    p = plan(family(ACTIVE, (package,)), DEFAULT_POLICIES, date(2026, 7, 2))
    assert [(i.object_id, i.due, i.rule) for i in p.items] == [(EXPORT, expires, "export_expires")]
    assert p.undated == ()
    assert p.items[0].reason == Reason("package_expires", expires)


def test_a_package_goes_on_whichever_day_comes_first() -> None:
    """A package that outlives the footage's own end goes with the footage; one that expires sooner goes then."""
    late = obj(EXPORT, Kind.export, created=CLOSED, expires_on=DUE + 30 * DAY)
    assert dates(plan(family(objects=(late,)), DEFAULT_POLICIES, CLOSED))[EXPORT] == DUE
    soon = obj(EXPORT, Kind.export, created=CLOSED, expires_on=CLOSED + 30 * DAY)
    assert (
        dates(plan(family(objects=(soon,)), DEFAULT_POLICIES, CLOSED))[EXPORT] == CLOSED + 30 * DAY
    )
