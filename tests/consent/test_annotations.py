"""The trainer's annotations are personal data under the same decision as the footage (issue #23):
the recording's own trainer reads and writes them; an opleider or gecommitteerde reads them only on a
clip they may watch (link or grant, and the family's supervision consent); a WOK session never opens
them; everyone else is refused; a recording being purged takes its annotations with it at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from consent import Action, Actor, Phase, Purpose, Resource, ResourceKind, Role, WokSession, decide

from .world import ACTORS, CLIP, NOW, OTHER_TRAINER, RECORDING, WOK, clip, facts, record, withdrawal


def annotations(f, *, on_clip: bool = True, phase: Phase = Phase.active) -> Resource:  # type: ignore[no-untyped-def]
    resource = clip(f, phase=phase, kind=ResourceKind.annotation)
    return resource if on_clip else replace(resource, clip_id=None)


# (role, action, on a clip, consent for supervision given) -> reason.
TABLE: list[tuple[Role, Action, bool, bool, str]] = [
    (Role.trainer, Action.view, False, False, "allowed"),
    (Role.trainer, Action.annotate, False, False, "allowed"),
    (Role.trainer, Action.view, True, False, "allowed"),
    (Role.trainer, Action.annotate, True, False, "allowed"),
    (Role.trainer, Action.stream, False, False, "unknown_action"),
    (Role.trainer, Action.export, False, False, "unknown_action"),
    (Role.opleider, Action.view, True, True, "allowed"),
    (Role.opleider, Action.view, True, False, "no_consent"),
    (Role.opleider, Action.view, False, True, "annotations_on_a_clip"),
    (Role.opleider, Action.annotate, True, True, "unknown_action"),
    (Role.gecommitteerde, Action.view, True, True, "allowed"),
    (Role.gecommitteerde, Action.view, True, False, "no_consent"),
    (Role.gecommitteerde, Action.annotate, True, True, "unknown_action"),
    (Role.wok_viewer, Action.view, True, True, "unknown_action"),
    (Role.privacy_officer, Action.view, True, True, "no_footage_for_role"),
    (Role.administrator, Action.view, True, True, "no_footage_for_role"),
    (Role.parent, Action.view, True, True, "unknown_action"),
]


@pytest.mark.parametrize(
    ("role", "action", "on_clip", "given", "expected"),
    TABLE,
    ids=[
        f"{r}-{a}-{'clip' if c else 'recording'}-{'consent' if g else 'none'}"
        for r, a, c, g, _ in TABLE
    ],
)
def test_annotation_decision_table(
    role: Role, action: Action, on_clip: bool, given: bool, expected: str
) -> None:
    f = facts(record(Purpose.supervision)) if given else facts()
    decision = decide(ACTORS[role], action, annotations(f, on_clip=on_clip), NOW)
    assert decision.reason == expected, decision
    assert decision.allowed == (expected == "allowed")
    assert decision.message
    if decision.allowed:
        assert decision.basis


def test_an_opleider_without_a_link_or_with_withdrawn_consent_reads_nothing() -> None:
    f = facts(record(Purpose.supervision), supervision_links=())
    assert (
        decide(ACTORS[Role.opleider], Action.view, annotations(f), NOW).reason
        == "no_supervision_link"
    )
    gone = facts(record(Purpose.supervision), events=(withdrawal(),))
    assert (
        decide(ACTORS[Role.opleider], Action.view, annotations(gone), NOW).reason
        == "consent_withdrawn"
    )


def test_another_trainer_and_an_ended_or_intake_trajectory() -> None:
    f = facts()
    other = Actor(OTHER_TRAINER, Role.trainer)
    assert decide(other, Action.view, annotations(f), NOW).reason == "not_assigned"
    trainer = ACTORS[Role.trainer]
    assert (
        decide(trainer, Action.view, annotations(f, phase=Phase.ended), NOW).reason
        == "phase_forbids"
    )
    assert (
        decide(trainer, Action.annotate, annotations(f, phase=Phase.intake), NOW).reason
        == "phase_forbids"
    )
    assert decide(trainer, Action.annotate, annotations(f, phase=Phase.closed), NOW).allowed


@pytest.mark.parametrize("role", [Role.trainer, Role.opleider])
def test_a_wok_session_never_opens_the_annotations(role: Role) -> None:
    """A participant of a running WOK session into which the clip was shared, with WOK consent, watches
    the clip, but does not see its annotations (not shared with the clip: denied for now)."""
    someone = Actor(OTHER_TRAINER, role)
    session = WokSession(
        WOK,
        NOW - timedelta(hours=1),
        NOW + timedelta(hours=2),
        OTHER_TRAINER,
        frozenset({OTHER_TRAINER}),
        frozenset({CLIP}),
    )
    f = facts(record(Purpose.wok), wok_sessions=(session,), supervision_links=())
    assert decide(someone, Action.stream, clip(f), NOW).allowed  # the footage: yes
    for action in (Action.view, Action.annotate):
        assert not decide(someone, action, annotations(f), NOW).allowed


def test_annotate_is_no_action_on_the_footage_itself() -> None:
    f = facts(record(Purpose.supervision))
    for kind in (ResourceKind.recording, ResourceKind.clip):
        for role in (Role.trainer, Role.opleider):
            assert not decide(ACTORS[role], Action.annotate, clip(f, kind=kind), NOW).allowed


@pytest.mark.parametrize("role", [Role.trainer, Role.opleider, Role.gecommitteerde])
def test_annotations_of_a_recording_being_purged_are_refused(role: Role) -> None:
    f = facts(record(Purpose.supervision), purge_pending=frozenset({RECORDING}))
    for action in (Action.view, Action.annotate):
        assert decide(ACTORS[role], action, annotations(f), NOW).reason == "purge_pending"
