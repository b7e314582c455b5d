"""Withdrawal takes effect at once, and a partial withdrawal touches only what it names."""

from __future__ import annotations

from datetime import timedelta

from consent import Action, Purpose, Role, decide

from .world import ACTORS, NOW, OTHER_RECORDING, RECORDING, clip, facts, record, withdrawal


def test_withdrawal_between_two_segment_requests_stops_the_second() -> None:
    withdrawn_at = NOW + timedelta(seconds=2)
    f = facts(record(Purpose.supervision), events=(withdrawal(at=withdrawn_at),))
    first = decide(ACTORS[Role.opleider], Action.stream, clip(f), NOW)
    second = decide(ACTORS[Role.opleider], Action.stream, clip(f), NOW + timedelta(seconds=4))
    assert first.allowed
    assert not second.allowed
    assert second.reason == "consent_withdrawn"


def test_partial_withdrawal_only_affects_the_named_recordings() -> None:
    f = facts(record(Purpose.supervision), events=(withdrawal(recordings=frozenset({RECORDING})),))
    assert (
        decide(ACTORS[Role.opleider], Action.stream, clip(f, recording=RECORDING), NOW).reason
        == "consent_withdrawn"
    )
    assert decide(
        ACTORS[Role.opleider], Action.stream, clip(f, recording=OTHER_RECORDING), NOW
    ).allowed


def test_another_valid_consent_still_grants() -> None:
    f = facts(
        record(Purpose.supervision, rid=100),
        record(Purpose.supervision, rid=101),
        events=(withdrawal(rid=100),),
    )
    decision = decide(ACTORS[Role.opleider], Action.stream, clip(f), NOW)
    assert decision.allowed
    assert decision.basis[0] == "consent:00000000-0000-0000-0000-000000000065"
