"""The facts a purge plan is made from: a family's trajectories, stored objects, consents, holds, WOK shares.

The service layer fills these from its own tables (and from `consent` records); the engine only reads
them. Everything is a frozen value.

Time: the plan works in whole days (UTC calendar days). Where a fact is an instant (a withdrawal, a
consent's end, a WOK session's end, a hold's end) a `date` or a `datetime` is accepted. A naive
datetime is taken as UTC. An event (`withdrawn_at`, `created_at`) counts on the day it happened; an
end (`valid_until`, `session_ends_at`, `until`) counts from the first day that starts at or after it,
so a WOK session ending at 16:00 on 4 April is purged on 5 April, never before the meeting is over.
A plain date D as an end means "ends at the start of D".

Dutch words kept: *VHT* (video-hometraining), *K-VHT* (the short form), *VIB*
(video-interactiebegeleiding), *WOK* (Werk Ontwikkelings Kring: a regional peer meeting of trainers
from several organisations), *nazorg* (follow-up).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from consent import Phase, Purpose  # one vocabulary: the consent engine owns it
from retention._errors import RetentionError


def day_of(moment: date | datetime) -> date:
    """The UTC day an event happened on."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        return moment.date()
    return moment


def end_day(moment: date | datetime) -> date:
    """The first UTC day that starts at or after the end `moment`."""
    day = day_of(moment)
    if isinstance(moment, datetime):
        utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
        if (utc.hour, utc.minute, utc.second, utc.microsecond) != (0, 0, 0, 0):
            return day + timedelta(days=1)
    return day


class TrajectoryType(StrEnum):
    k_vht = "k_vht"  # short VHT: up to 4 recordings, one follow-up half a year after closure
    vht_complex = "vht_complex"  # VHT for complex families: ~8 recordings, two follow-ups
    vib = "vib"  # video-interactiebegeleiding


OPEN_PHASES = frozenset({Phase.intake, Phase.active})


class Kind(StrEnum):
    """What a stored object is. Its kind gives the purpose it is kept for by default."""

    original = "original"  # an uploaded recording
    proxy = "proxy"  # a normalised copy of an original
    clip = "clip"  # a fragment cut from a recording; its purposes are its tags
    review_recording = "review_recording"  # a filmed review with the parents, kept for supervision
    evidence = "evidence"  # a scanned consent form
    export = "export"  # the parents' package at rest


@dataclass(frozen=True)
class TrajectoryFacts:
    """One trajectory of the family.

    `follow_ups_planned` lists every planned follow-up (nazorg: one for K-VHT, two for complex VHT),
    `follow_ups_done` the days they were held, a follow-up counting as done once its recording was
    reviewed with the parents. A follow-up still remains while fewer are done than planned, unless the
    trajectory is `ended` (a family that stops coming has no follow-up left).
    `export_handed_over_on` is the latest day the parents received their package.
    """

    id: uuid.UUID
    type: TrajectoryType
    phase: Phase
    closed_on: date | None = None
    follow_ups_planned: tuple[date, ...] = ()
    follow_ups_done: tuple[date, ...] = ()
    supervision_done_on: date | None = None
    export_handed_over_on: date | None = None

    def __post_init__(self) -> None:
        if self.phase in OPEN_PHASES and self.closed_on is not None:
            raise RetentionError(
                "open_trajectory_with_closure",
                f"Traject {self.id} staat op '{self.phase}' maar heeft een afsluitdatum.",
                f"Trajectory {self.id} is '{self.phase}' but has a closure date.",
            )
        if self.phase not in OPEN_PHASES and self.closed_on is None:
            raise RetentionError(
                "closed_trajectory_without_date",
                f"Traject {self.id} staat op '{self.phase}' zonder afsluitdatum; vul die in.",
                f"Trajectory {self.id} is '{self.phase}' without a closure date.",
            )
        closed = self.closed_on
        if closed is not None and any(
            day_of(d) < day_of(closed) for d in (*self.follow_ups_planned, *self.follow_ups_done)
        ):
            raise RetentionError(
                "follow_up_before_closure",
                f"Traject {self.id}: een nazorgdatum ligt vóór de afsluiting ({closed}).",
                f"Trajectory {self.id}: a follow-up date is before closure ({closed}).",
            )

    @property
    def follow_up_remains(self) -> bool:
        return self.phase is not Phase.ended and len(self.follow_ups_done) < len(
            self.follow_ups_planned
        )

    @property
    def last_follow_up_done(self) -> date | None:
        return max(map(day_of, self.follow_ups_done)) if self.follow_ups_done else None


@dataclass(frozen=True)
class StoredObject:
    """One stored object of the family (every version of it goes together).

    `recording_id` is the recording the object shows or was cut from; consent scopes and withdrawals
    name recordings. An object without one (an export package) stands for the whole trajectory.
    `expires_on` is a day the object goes at the latest (the parents' package). `clip_id` is the clip an object renders; WOK shares name clips. `purposes` are extra purpose tags:
    a clip is kept for exactly its tags (for `review` when it has none, and for `wok` when it is
    shared into a WOK session); an original, proxy or export is kept for `review` plus its tags; a
    filmed review for `supervision` plus its tags. Evidence has its own rule and takes no tags.
    """

    id: uuid.UUID
    kind: Kind
    trajectory_id: uuid.UUID
    created_at: date | datetime
    recording_id: uuid.UUID | None = None
    clip_id: uuid.UUID | None = None
    purposes: frozenset[Purpose] = frozenset()
    size: int = 0
    # The object's own last day, whatever its purposes (the parents' package expires on a set day,
    # handed over or not): it goes then, or earlier if its purposes end sooner.
    expires_on: date | None = None

    def __post_init__(self) -> None:
        if self.kind is Kind.evidence and self.purposes:
            raise RetentionError(
                "evidence_with_purpose",
                f"Toestemmingsbewijs {self.id} kan geen doel hebben; het volgt de beelden die het dekt.",
                f"Consent evidence {self.id} takes no purpose; it follows the footage it covers.",
            )
        if self.size < 0:
            raise RetentionError(
                "negative_size",
                f"Object {self.id} heeft een negatieve grootte.",
                f"Object {self.id} has a negative size.",
            )


