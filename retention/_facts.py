"""The facts a retention plan is made from: what a family has stored, and why it was kept."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class TrajectoryType(StrEnum):
    k_vht = "k_vht"
    vht_complex = "vht_complex"
    vib = "vib"


class Phase(StrEnum):
    intake = "intake"
    active = "active"
    closed = "closed"
    follow_up = "follow_up"
    ended = "ended"


class Kept(StrEnum):
    """Why an object is kept, which decides the rule that ends it."""

    original = "original"  # the recording, for the family's own review
    proxy = "proxy"  # a derived copy of an original
    review_recording = "review_recording"  # a filmed review with parents, kept for supervision
    wok_clip = "wok_clip"  # a clip shared into a WOK session
    teaching_clip = "teaching_clip"  # teaching material with its own consent
    evidence = "evidence"  # a scanned consent form
    export = "export"  # the parents' package at rest, waiting for download


@dataclass(frozen=True)
class TrajectoryFacts:
    id: uuid.UUID
    type: TrajectoryType
    phase: Phase
    closed_on: date | None = None
    follow_ups_planned: tuple[date, ...] = ()
    follow_ups_done: tuple[date, ...] = ()
    supervision_done_on: date | None = None
    export_handed_over_on: date | None = None

    def follow_up_remains(self) -> bool:
        return len(self.follow_ups_done) < len(self.follow_ups_planned)

    def last_follow_up(self) -> date | None:
        dates = (*self.follow_ups_planned, *self.follow_ups_done)
        return max(dates) if dates else None


@dataclass(frozen=True)
class StoredObject:
    id: uuid.UUID
    kept: Kept
    trajectory_id: uuid.UUID
    recording_id: uuid.UUID | None = None
    size: int = 0


@dataclass(frozen=True)
class ConsentFact:
    """A consent as retention needs it: its purpose and scope, its end, and any withdrawal.

    `purpose` is one of review, supervision, wok, teaching, research. `recording_ids` None means
    every recording of the trajectory; `withdrawn_recordings` None with `withdrawn_on` set means the
    whole consent was withdrawn.
    """

    record_id: uuid.UUID
    purpose: str
    trajectory_id: uuid.UUID
    recording_ids: frozenset[uuid.UUID] | None = None
    valid_until: date | None = None
    withdrawn_on: date | None = None
    withdrawn_recordings: frozenset[uuid.UUID] | None = None

    def covers(self, obj: StoredObject) -> bool:
        if obj.trajectory_id != self.trajectory_id:
            return False
        return self.recording_ids is None or obj.recording_id in self.recording_ids

    def withdrawn_for(self, obj: StoredObject) -> date | None:
        if self.withdrawn_on is None or not self.covers(obj):
            return None
        if self.withdrawn_recordings is None or obj.recording_id in self.withdrawn_recordings:
            return self.withdrawn_on
        return None


@dataclass(frozen=True)
class LegalHold:
    """A hold blocks every purge it covers until released or past `until`."""

    id: uuid.UUID
    reason: str
    placed_by: str
    placed_on: date
    until: date | None = None
    review_on: date | None = None
    object_ids: frozenset[uuid.UUID] | None = None  # None: the whole family
    released_on: date | None = None

    def blocks(self, object_id: uuid.UUID, on: date) -> bool:
        if on < self.placed_on or (self.released_on is not None and on >= self.released_on):
            return False
        if self.until is not None and on > self.until:
            return False
        return self.object_ids is None or object_id in self.object_ids


@dataclass(frozen=True)
class WokShare:
    object_id: uuid.UUID
    session_ends_on: date


@dataclass(frozen=True)
class FamilyFacts:
    family_id: uuid.UUID
    trajectories: tuple[TrajectoryFacts, ...] = ()
    objects: tuple[StoredObject, ...] = ()
    consents: tuple[ConsentFact, ...] = ()
    holds: tuple[LegalHold, ...] = ()
    wok_shares: tuple[WokShare, ...] = field(default=())
