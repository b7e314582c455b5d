"""Role × action × consent state, with every expected outcome written down as data."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from consent import (
    ACCOUNT_ROLES,
    Action,
    ConsentStatus,
    Facts,
    Purpose,
    Resource,
    ResourceKind,
    Role,
    account_role,
    decide,
)

from .world import (
    ACTORS,
    FAMILY,
    MOTHER,
    NOW,
    OTHER_RECORDING,
    RECORDING,
    T0,
    Capacity,
    Signature,
    clip,
    facts,
    family,
    record,
    withdrawal,
)
from .world import (
    OTHER_TRAINER as TRAINER_ELSE,
)
from .world import (
    WOK as WOK_ID,
)


# The consent states, each built for the purpose the role needs (supervision for opleider and
# gecommitteerde, wok for WOK viewers; trainers and others need none).
def state(name: str, purpose: Purpose) -> Facts:
    wrong = Purpose.teaching if purpose is not Purpose.teaching else Purpose.research
    until = T0 + timedelta(days=1000) if purpose is Purpose.teaching else None
    return {
        "none": facts(),
        "incomplete": facts(
            record(
                purpose,
                signatures=(Signature(MOTHER, Capacity.parent_with_authority, T0),),
                valid_until=until,
            )
        ),
        "given": facts(record(purpose, valid_until=until)),
        "withdrawn": facts(record(purpose, valid_until=until), events=(withdrawal(),)),
        "expired": facts(record(purpose, valid_until=NOW - timedelta(days=1))),
        "out_of_window": facts(
            record(
                purpose, valid_from=NOW + timedelta(days=3), valid_until=NOW + timedelta(days=900)
            )
        ),
        "wrong_purpose": facts(record(wrong, valid_until=T0 + timedelta(days=1000))),
        "wrong_recording": facts(
            record(purpose, recordings=frozenset({OTHER_RECORDING}), valid_until=until)
        ),
    }[name]


STATES = [
    "none",
    "incomplete",
    "given",
    "withdrawn",
    "expired",
    "out_of_window",
    "wrong_purpose",
    "wrong_recording",
]
CONSENT_REASON = {
    "none": "no_consent",
    "incomplete": "consent_incomplete",
    "given": "allowed",
    "withdrawn": "consent_withdrawn",
    "expired": "consent_expired",
    "out_of_window": "consent_not_yet_valid",
    "wrong_purpose": "no_consent",
    "wrong_recording": "recording_not_covered",
}
ACTIONS = [
    Action.view,
    Action.stream,
    Action.download,
    Action.clip,
    Action.export,
    Action.share_to_wok,
    Action.manage_consent,
    Action.upload,
]

# role -> action -> expected reason for the "given" state (None: follows the consent state).
EXPECTED: dict[Role, dict[Action, str | None]] = {
    Role.trainer: {
        Action.view: "allowed",
        Action.stream: "allowed",
        Action.download: "allowed",
        Action.clip: "allowed",
        Action.export: "allowed",
        Action.manage_consent: "allowed",
        Action.upload: "allowed",
        Action.share_to_wok: None,  # needs WOK consent
    },
    Role.opleider: {
        a: (None if a in (Action.view, Action.stream) else "unknown_action") for a in ACTIONS
    },
    Role.gecommitteerde: {
        a: (None if a in (Action.view, Action.stream) else "unknown_action") for a in ACTIONS
    },
    Role.wok_viewer: {
        a: (None if a in (Action.view, Action.stream) else "unknown_action") for a in ACTIONS
    },
    Role.privacy_officer: dict.fromkeys(ACTIONS, "no_footage_for_role"),
    Role.administrator: dict.fromkeys(ACTIONS, "no_footage_for_role"),
    Role.parent: dict.fromkeys(ACTIONS, "unknown_action"),
}
PURPOSE = {
    Role.opleider: Purpose.supervision,
    Role.gecommitteerde: Purpose.supervision,
    Role.wok_viewer: Purpose.wok,
    Role.trainer: Purpose.wok,
}


CASES = [(role, action, name) for role in EXPECTED for action in ACTIONS for name in STATES]


@pytest.mark.parametrize(
    ("role", "action", "name"), CASES, ids=[f"{r}-{a}-{n}" for r, a, n in CASES]
)
def test_decision_table(role: Role, action: Action, name: str) -> None:
    purpose = PURPOSE.get(role, Purpose.supervision)
    resource = clip(state(name, purpose))
    at = NOW
    follows_consent = EXPECTED[role][action] is None
    expected = CONSENT_REASON[name] if follows_consent else EXPECTED[role][action]
    decision = decide(ACTORS[role], action, resource, at)
    assert decision.reason == expected, decision
    assert decision.allowed == (expected == "allowed")
    assert decision.message
    if decision.allowed and follows_consent:
        assert any(b.startswith("consent:") for b in decision.basis)
    if decision.allowed:
        assert decision.basis


def test_statuses_are_derived_not_stored() -> None:
    from consent import status

    r = record(Purpose.supervision)
    f = facts(r, events=(withdrawal(at=NOW),))
    assert (
        status(r, f.events, f.people, f.authorities, NOW - timedelta(seconds=1))
        is ConsentStatus.given
    )
    assert status(r, f.events, f.people, f.authorities, NOW) is ConsentStatus.withdrawn


@pytest.mark.parametrize("role", [Role.opleider, Role.gecommitteerde])
def test_supervisors_need_their_link_or_grant(role: Role) -> None:
    f = facts(record(Purpose.supervision), supervision_links=(), grants=())
    decision = decide(ACTORS[role], Action.stream, clip(f), NOW)
    assert not decision.allowed
    assert decision.reason in ("no_supervision_link", "no_grant")


def test_gecommitteerde_grant_window() -> None:
    f = facts(record(Purpose.supervision))
    assert decide(ACTORS[Role.gecommitteerde], Action.stream, clip(f), NOW).allowed
    late = decide(ACTORS[Role.gecommitteerde], Action.stream, clip(f), T0 + timedelta(days=366))
    assert late.reason == "no_grant"


def test_wok_viewer_only_during_the_session() -> None:
    f = facts(record(Purpose.wok))
    viewer = ACTORS[Role.wok_viewer]
    assert decide(viewer, Action.stream, clip(f), NOW).allowed
    assert (
        decide(viewer, Action.stream, clip(f), NOW + timedelta(hours=2)).reason
        == "outside_wok_window"
    )
    assert (
        decide(viewer, Action.stream, clip(f), NOW - timedelta(hours=2)).reason
        == "outside_wok_window"
    )
    assert decide(viewer, Action.download, clip(f), NOW).reason == "unknown_action"
    recording = Resource(
        ResourceKind.recording,
        FAMILY,
        clip(f).trajectory_id,
        clip(f).trainer_id,
        clip(f).phase,
        RECORDING,
        None,
        None,
        f,
    )
    assert decide(viewer, Action.stream, recording, NOW).reason == "not_in_wok_session"


def test_trainer_of_another_trajectory_and_ended_phase() -> None:
    from consent import Actor, Phase

    f = facts()
    other = Actor(ACTORS[Role.opleider].user_id, Role.trainer)
    assert decide(other, Action.view, clip(f), NOW).reason == "not_assigned"
    assert (
        decide(ACTORS[Role.trainer], Action.view, clip(f, phase=Phase.ended), NOW).reason
        == "phase_forbids"
    )
    assert (
        decide(ACTORS[Role.trainer], Action.upload, clip(f, phase=Phase.closed), NOW).reason
        == "phase_forbids"
    )


def test_parents_get_only_their_own_export_with_the_handover_code() -> None:
    from dataclasses import replace

    f = facts()
    export = Resource(ResourceKind.export, FAMILY, facts=f)
    parent = ACTORS[Role.parent]
    assert decide(parent, Action.download, export, NOW).allowed
    assert (
        decide(replace(parent, handover_verified=False), Action.download, export, NOW).reason
        == "handover_not_verified"
    )
    other = Resource(ResourceKind.export, RECORDING, facts=f)
    assert decide(parent, Action.download, other, NOW).reason == "other_family"


def test_privacy_officer_reads_the_log_only() -> None:
    log = Resource(ResourceKind.audit_log)
    assert decide(ACTORS[Role.privacy_officer], Action.audit_read, log, NOW).allowed
    assert not decide(ACTORS[Role.administrator], Action.audit_read, log, NOW).allowed


# The administration plane (issue #18). A WOK session's participants, whatever the opleider typed
# in: only trainers and opleiders ever watch as WOK viewers; a link or grant proposed by an
# administrator opens nothing until the trainee confirmed it.
WOK_PARTICIPANT: list[tuple[Role, str]] = [
    (Role.trainer, "allowed"),
    (Role.opleider, "allowed"),
    (Role.privacy_officer, "no_footage_for_role"),
    (Role.administrator, "no_footage_for_role"),
    (Role.parent, "unknown_action"),
    (Role.gecommitteerde, "no_grant"),
]


@pytest.mark.parametrize(("role", "expected"), WOK_PARTICIPANT, ids=[r for r, _ in WOK_PARTICIPANT])
def test_only_trainers_and_opleiders_watch_as_wok_participants(role: Role, expected: str) -> None:
    from dataclasses import replace

    from consent import Actor, WokSession

    from .world import CLIP, OTHER_TRAINER, WOK, WOK_VIEWER

    someone = Actor(OTHER_TRAINER, role, family_id=FAMILY if role is Role.parent else None)
    session = WokSession(
        WOK,
        NOW - timedelta(hours=1),
        NOW + timedelta(hours=2),
        WOK_VIEWER,
        frozenset({OTHER_TRAINER}),
        frozenset({CLIP}),
    )
    f = facts(record(Purpose.wok), wok_sessions=(session,), grants=())
    decision = decide(someone, Action.stream, clip(f), NOW)
    assert decision.reason == expected, decision
    if decision.allowed:
        assert f"wok:{WOK}" in decision.basis
    # Outside the session's clips nobody gets in through it.
    assert not decide(someone, Action.stream, clip(replace(f, wok_sessions=())), NOW).allowed


@pytest.mark.parametrize("role", [Role.opleider, Role.gecommitteerde])
def test_a_proposed_link_or_grant_opens_nothing(role: Role) -> None:
    from dataclasses import replace

    f = facts(record(Purpose.supervision))
    proposed = replace(
        f,
        supervision_links=tuple(replace(s, confirmed=False) for s in f.supervision_links),
        grants=tuple(replace(g, confirmed=False) for g in f.grants),
    )
    assert decide(ACTORS[role], Action.stream, clip(f), NOW).allowed
    decision = decide(ACTORS[role], Action.stream, clip(proposed), NOW)
    assert decision.reason == ("no_supervision_link" if role is Role.opleider else "no_grant")


@pytest.mark.parametrize("value", ["parent", "wok_viewer", "beheerder", "", "Trainer", "system"])
def test_an_account_holds_only_an_account_role(value: str) -> None:
    with pytest.raises(ValueError, match="rol"):
        account_role(value)


def test_account_roles_are_the_one_role_vocabulary() -> None:
    assert [account_role(r.value) for r in ACCOUNT_ROLES] == list(ACCOUNT_ROLES)
    assert account_role("opleider") is Role.opleider


# Family-level data (the family, its people and gezag; a resource without a trajectory) belongs to
# the trainers who registered the family or hold one of its trajectories (ADR 0002 decision 2).
# (role, action, among the family's trainers) -> reason.
FAMILY_LEVEL: list[tuple[Role, Action, bool, str]] = [
    (Role.trainer, Action.view, True, "allowed"),
    (Role.trainer, Action.manage_consent, True, "allowed"),
    (Role.trainer, Action.view, False, "not_assigned"),
    (Role.trainer, Action.manage_consent, False, "not_assigned"),
    (Role.trainer, Action.upload, True, "not_assigned"),
    (Role.trainer, Action.export, True, "not_assigned"),
    (Role.trainer, Action.stream, True, "not_assigned"),
    (Role.opleider, Action.view, True, "unknown_action"),
    (Role.gecommitteerde, Action.view, True, "unknown_action"),
    (Role.wok_viewer, Action.view, True, "unknown_action"),
    (Role.privacy_officer, Action.view, True, "no_footage_for_role"),
    (Role.administrator, Action.manage_consent, True, "no_footage_for_role"),
    (Role.parent, Action.view, True, "unknown_action"),
]


@pytest.mark.parametrize(
    ("role", "action", "registered", "expected"),
    FAMILY_LEVEL,
    ids=[f"{r}-{a}-{'own' if m else 'other'}" for r, a, m, _ in FAMILY_LEVEL],
)
def test_family_level_data_belongs_to_the_family_s_trainers(
    role: Role, action: Action, registered: bool, expected: str
) -> None:
    actor = ACTORS[role]
    f = facts(
        record(Purpose.supervision),
        family_trainers=frozenset({actor.user_id}) if registered else frozenset({TRAINER_ELSE}),
    )
    decision = decide(actor, action, family(f), NOW)
    assert decision.reason == expected, decision
    assert decision.allowed == (expected == "allowed")
    assert decision.message
    if decision.allowed:
        assert decision.basis == (f"registered:{FAMILY}",)
    # Registering the family opens its own data only: not an export, not the log, not footage.
    for kind in (ResourceKind.export, ResourceKind.audit_log):
        assert not decide(actor, action, Resource(kind, FAMILY, facts=f), NOW).allowed


# A recording marked for purge (phase one of ADR 0002 decision 7) is refused to every reader, whatever
# their role or basis, and so is every clip of it; other recordings of the family are not affected.
PURGE: list[tuple[Role, Action]] = [(role, action) for role in EXPECTED for action in ACTIONS]


@pytest.mark.parametrize(("role", "action"), PURGE, ids=[f"{r}-{a}" for r, a in PURGE])
def test_a_recording_being_purged_is_refused_to_everyone(role: Role, action: Action) -> None:
    f = facts(record(PURPOSE.get(role, Purpose.supervision)), purge_pending=frozenset({RECORDING}))
    for kind in (ResourceKind.clip, ResourceKind.recording):
        decision = decide(ACTORS[role], action, clip(f, kind=kind), NOW)
        assert decision.reason == "purge_pending", decision
        assert not decision.allowed
        assert decision.message
    other = facts(
        record(PURPOSE.get(role, Purpose.supervision)), purge_pending=frozenset({OTHER_RECORDING})
    )
    assert decide(ACTORS[role], action, clip(other), NOW).reason != "purge_pending"


def test_every_reason_has_a_message() -> None:
    from consent import MESSAGES

    for reason in ("purge_pending", "not_found", "not_assigned", "allowed"):
        assert MESSAGES[reason]


# A clip's "Doel" (purpose) decides who sees it (issue #22): a clip the trainer tagged for supervision,
# WOK or teaching is for the viewers of that purpose only; a clip for review with the family (the
# default) is seen by every viewer the family's consent allows. Consent for every purpose is given
# here, so only the tag decides. (viewer role, action, clip's purpose) -> reason.
EVERY_PURPOSE = (Purpose.supervision, Purpose.wok, Purpose.teaching)
CLIP_PURPOSE: list[tuple[Role, Action, Purpose | None, str]] = [
    (Role.opleider, Action.stream, Purpose.supervision, "allowed"),
    (Role.opleider, Action.stream, Purpose.review, "allowed"),
    (Role.opleider, Action.stream, None, "allowed"),
    (Role.opleider, Action.stream, Purpose.wok, "clip_for_other_purpose"),
    (Role.opleider, Action.view, Purpose.teaching, "clip_for_other_purpose"),
    (Role.gecommitteerde, Action.stream, Purpose.supervision, "allowed"),
    (Role.gecommitteerde, Action.view, Purpose.wok, "clip_for_other_purpose"),
    (Role.wok_viewer, Action.stream, Purpose.wok, "allowed"),
    (Role.wok_viewer, Action.stream, Purpose.review, "allowed"),
    (Role.wok_viewer, Action.stream, Purpose.supervision, "clip_for_other_purpose"),
    (Role.wok_viewer, Action.view, Purpose.teaching, "clip_for_other_purpose"),
    (Role.trainer, Action.share_to_wok, Purpose.wok, "allowed"),
    (Role.trainer, Action.share_to_wok, Purpose.review, "allowed"),
    (Role.trainer, Action.share_to_wok, Purpose.supervision, "clip_for_other_purpose"),
    (Role.trainer, Action.share_to_wok, Purpose.teaching, "clip_for_other_purpose"),
    # The trainer's own clips, whatever the tag.
    (Role.trainer, Action.stream, Purpose.supervision, "allowed"),
    (Role.trainer, Action.clip, Purpose.wok, "allowed"),
]


@pytest.mark.parametrize(
    ("role", "action", "purpose", "expected"),
    CLIP_PURPOSE,
    ids=[f"{r}-{a}-{p}" for r, a, p, _ in CLIP_PURPOSE],
)
def test_a_clip_s_purpose_decides_who_sees_it(
    role: Role, action: Action, purpose: Purpose | None, expected: str
) -> None:
    f = facts(
        *(
            record(p, rid=100 + i, valid_until=T0 + timedelta(days=1000))
            for i, p in enumerate(EVERY_PURPOSE)
        )
    )
    if role is not Role.wok_viewer:  # no WOK session to watch in as a WOK viewer (the next test)
        f = replace(f, wok_sessions=())
    decision = decide(ACTORS[role], action, clip(f, purpose=purpose), NOW)
    assert decision.reason == expected, decision
    assert decision.allowed == (expected == "allowed")
    assert decision.message
    # The recording itself carries no clip's purpose: the tag of one clip never closes the recording.
    if role is Role.trainer:
        assert (
            decide(ACTORS[role], action, clip(f, kind=ResourceKind.recording), NOW).reason
            != "clip_for_other_purpose"
        )


def test_an_opleider_in_a_wok_session_sees_a_wok_clip_only_as_a_wok_viewer() -> None:
    """The WOK retake (ADR 0002 decision 3) still applies: a WOK clip shared into a session the opleider
    organises is theirs to watch there, with WOK consent, as a WOK viewer."""
    f = facts(record(Purpose.supervision, rid=100), record(Purpose.wok, rid=101))
    decision = decide(ACTORS[Role.opleider], Action.stream, clip(f, purpose=Purpose.wok), NOW)
    assert decision.allowed, decision
    assert f"wok:{WOK_ID}" in decision.basis
    alone = decide(
        ACTORS[Role.opleider],
        Action.stream,
        clip(replace(f, wok_sessions=()), purpose=Purpose.wok),
        NOW,
    )
    assert alone.reason == "clip_for_other_purpose"
