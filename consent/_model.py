"""The facts the access decision reads: people and gezag, consent records and events, grants, WOK sessions.

Everything is a frozen value. Status is never stored: it is derived from a record and its events at a
moment, so withdrawal, expiry and invalidation are new events, never edits.

Dutch words kept: *gezag* (parental authority), *opleider* (supervisor, trainer of trainers),
*gecommitteerde* (examiner with a time-bound grant), *WOK* (Werk Ontwikkelings Kring, a regional
peer meeting of trainers from several organisations).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Role(StrEnum):
    trainer = "trainer"
    opleider = "opleider"
    gecommitteerde = "gecommitteerde"
    wok_viewer = "wok_viewer"
    privacy_officer = "privacy_officer"
    administrator = "administrator"
    parent = "parent"


# The roles an account holds. A WOK viewer is what a trainer or opleider becomes inside a WOK session;
# a parent has no account, only a one-time handover secret.
ACCOUNT_ROLES = (
    Role.trainer,
    Role.opleider,
    Role.gecommitteerde,
    Role.privacy_officer,
    Role.administrator,
)


def account_role(value: str) -> Role:
    """The account role named `value`; ValueError (Dutch, then English) for anything else."""
    for role in ACCOUNT_ROLES:
        if value == role.value:
            return role
    names = ", ".join(r.value for r in ACCOUNT_ROLES)
    raise ValueError(
        f"Onbekende rol voor een account: {value!r} (kies uit {names}). / "
        f"Not a role an account holds: {value!r} (choose from {names})."
    )


class Action(StrEnum):
    upload = "upload"
    view = "view"
    stream = "stream"
    download = "download"
    clip = "clip"
    export = "export"
    share_to_wok = "share_to_wok"
    mark_for_teaching = (
        "mark_for_teaching"  # tag a fragment as teaching material (ADR 0017, decision 10)
    )
    manage_consent = "manage_consent"
    audit_read = "audit_read"
    annotate = "annotate"  # write a trainer's annotation (code, moment, note) on a recording


class Purpose(StrEnum):
    review = "review"
    supervision = "supervision"
    wok = "wok"
    teaching = "teaching"
    research = "research"


class PersonKind(StrEnum):
    child = "child"
    parent = "parent"
    carer = "carer"
    other = "other"


class Capacity(StrEnum):
    parent_with_authority = "parent_with_authority"
    child = "child"
    self = "self"


class Phase(StrEnum):
    intake = "intake"
    active = "active"
    closed = "closed"
    follow_up = "follow_up"
    ended = "ended"


class Method(StrEnum):
    paper_form = "paper_form"
    in_person = "in_person"
    digital = "digital"


class EventKind(StrEnum):
    withdrawn = "withdrawn"
    expired = "expired"
    invalidated = "invalidated"
    reconfirmed = "reconfirmed"


class ConsentStatus(StrEnum):
    given = "given"
    incomplete = "incomplete"
    withdrawn = "withdrawn"
    expired = "expired"
    not_yet_valid = "not_yet_valid"
    invalidated = "invalidated"


class ResourceKind(StrEnum):
    family = "family"  # the family's own data: the family, its people, gezag (no trajectory)
    recording = "recording"
    clip = "clip"
    # The trainer's annotations of a recording (with `clip_id`: those inside a clip of it). Personal
    # data under the same decision as the footage, but never shown in a WOK session.
    annotation = "annotation"
    consent = "consent"
    export = "export"
    audit_log = "audit_log"


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    kind: PersonKind
    birth_date: date | None = None
    competent: bool = (
        True  # a young person of 16+ recorded as not competent is represented by the parents
    )


@dataclass(frozen=True)
class Authority:
    """Gezag: `parent_id` has parental authority over `child_id`, per `source`, checked on a date."""

    child_id: uuid.UUID
    parent_id: uuid.UUID
    source: str = "verklaring ouders"
    checked_on: date | None = None


@dataclass(frozen=True)
class Signature:
    person_id: uuid.UUID
    capacity: Capacity
    signed_at: datetime


TEACHING_MAX_DAYS = 5 * 365 + 1  # at most five years (one leap day)


@dataclass(frozen=True)
class ConsentRecord:
    """One consent for one purpose of one family, scoped to a trajectory or to listed recordings."""

    id: uuid.UUID
    family_id: uuid.UUID
    purpose: Purpose
    trajectory_id: uuid.UUID
    valid_from: datetime
    signatures: tuple[Signature, ...]
    recording_ids: frozenset[uuid.UUID] | None = None  # None: every recording of the trajectory
    valid_until: datetime | None = None
    notice_version: str = "1"
    language: str = "nl"
    method: Method = Method.paper_form
    evidence_object_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        if self.purpose is Purpose.teaching and (
            self.valid_until is None
            or (self.valid_until - self.valid_from).days > TEACHING_MAX_DAYS
        ):
            raise ValueError("teaching consent needs an end date at most five years ahead")


@dataclass(frozen=True)
class ConsentEvent:
    """Something that happened to a consent: withdrawal (whole or of some recordings), expiry, …"""

    id: uuid.UUID
    record_id: uuid.UUID
    kind: EventKind
    at: datetime
    by_person_id: uuid.UUID | None = None
    recording_ids: frozenset[uuid.UUID] | None = None  # a partial withdrawal names recordings


@dataclass(frozen=True)
class SupervisionLink:
    """Trainee → opleider ("meester-gezel"). Counts only once `confirmed` by a second person (the
    trainee), never on the word of the administrator who proposed it alone."""

    trainee_id: uuid.UUID
    opleider_id: uuid.UUID
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    confirmed: bool = False


@dataclass(frozen=True)
class GecommitteerdeGrant:
    id: uuid.UUID
    user_id: uuid.UUID
    trainee_id: uuid.UUID
    valid_from: datetime
    valid_until: datetime
    confirmed: bool = False  # like a supervision link: only once the trainee confirmed it


WOK_MAX_HOURS = 8  # a WOK session is a meeting: hours, not years


@dataclass(frozen=True)
class WokSession:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    organiser_id: uuid.UUID
    participant_ids: frozenset[uuid.UUID]
    clip_ids: frozenset[uuid.UUID]


@dataclass(frozen=True)
class Facts:
    """Everything about one family the decision may consult; the caller loads it, decide only reads it."""

    people: tuple[Person, ...] = ()
    authorities: tuple[Authority, ...] = ()
    consents: tuple[ConsentRecord, ...] = ()
    events: tuple[ConsentEvent, ...] = ()
    supervision_links: tuple[SupervisionLink, ...] = ()
    grants: tuple[GecommitteerdeGrant, ...] = ()
    wok_sessions: tuple[WokSession, ...] = ()
    # The trainers who registered the family or hold one of its trajectories: the family's own data
    # (the family, its people and gezag) is theirs.
    family_trainers: frozenset[uuid.UUID] = frozenset()
    # Recordings marked for purge (phase one of a purge): refused to every reader from the mark on.
    purge_pending: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID
    role: Role
    organisation_id: uuid.UUID | None = None
    family_id: uuid.UUID | None = None  # parents: their own family
    handover_verified: bool = (
        False  # parents: the one-time handover secret was checked by the caller
    )


@dataclass(frozen=True)
class Resource:
    """What is asked for: the family's own data (`family`), a trajectory or a recording (`recording`
    with or without `recording_id`), a clip of a recording, an export, the audit log."""

    kind: ResourceKind
    family_id: uuid.UUID | None = None
    trajectory_id: uuid.UUID | None = None
    trainer_id: uuid.UUID | None = None
    phase: Phase | None = None
    recording_id: uuid.UUID | None = None
    recorded_at: datetime | None = None
    clip_id: uuid.UUID | None = None
    facts: Facts = field(default_factory=Facts)
    # A clip's "Doel", the purpose its trainer made it for; None for a recording (or an untagged clip).
    clip_purpose: Purpose | None = None
    # Who is in view in a clip, as its trainer said: the family's people (None: not said yet), and
    # whether anyone else is (a visitor, a neighbour's child: no one whose consent is on record).
    in_view: frozenset[uuid.UUID] | None = None
    others_in_view: bool = False
    # What is asked for: the clip's anonymised copy (faces blurred) rather than the clip itself; and
    # whether the trainer checked and approved that copy.
    anonymised: bool = False
    anonymised_approved: bool = False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    message: str
    basis: tuple[str, ...] = ()
