"""Properties over random families: holds always block, withdrawals are never late, and never reach further."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from retention import (
    DEFAULT_POLICIES,
    ConsentFact,
    FamilyFacts,
    Kind,
    LegalHold,
    Phase,
    PurgePlan,
    Purpose,
    StoredObject,
    TrajectoryFacts,
    TrajectoryType,
    Withdrawal,
    WokShare,
    plan,
    purposes_of,
)

TRAJ = uuid.UUID(int=1)
RECORDINGS = [uuid.UUID(int=100 + i) for i in range(3)]
days = st.dates(date(2025, 1, 1), date(2032, 12, 31))
moments = st.one_of(
    days,
    st.builds(
        lambda d, t: datetime.combine(d, t, tzinfo=UTC), days, st.times(time(0), time(23, 59))
    ),
)


def scopes() -> st.SearchStrategy[frozenset[uuid.UUID] | None]:
    return st.one_of(st.none(), st.frozensets(st.sampled_from(RECORDINGS), min_size=1))


@st.composite
def trajectories(draw: st.DrawFn) -> TrajectoryFacts:
    phase = draw(st.sampled_from(Phase))
    closed = None if phase in (Phase.intake, Phase.active) else draw(days)
    planned: tuple[date, ...] = ()
    done: tuple[date, ...] = ()
    handed = None
    if closed is not None:
        planned = tuple(
            closed + timedelta(days=d) for d in draw(st.lists(st.integers(0, 800), max_size=2))
        )
        done = tuple(
            d + timedelta(days=draw(st.integers(0, 60)))
            for d in planned[: draw(st.integers(0, len(planned)))]
        )
        handed = draw(st.one_of(st.none(), days))
    return TrajectoryFacts(
        TRAJ,
        draw(st.sampled_from(TrajectoryType)),
        phase,
        closed,
        planned,
        done,
        draw(st.one_of(st.none(), days)),
        handed,
    )


@st.composite
def objects(draw: st.DrawFn) -> tuple[StoredObject, ...]:
    out = []
    for n in range(draw(st.integers(1, 8))):
        object_id = uuid.UUID(int=1000 + n)
        kind = draw(st.sampled_from(Kind))
        tags = (
            frozenset()
            if kind is Kind.evidence
            else draw(st.frozensets(st.sampled_from(Purpose), max_size=2))
        )
        recording = (
            None if kind in (Kind.evidence, Kind.export) else draw(st.sampled_from(RECORDINGS))
        )
        out.append(
            StoredObject(
                object_id,
                kind,
                TRAJ,
                draw(days),
                recording,
                object_id if kind is Kind.clip else None,
                tags,
            )
        )
    return tuple(out)


@st.composite
def families(draw: st.DrawFn) -> FamilyFacts:
    objs = draw(objects())
    ids = [o.id for o in objs]
    evidence = [o.id for o in objs if o.kind is Kind.evidence]
    clips = [o.id for o in objs if o.kind is Kind.clip]
    consents = tuple(
        ConsentFact(
            uuid.UUID(int=2000 + n),
            draw(st.sampled_from(Purpose)),
            TRAJ,
            draw(scopes()),
            draw(st.one_of(st.none(), days)),
            draw(st.one_of(st.none(), moments)),
            tuple(
                Withdrawal(draw(moments), draw(scopes())) for _ in range(draw(st.integers(0, 2)))
            ),
            draw(st.one_of(st.none(), st.sampled_from(evidence))) if evidence else None,
        )
        for n in range(draw(st.integers(0, 4)))
    )
    holds = tuple(
        LegalHold(
            uuid.UUID(int=3000 + n),
            "onderzoek",
            "fg",
            draw(st.one_of(st.none(), moments)),
            None,
            draw(st.one_of(st.none(), st.frozensets(st.sampled_from(ids), min_size=1))),
        )
        for n in range(draw(st.integers(0, 2)))
    )
    shares = tuple(
        WokShare(
            uuid.UUID(int=4000 + n), draw(st.frozensets(st.sampled_from(clips))), draw(moments)
        )
        for n in range(draw(st.integers(0, 2)) if clips else 0)
    )
    return FamilyFacts(uuid.UUID(int=9), (draw(trajectories()),), objs, consents, holds, shares)


def ending(p: PurgePlan, object_id: uuid.UUID) -> tuple[date, str] | None:
    return next(((i.due, i.rule) for i in p.items if i.object_id == object_id), None)


@settings(max_examples=400, deadline=None)
@given(facts=families(), today=days, later=st.integers(0, 4000))
def test_no_plan_schedules_an_object_under_a_hold_in_force_as_due(
    facts: FamilyFacts, today: date, later: int
) -> None:
    p = plan(facts, DEFAULT_POLICIES, today)
    for day in (today, today + timedelta(days=later)):
        for item in p.due(day):
            assert item.due <= day
            assert not any(h.covers(item.object_id) and h.in_force(day) for h in facts.holds)
    # and a hold only ever takes items away
    free = plan(replace(facts, holds=()), DEFAULT_POLICIES, today)
    assert {i.object_id for i in p.due()} <= {i.object_id for i in free.due()}
    if p.family_complete:
        assert p.undated == ()
        assert p.due() == p.items


@settings(max_examples=400, deadline=None)
@given(facts=families(), today=days)
def test_every_object_covered_by_withdrawals_is_due_no_later_than_the_withdrawal(
    facts: FamilyFacts, today: date
) -> None:
    p = plan(facts, DEFAULT_POLICIES, today)
    for obj in facts.objects:
        if obj.kind is Kind.evidence:
            continue
        withdrawn: list[date] = []
        for purpose in purposes_of(obj, facts):
            days_ = [
                d
                for c in facts.consents
                if c.purpose == purpose and (d := c.withdrawn_on(obj)) is not None
            ]
            if not days_:
                break
            withdrawn.append(min(days_))
        else:  # every purpose the object is kept for was withdrawn
            found = ending(p, obj.id)
            assert found is not None, obj
            assert found[0] <= max(withdrawn)


@settings(max_examples=400, deadline=None)
@given(facts=families(), today=days)
def test_a_withdrawal_changes_nothing_it_does_not_cover(facts: FamilyFacts, today: date) -> None:
    never = replace(facts, consents=tuple(replace(c, withdrawals=()) for c in facts.consents))
    with_, without = plan(facts, DEFAULT_POLICIES, today), plan(never, DEFAULT_POLICIES, today)
    for obj in facts.objects:
        if obj.kind is Kind.evidence:
            continue  # evidence follows the footage it covers, which may have gone earlier
        touched = any(
            c.purpose in purposes_of(obj, facts) and c.withdrawn_on(obj) is not None
            for c in facts.consents
        )
        if not touched:
            assert ending(with_, obj.id) == ending(without, obj.id), obj
