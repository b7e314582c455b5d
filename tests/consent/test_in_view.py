"""Who is in view decides what a WOK may see (ADR 0017, decision 7): the original where everyone in view
is covered by the WOK consent, else only the anonymised copy the trainer approved; nothing while the
trainer has not said who is in view."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from consent import (
    Action,
    Authority,
    Capacity,
    Person,
    PersonKind,
    Purpose,
    Role,
    Signature,
    decide,
)
from tests.consent.world import (
    ACTORS,
    AUTHORITIES,
    CHILD,
    FATHER,
    MOTHER,
    NOW,
    PEOPLE,
    T0,
    TRAINER,
    clip,
    facts,
    record,
)

GRANDMOTHER, SISTER = uuid.UUID(int=40), uuid.UUID(int=41)
FAMILY_PEOPLE = (
    *PEOPLE,
    Person(GRANDMOTHER, PersonKind.carer),
    Person(SISTER, PersonKind.child, date(2020, 1, 1)),
)
SISTERS_GEZAG = (Authority(SISTER, MOTHER), Authority(SISTER, FATHER))
ONLY_MOTHER = (Signature(MOTHER, Capacity.parent_with_authority, T0),)
VIEWER = ACTORS[Role.wok_viewer]
TRAINER_ACTOR = ACTORS[Role.trainer]


def _facts(signatures: tuple[Signature, ...] | None = None):  # noqa: ANN202 - a test helper
    wok = record(Purpose.wok) if signatures is None else record(Purpose.wok, signatures=signatures)
    return facts(wok, people=FAMILY_PEOPLE, authorities=AUTHORITIES + SISTERS_GEZAG)


# (in view, others in view, approved copy exists, asks for the copy) -> the WOK viewer's answer
TABLE = [
    (frozenset({CHILD, MOTHER, FATHER}), False, False, False, "allowed"),
    (frozenset({CHILD, SISTER}), False, False, False, "allowed"),  # children: their gezag signed
    (frozenset(), False, False, False, "allowed"),  # nobody of the family (a hand, a toy)
    (None, False, False, False, "in_view_unknown"),
    (None, False, True, True, "in_view_unknown"),
    (
        frozenset({CHILD, GRANDMOTHER}),
        False,
        False,
        False,
        "needs_anonymised",
    ),  # she signed nothing
    (frozenset({CHILD}), True, False, False, "needs_anonymised"),  # a visitor
    (
        frozenset({CHILD, uuid.UUID(int=99)}),
        False,
        False,
        False,
        "needs_anonymised",
    ),  # not of the family
    (frozenset({CHILD, GRANDMOTHER}), False, True, False, "needs_anonymised"),
    (frozenset({CHILD, GRANDMOTHER}), False, True, True, "allowed"),
    (frozenset({CHILD, GRANDMOTHER}), False, False, True, "anonymised_not_approved"),
    (
        frozenset({CHILD}),
        False,
        True,
        False,
        "needs_anonymised",
    ),  # approved: the copy is what is shown
    (frozenset({CHILD}), False, True, True, "allowed"),
]


@pytest.mark.parametrize(("in_view", "others", "approved", "asks_copy", "expected"), TABLE)
def test_what_a_wok_viewer_may_see(
    in_view: frozenset[uuid.UUID] | None,
    others: bool,
    approved: bool,
    asks_copy: bool,
    expected: str,
) -> None:
    resource = clip(
        _facts(),
        in_view=in_view,
        others_in_view=others,
        anonymised_approved=approved,
        anonymised=asks_copy,
    )
    decision = decide(VIEWER, Action.stream, resource, NOW)
    assert decision.reason == expected
    assert decision.allowed is (expected == "allowed")
    if decision.allowed:
        assert any(b.startswith("consent:") for b in decision.basis)
        assert (f"anonymised:{resource.clip_id}" in decision.basis) is asks_copy


def test_a_parent_who_did_not_sign_is_not_covered() -> None:
    # The mother has gezag alone and signed; the father is in view.
    f = facts(
        record(Purpose.wok, signatures=ONLY_MOTHER),
        people=FAMILY_PEOPLE,
        authorities=(Authority(CHILD, MOTHER), Authority(SISTER, MOTHER)),
    )
    assert decide(VIEWER, Action.stream, clip(f, in_view=frozenset({CHILD, MOTHER})), NOW).allowed
    refused = decide(VIEWER, Action.stream, clip(f, in_view=frozenset({CHILD, FATHER})), NOW)
    assert refused.reason == "needs_anonymised"


def test_signing_for_supervision_does_not_cover_a_wok() -> None:
    # The mother has gezag alone and signed both; the father signed the supervision record only.
    father = (Signature(FATHER, Capacity.self, T0),)
    f = facts(
        record(Purpose.wok, signatures=ONLY_MOTHER, rid=100),
        record(Purpose.supervision, signatures=ONLY_MOTHER + father, rid=101),
        people=FAMILY_PEOPLE,
        authorities=(Authority(CHILD, MOTHER), Authority(SISTER, MOTHER)),
    )
    resource = clip(f, in_view=frozenset({CHILD, FATHER}))
    assert decide(ACTORS[Role.opleider], Action.stream, resource, NOW).allowed
    assert decide(VIEWER, Action.stream, resource, NOW).reason == "needs_anonymised"


@pytest.mark.parametrize(
    ("in_view", "others", "approved", "expected"),
    [
        (frozenset({CHILD, MOTHER}), False, False, "allowed"),
        (None, False, False, "in_view_unknown"),
        (frozenset({CHILD, GRANDMOTHER}), False, False, "needs_anonymised"),
        (frozenset({CHILD}), True, False, "needs_anonymised"),
        (frozenset({CHILD, GRANDMOTHER}), False, True, "allowed"),  # its viewers get the copy
    ],
)
def test_what_a_trainer_may_share_into_a_wok(
    in_view: frozenset[uuid.UUID] | None, others: bool, approved: bool, expected: str
) -> None:
    resource = clip(_facts(), in_view=in_view, others_in_view=others, anonymised_approved=approved)
    assert decide(TRAINER_ACTOR, Action.share_to_wok, resource, NOW).reason == expected


def test_supervision_and_the_trainer_see_the_clip_itself() -> None:
    # Who is in view matters only outside the family and its supervision.
    f = facts(record(Purpose.supervision), record(Purpose.wok, rid=101))
    resource = clip(f, in_view=None, others_in_view=True)
    assert decide(TRAINER_ACTOR, Action.stream, resource, NOW).allowed
    assert decide(ACTORS[Role.opleider], Action.stream, resource, NOW).allowed
    assert decide(VIEWER, Action.stream, resource, NOW).reason == "in_view_unknown"
    assert TRAINER_ACTOR.user_id == TRAINER


def test_a_trainer_in_the_wok_hears_why_the_clip_itself_is_not_shown() -> None:
    # Another trainer, taking part in the session: not the clip's trainer, but a WOK viewer of it.
    from dataclasses import replace

    from consent import Actor

    colleague = Actor(uuid.UUID(int=50), Role.trainer)
    f = _facts()
    (session,) = f.wok_sessions
    f = replace(f, wok_sessions=(replace(session, participant_ids=frozenset({colleague.user_id})),))
    with_visitor = clip(f, others_in_view=True)
    assert decide(colleague, Action.stream, with_visitor, NOW).reason == "needs_anonymised"
    approved = clip(f, others_in_view=True, anonymised_approved=True, anonymised=True)
    decision = decide(colleague, Action.stream, approved, NOW)
    assert decision.allowed
    assert decision.basis[-1] == f"anonymised:{approved.clip_id}"
    # Its own trainer checks the copy before approving it: allowed, and the basis says which was shown.
    unapproved = clip(f, anonymised=True)
    assert decide(TRAINER_ACTOR, Action.stream, unapproved, NOW).basis[-1].startswith("anonymised:")


def _teaching(signatures: tuple[Signature, ...] | None = None):  # noqa: ANN202 - a test helper
    until = T0 + timedelta(days=3 * 365)  # teaching consent ends within five years
    teaching = (
        record(Purpose.teaching, rid=102, valid_until=until)
        if signatures is None
        else record(Purpose.teaching, signatures=signatures, rid=102, valid_until=until)
    )
    return facts(teaching, people=FAMILY_PEOPLE, authorities=AUTHORITIES + SISTERS_GEZAG)


@pytest.mark.parametrize(
    ("in_view", "others", "approved", "expected"),
    [
        (frozenset({CHILD, MOTHER}), False, False, "allowed"),
        (None, False, False, "in_view_unknown"),
        (None, False, True, "in_view_unknown"),
        (frozenset({CHILD, GRANDMOTHER}), False, False, "needs_anonymised"),
        (frozenset({CHILD}), True, False, "needs_anonymised"),
        (frozenset({CHILD, GRANDMOTHER}), False, True, "allowed"),  # only its copy is shown
        (frozenset({CHILD}), True, True, "allowed"),
    ],
)
def test_what_a_trainer_may_mark_for_teaching(
    in_view: frozenset[uuid.UUID] | None, others: bool, approved: bool, expected: str
) -> None:
    resource = clip(
        _teaching(), in_view=in_view, others_in_view=others, anonymised_approved=approved
    )
    decision = decide(TRAINER_ACTOR, Action.mark_for_teaching, resource, NOW)
    assert decision.reason == expected
    if decision.allowed:
        assert f"consent:{uuid.UUID(int=102)}" in decision.basis


def test_marking_for_teaching_needs_teaching_consent_and_the_trainer_of_a_working_trajectory() -> (
    None
):
    everyone = frozenset({CHILD, MOTHER})
    # A WOK consent, or one signed by the mother alone where both have gezag: no teaching.
    assert (
        decide(
            TRAINER_ACTOR, Action.mark_for_teaching, clip(_facts(), in_view=everyone), NOW
        ).reason
        == "no_consent"
    )
    incomplete = clip(_teaching(ONLY_MOTHER), in_view=everyone)
    assert decide(TRAINER_ACTOR, Action.mark_for_teaching, incomplete, NOW).reason == (
        "consent_incomplete"
    )
    # Whatever the clip was made for, marking is asked as teaching would show it.
    for purpose in (Purpose.supervision, Purpose.wok, Purpose.review, None):
        tagged = clip(_teaching(), in_view=everyone, purpose=purpose)
        assert decide(TRAINER_ACTOR, Action.mark_for_teaching, tagged, NOW).allowed, purpose
    # Only its own trainer, while the trajectory is worked on, and only a clip.
    working = clip(_teaching(), in_view=everyone)
    for role in (Role.opleider, Role.gecommitteerde, Role.wok_viewer, Role.administrator):
        assert not decide(ACTORS[role], Action.mark_for_teaching, working, NOW).allowed, role
    from consent import Actor, Phase, ResourceKind

    other = Actor(uuid.UUID(int=50), Role.trainer)
    assert decide(other, Action.mark_for_teaching, working, NOW).reason == "not_assigned"
    intake = clip(_teaching(), in_view=everyone, phase=Phase.intake)
    assert decide(TRAINER_ACTOR, Action.mark_for_teaching, intake, NOW).reason == "phase_forbids"
    recording = clip(_teaching(), in_view=everyone, kind=ResourceKind.recording)
    assert decide(TRAINER_ACTOR, Action.mark_for_teaching, recording, NOW).reason == (
        "unknown_action"
    )
