"""No generated state lets a viewer without a basis through."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from consent import (
    Action,
    Actor,
    ConsentStatus,
    Phase,
    Purpose,
    Role,
    SupervisionLink,
    WokSession,
    decide,
    status,
)
from consent._rules import in_scope, withdrawn_for

from .world import (
    BOTH_PARENTS,
    CLIP,
    FAMILY,
    NOW,
    OPLEIDER,
    OTHER_RECORDING,
    RECORDING,
    T0,
    TRAINER,
    WOK_VIEWER,
    clip,
    facts,
    family,
    record,
    withdrawal,
)

offsets = st.integers(-200, 200).map(lambda d: timedelta(days=d))


@st.composite
def worlds(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    consents = []
    events = []
    for i in range(draw(st.integers(0, 3))):
        purpose = draw(st.sampled_from(list(Purpose)))
        until = (
            T0 + timedelta(days=draw(st.integers(1, 1500)))
            if purpose is Purpose.teaching or draw(st.booleans())
            else None
        )
        sigs = BOTH_PARENTS if draw(st.booleans()) else BOTH_PARENTS[:1]
        recs = draw(st.sampled_from([None, frozenset({RECORDING}), frozenset({OTHER_RECORDING})]))
        consents.append(
            record(purpose, recordings=recs, signatures=sigs, valid_until=until, rid=100 + i)
        )
        if draw(st.booleans()):
            part = draw(st.sampled_from([None, frozenset({RECORDING})]))
            events.append(withdrawal(rid=100 + i, at=NOW + draw(offsets), recordings=part))
    links = (SupervisionLink(TRAINER, OPLEIDER, confirmed=True),) if draw(st.booleans()) else ()
    start = NOW + draw(offsets)
    sessions = (
        (
            WokSession(
                uuid.uuid4(),
                start,
                start + timedelta(hours=draw(st.integers(1, 48))),
                OPLEIDER,
                frozenset({WOK_VIEWER}),
                frozenset({CLIP}),
            ),
        )
        if draw(st.booleans())
        else ()
    )
    f = facts(
        *consents, events=tuple(events), supervision_links=links, wok_sessions=sessions, grants=()
    )
    return clip(f, phase=draw(st.sampled_from(list(Phase)))), NOW + draw(offsets)


@settings(max_examples=400, deadline=None)
@given(
    world=worlds(),
    role=st.sampled_from(
        [
            Role.opleider,
            Role.wok_viewer,
            Role.gecommitteerde,
            Role.administrator,
            Role.privacy_officer,
        ]
    ),
    action=st.sampled_from(list(Action)),
)
def test_an_allowance_always_names_a_consent_that_really_covers(
    world, role: Role, action: Action
) -> None:  # type: ignore[no-untyped-def]
    resource, at = world
    actor = Actor(
        {Role.opleider: OPLEIDER, Role.wok_viewer: WOK_VIEWER}.get(role, uuid.uuid4()), role
    )
    decision = decide(actor, action, resource, at)
    if not decision.allowed:
        assert decision.reason != "allowed"
        return
    assert role in (Role.opleider, Role.wok_viewer)
    assert action in (Action.view, Action.stream)
    purpose = Purpose.supervision if role is Role.opleider else Purpose.wok
    f = resource.facts
    named = [c for c in f.consents if f"consent:{c.id}" in decision.basis]
    assert named
    for c in named:
        assert c.purpose is purpose
        assert in_scope(c, resource.trajectory_id, resource.recording_id)
        assert status(c, f.events, f.people, f.authorities, at) is ConsentStatus.given
        assert not withdrawn_for(c, f.events, resource.recording_id, at)
    if role is Role.opleider:
        assert any(b.startswith("supervision:") for b in decision.basis)
    else:
        assert any(b.startswith("wok:") for b in decision.basis)
        (session,) = f.wok_sessions
        assert session.starts_at <= at < session.ends_at


ALL_ROLES = st.sampled_from(list(Role))
PEOPLE_IDS = st.sampled_from([TRAINER, OPLEIDER, WOK_VIEWER, uuid.UUID(int=99)])


def actor_of(role: Role, user: uuid.UUID) -> Actor:
    return Actor(
        user, role, family_id=FAMILY if role is Role.parent else None, handover_verified=True
    )


@settings(max_examples=300, deadline=None)
@given(
    world=worlds(),
    role=ALL_ROLES,
    user=PEOPLE_IDS,
    action=st.sampled_from(list(Action)),
    trainers=st.frozensets(PEOPLE_IDS, max_size=3),
)
def test_family_level_data_only_for_the_family_s_trainers(
    world, role: Role, user: uuid.UUID, action: Action, trainers: frozenset[uuid.UUID]
) -> None:  # type: ignore[no-untyped-def]
    resource, at = world
    f = replace(resource.facts, family_trainers=trainers)
    decision = decide(actor_of(role, user), action, family(f), at)
    if decision.allowed:
        assert role is Role.trainer
        assert user in trainers
        assert action in (Action.view, Action.manage_consent)
        assert decision.basis == (f"registered:{FAMILY}",)


@settings(max_examples=300, deadline=None)
@given(world=worlds(), role=ALL_ROLES, user=PEOPLE_IDS, action=st.sampled_from(list(Action)))
def test_nothing_of_a_recording_being_purged_is_let_through(
    world, role: Role, user: uuid.UUID, action: Action
) -> None:  # type: ignore[no-untyped-def]
    resource, at = world
    marked = replace(resource, facts=replace(resource.facts, purge_pending=frozenset({RECORDING})))
    decision = decide(actor_of(role, user), action, marked, at)
    assert not decision.allowed
    assert decision.reason == "purge_pending"


@settings(max_examples=300, deadline=None)
@given(
    world=worlds(),
    role=ALL_ROLES,
    user=PEOPLE_IDS,
    action=st.sampled_from(list(Action)),
    strangers=st.lists(
        st.tuples(PEOPLE_IDS, st.sampled_from([CLIP, uuid.UUID(int=98)]), offsets), max_size=3
    ),
)
def test_only_sessions_of_the_viewer_with_the_clip_matter(
    world, role: Role, user: uuid.UUID, action: Action, strangers
) -> None:  # type: ignore[no-untyped-def]
    """What vault.access loads (the sessions the viewer organises or takes part in, into which the clip
    was shared) decides exactly as all sessions would: any other session changes nothing."""
    resource, at = world
    extra = tuple(
        WokSession(
            uuid.uuid4(),
            NOW + shift,
            NOW + shift + timedelta(hours=2),
            organiser,
            frozenset({organiser, uuid.UUID(int=97)}),
            frozenset({shown}),
        )
        for organiser, shown, shift in strangers
    )
    everything = replace(resource.facts, wok_sessions=resource.facts.wok_sessions + extra)
    relevant = tuple(
        s
        for s in everything.wok_sessions
        if resource.clip_id in s.clip_ids and (user == s.organiser_id or user in s.participant_ids)
    )
    actor = actor_of(role, user)
    assert decide(actor, action, replace(resource, facts=everything), at) == decide(
        actor, action, replace(resource, facts=replace(everything, wok_sessions=relevant)), at
    )
