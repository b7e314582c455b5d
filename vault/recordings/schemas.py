"""What goes into the recordings' rules and what comes out: each Public class is an allowlist of the
fields that leave the service (a new column is published only once it is named here)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from consent import Purpose
from vault.recordings.models import CLIP_TAGS, Clip, Situation


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RecordingCreate(BaseModel):
    recorded_at: datetime
    situation: Situation = Field(default=Situation.other, examples=["bath"])
    duration_s: float | None = Field(default=None, ge=0)
    source_device: str = Field(default="", max_length=100)


class RecordingPublic(_Public):
    id: uuid.UUID
    trajectory_id: uuid.UUID
    recorded_at: datetime
    situation: str = Field(examples=["bath"])
    duration_s: float | None
    source_device: str
    original_object_id: uuid.UUID | None
    proxy_object_id: uuid.UUID | None
    probe: str = Field(
        description="JSON: what ffprobe found (container, codecs, size, frame rate, …)"
    )
    created_at: datetime


class RecordingView(RecordingPublic):
    """A recording for people: its card file name and when it was filmed, as far as that is known."""

    file_name: str | None = Field(description="the file's name on the card (no folders)")
    filmed_at: datetime | None = Field(
        description="the camera's own time or the time the import gave; none when unknown"
    )


class RemovalRequest(BaseModel):
    reason: str | None = Field(default=None, examples=["wrong_family"])


class RemovalPublic(BaseModel):
    id: uuid.UUID
    trajectory_id: uuid.UUID
    reason: str = Field(examples=["wrong_family"])
    objects_deleted: int
    clips_removed: int


def _clip_tag(purpose: Purpose) -> Purpose:
    if purpose not in CLIP_TAGS:
        raise ValueError(f"purpose {purpose} is not a clip purpose")
    return purpose


class ClipCreate(BaseModel):
    start_s: float = Field(ge=0, examples=[12.5])
    end_s: float = Field(gt=0, examples=[48.0])
    title: str = Field(default="", max_length=200, examples=["Samen in bad: aansluiten"])
    purpose: Annotated[
        Purpose,
        AfterValidator(_clip_tag),
        WithJsonSchema({"type": "string", "enum": [p.value for p in CLIP_TAGS]}),
    ] = Purpose.review  # the enum names the clip purposes only

    @model_validator(mode="after")
    def _ordered(self) -> ClipCreate:
        if self.end_s <= self.start_s:
            raise ValueError("end_s must be after start_s")
        return self


MAX_STILLS = 12


class ClipUpdate(BaseModel):
    """The fragment for the terugkijkgesprek, set by its trainer: everything at once (what the page's form
    holds). `codes` are keys of the codebook; `stills` are frame indices of the recording (as annotations
    store them) inside the fragment; `review_position` orders the review with the parents (none: left out)."""

    title: str = Field(default="", max_length=200, examples=["Samen in bad: aansluiten"])
    codes: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=32, examples=[["initiatief", "ontvangen"]]
    )
    kijkrichting: str = Field(
        default="", max_length=2000, examples=["Kijk hoe Sam naar u kijkt als u zijn naam noemt."]
    )
    stills: list[Annotated[int, Field(ge=0)]] = Field(
        default_factory=list, max_length=MAX_STILLS, examples=[[137, 212]]
    )
    review_position: int | None = Field(default=None, ge=1, le=999, examples=[1])


MAX_MUTE_SPANS = 50


class MuteSpan(BaseModel):
    """A span to be silent in the fragment's anonymised copy, in seconds of the recording (as the clip's
    start and end), inside the clip."""

    start_s: float = Field(ge=0, allow_inf_nan=False, examples=[14.2])
    end_s: float = Field(ge=0, allow_inf_nan=False, examples=[15.0])


class ClipMute(BaseModel):
    """Every span to be silent, at once (an empty list: none). Checked against the clip: each span starts
    before it ends and lies inside the clip."""

    spans: list[MuteSpan] = Field(default_factory=list, max_length=MAX_MUTE_SPANS)


MAX_IN_VIEW = 50


class ClipInView(BaseModel):
    """Who is in view in the fragment, as its trainer says: the family's people (ids of its people),
    and whether anyone else is (a visitor, a neighbour's child: anyone not registered with the family)."""

    people: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_IN_VIEW)
    others: bool = False


class ClipPurpose(BaseModel):
    """What the fragment is for, its "Doel": it decides who may see it. `teaching` marks it as teaching
    material, allowed only when teaching would be allowed to show it (ADR 0017, decision 10)."""

    purpose: Annotated[
        Purpose,
        AfterValidator(_clip_tag),
        WithJsonSchema({"type": "string", "enum": [p.value for p in CLIP_TAGS]}),
    ] = Field(examples=["teaching"])