@dataclass(frozen=True)
class Withdrawal:
    """A withdrawal event of a consent: of the whole consent (`recording_ids` None) or of some recordings."""

    at: date | datetime
    recording_ids: frozenset[uuid.UUID] | None = None


@dataclass(frozen=True)
class ConsentFact:
    """A consent as retention needs it, filled from a `consent.ConsentRecord` and its events.

    - `recording_ids`: the record's scope; None means every recording of the trajectory.
    - `valid_from` / `valid_until`: the record's window (`valid_until` None: no end).
    - `withdrawals`: one `Withdrawal` per withdrawal event (`ConsentEvent` of kind withdrawn: its `at`
      and `recording_ids`). A withdrawal takes effect at once: the footage it covers is due that day.
    - `evidence_object_id`: the stored scan of the signed form, kept as long as the footage it covers
      plus the policy's evidence period.
    """

    record_id: uuid.UUID
    purpose: Purpose
    trajectory_id: uuid.UUID
    recording_ids: frozenset[uuid.UUID] | None = None
    valid_from: date | datetime | None = None
    valid_until: date | datetime | None = None
    withdrawals: tuple[Withdrawal, ...] = ()
    evidence_object_id: uuid.UUID | None = None

    def covers(self, obj: StoredObject) -> bool:
        """The consent's scope includes the object (whatever its purpose)."""
        if obj.trajectory_id != self.trajectory_id:
            return False
        return (
            self.recording_ids is None
            or obj.recording_id is None
            or (obj.recording_id in self.recording_ids)
        )

    def withdrawn_on(self, obj: StoredObject) -> date | None:
        """The first day a withdrawal of this consent covers the object, or None."""
        if not self.covers(obj):
            return None
        days = [
            day_of(w.at)
            for w in self.withdrawals
            if w.recording_ids is None
            or obj.recording_id is None
            or obj.recording_id in w.recording_ids
        ]
        return min(days) if days else None


@dataclass(frozen=True)
class LegalHold:
    """A hold (bewaarplicht) blocks every purge it covers until it is removed or `until` has passed.

    `object_ids` None covers the whole family. `review_on` is the day someone must decide whether the
    hold is still needed; the plan reports holds past their review day but does not lift them.
    """

    id: uuid.UUID
    reason: str
    placed_by: str
    until: date | datetime | None = None
    review_on: date | None = None
    object_ids: frozenset[uuid.UUID] | None = None

    def __post_init__(self) -> None:
        if not self.reason.strip() or not self.placed_by.strip():
            raise RetentionError(
                "hold_without_reason",
                f"Bewaarplicht {self.id} heeft een reden en de naam van wie hem oplegt nodig.",
                f"Legal hold {self.id} needs a reason and who placed it.",
            )

    def covers(self, object_id: uuid.UUID) -> bool:
        return self.object_ids is None or object_id in self.object_ids

    def in_force(self, day: date) -> bool:
        return self.until is None or day < end_day(self.until)


@dataclass(frozen=True)
class WokShare:
    """Clips shared into one WOK session; the access, and the shared clips, end with the session."""

    session_id: uuid.UUID
    clip_ids: frozenset[uuid.UUID]
    session_ends_at: date | datetime


@dataclass(frozen=True)
class FamilyFacts:
    """Everything retention needs to know about one family."""

    family_id: uuid.UUID
    trajectories: tuple[TrajectoryFacts, ...] = ()
    objects: tuple[StoredObject, ...] = ()
    consents: tuple[ConsentFact, ...] = ()
    holds: tuple[LegalHold, ...] = ()
    wok_shares: tuple[WokShare, ...] = ()

    def __post_init__(self) -> None:
        known = {t.id for t in self.trajectories}
        if len(known) != len(self.trajectories):
            raise RetentionError(
                "duplicate_trajectory",
                "Een traject komt twee keer voor in de gegevens van het gezin.",
                "A trajectory appears twice in the family's facts.",
            )
        if len({o.id for o in self.objects}) != len(self.objects):
            raise RetentionError(
                "duplicate_object",
                "Een object komt twee keer voor in de gegevens van het gezin.",
                "An object appears twice in the family's facts.",
            )
        for ref, what in (
            *((o.trajectory_id, f"object {o.id}") for o in self.objects),
            *((c.trajectory_id, f"toestemming {c.record_id}") for c in self.consents),
        ):
            if ref not in known:
                raise RetentionError(
                    "unknown_trajectory",
                    f"{what} hoort bij traject {ref}, dat niet bij dit gezin is opgegeven.",
                    f"{what} belongs to trajectory {ref}, which is not among the family's facts.",
                )
