"""The footage's tables: a recording of a trajectory (its sealed original and proxy in the store) and the
clips cut from it, with the words both use (situations, removal reasons, the purposes of a clip)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from consent import Purpose


def _now() -> datetime:
    return datetime.now(UTC)


class Situation(StrEnum):
    bath = "bath"
    play = "play"
    meal = "meal"
    review_with_parents = "review_with_parents"
    other = "other"


class RemovalReason(StrEnum):
    """Why a trainer takes a recording out again. A short list on purpose: the audit log that keeps the
    reason is append-only and never purged, so it must never hold free text (a name, a diagnosis)."""

    wrong_family = "wrong_family"
    imported_by_mistake = "imported_by_mistake"
    failed_recording = "failed_recording"
    duplicate = "duplicate"


# The purposes a clip may be tagged with: every consent purpose but research.
CLIP_TAGS = (Purpose.review, Purpose.supervision, Purpose.wok, Purpose.teaching)


class Recording(SQLModel, table=True):
    __tablename__ = "recording"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    trajectory_id: uuid.UUID = Field(foreign_key="trajectory.id", index=True)
    recorded_at: datetime
    situation: str = Field(default=Situation.other, max_length=32)
    duration_s: float | None = None
    source_device: str = Field(default="", max_length=100)
    original_object_id: uuid.UUID | None = None
    proxy_object_id: uuid.UUID | None = (
        None  # 720p H.264 CFR, upright, stripped: segments start faster
    )
    probe: str = Field(default="{}", sa_type=Text)
    created_at: datetime = Field(default_factory=_now)


class Clip(SQLModel, table=True):
    __tablename__ = "clip"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    recording_id: uuid.UUID = Field(foreign_key="recording.id", index=True)
    start_s: float
    end_s: float
    title: str = Field(default="", max_length=200)
    purpose: str = Field(default=Purpose.review, max_length=16)
    # The fragment for the terugkijkgesprek (ADR 0016): the codebook keys it shows and the kijkrichting
    # (what the parents should look at), both JSON/plain text; the frames (recording frame indices, as
    # annotations store them) chosen as stills, rendered on request and never stored; its place in the
    # review with the parents (None: not in it).
    codes: str = Field(default="[]", sa_type=Text)
    kijkrichting: str = Field(default="", sa_type=Text)
    stills: str = Field(default="[]", sa_type=Text)
    review_position: int | None = None
    # The fragment with faces blurred (ADR 0017): a sealed object derived from the original, purged with it.
    anonymised_object_id: uuid.UUID | None = None
    # Spans to be silent in the anonymised copy (names are spoken): JSON [[start_s, end_s], …] in seconds
    # of the recording, inside the clip, sorted and not overlapping. A change removes the copy made
    # without it (vault.recordings.service.set_mute).
    mute: str = Field(default="[]", sa_type=Text)
    # Who the trainer says is in view (ADR 0017, decision 7): JSON list of the family's person ids, None
    # while not said; `others_in_view` for anyone not registered with the family (a visitor).
    in_view: str | None = Field(default=None, sa_type=Text)
    others_in_view: bool = False
    # The faces the anonymising job found and the trainer's own boxes (ADR 0017, decision 8), JSON.
    faces: str = Field(default="[]", sa_type=Text)
    face_edits: str = Field(default="[]", sa_type=Text)
    # The trainer approved the anonymised copy after checking it; cleared whenever the copy goes.
    anonymised_approved_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    anonymised_approved_at: datetime | None = None
    # The copy asked for and not linked yet (queued or being made; ADR 0017, decision 9): no second job
    # is queued meanwhile. Cleared when the job ends; `anonymise_failed_at` when it could not make it.
    anonymise_asked_at: datetime | None = None
    anonymise_failed_at: datetime | None = None
    created_by: uuid.UUID = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=_now)