MAX_FACE_EDITS = 200

Finite = Annotated[float, Field(allow_inf_nan=False)]
FaceBox = Annotated[
    tuple[Finite, Finite, Finite, Finite],
    Field(
        description="x, y, width, height as fractions (0 to 1) of the frame, from its top left",
        examples=[[0.42, 0.18, 0.12, 0.2]],
    ),
]


class FaceEdit(BaseModel):
    """A box the trainer draws over a span of the fragment (seconds of the recording, inside the clip):
    `add` blurs a face the detector missed, `keep` leaves a consenting person visible (detections whose
    centre lies inside it are not blurred; an `add` box always wins). `box_end` is where the box is at
    `end_s` (it moves in a straight line from `box`); none: it stays where it is."""

    kind: Literal["add", "keep"] = Field(examples=["add"])
    start_s: float = Field(ge=0, allow_inf_nan=False, examples=[14.2])
    end_s: float = Field(ge=0, allow_inf_nan=False, examples=[15.0])
    box: FaceBox
    box_end: FaceBox | None = None


class ClipFaceEdits(BaseModel):
    """Every box the trainer drew, at once (an empty list: none). Checked against the clip: each starts
    before it ends and lies inside the clip, each box inside the frame."""

    edits: list[FaceEdit] = Field(default_factory=list, max_length=MAX_FACE_EDITS)


class FaceDetection(BaseModel):
    t: float = Field(description="seconds of the recording", examples=[14.2])
    boxes: list[FaceBox] = Field(description="the faces found, before they were enlarged")


class ClipFaces(BaseModel):
    """What the check page draws: the faces the anonymising job found in the copy it made, and the
    trainer's own boxes."""

    detections: list[FaceDetection] = Field(
        description="per detection frame (5 a second) the faces found in the clip's anonymised copy; "
        "empty while there is no copy"
    )
    edits: list[FaceEdit] = Field(description="the trainer's boxes, sorted by start")


class ClipPublic(_Public):
    id: uuid.UUID
    recording_id: uuid.UUID
    start_s: float
    end_s: float
    title: str
    purpose: str = Field(examples=["review"])
    codes: list[str] = Field(description="codebook keys the fragment shows")
    kijkrichting: str = Field(description="what the parents should look at, in the trainer's words")
    stills: list[int] = Field(description="frame indices of the recording chosen as stills")
    review_position: int | None = Field(
        description="place in the terugkijkgesprek; none: not in it"
    )
    mute: list[MuteSpan] = Field(
        description="spans (seconds of the recording) silent in the anonymised copy"
    )
    in_view: list[uuid.UUID] | None = Field(
        description="the family's people in view, as the trainer said; none: not said yet (then it "
        "is shown outside the family and its supervision to no one)"
    )
    others_in_view: bool = Field(description="someone not registered with the family is in view")
    anonymised: Literal["none", "making", "failed", "made", "approved"] = Field(
        description="the anonymised copy: none; making (asked for: queued or being made); failed "
        "(the job could not make it: ask again); made (to be checked by the trainer); or approved"
    )
    anonymised_asked_at: datetime | None = Field(
        default=None, description="when the copy being made was asked for; none when not making"
    )
    face_edits: list[FaceEdit] = Field(
        description="the trainer's boxes over the anonymised copy: faces to blur that the detector "
        "missed (add) and people to keep visible (keep), sorted by start"
    )
    created_by: uuid.UUID
    created_at: datetime

    @field_validator("codes", "stills", "face_edits", mode="before")
    @classmethod
    def _listed(cls, value: object) -> object:
        """Stored as JSON text in the clip's row."""
        return json.loads(value) if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _copy(cls, value: object) -> object:
        """The state of the anonymised copy, from the clip's row."""
        if isinstance(value, Clip):
            fields = value.model_dump()
            fields["anonymised"] = (
                ("approved" if value.anonymised_approved_at is not None else "made")
                if value.anonymised_object_id is not None
                else "making"
                if value.anonymise_asked_at is not None
                else "failed"
                if value.anonymise_failed_at is not None
                else "none"
            )
            fields["anonymised_asked_at"] = (
                value.anonymise_asked_at if value.anonymised_object_id is None else None
            )
            return fields
        return value

    @field_validator("in_view", mode="before")
    @classmethod
    def _people(cls, value: object) -> object:
        """Stored as JSON text in the clip's row (NULL: not said)."""
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("mute", mode="before")
    @classmethod
    def _spans(cls, value: object) -> object:
        """Stored as JSON [[start_s, end_s], …] in the clip's row."""
        if isinstance(value, str):
            return [{"start_s": a, "end_s": b} for a, b in json.loads(value)]
        return value
