"""What goes into the annotations' rules and what comes out (each Public class an allowlist)."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vault.annotations.models import Annotation

NOTE_MAX = 2000
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_KEY = re.compile(r"^[a-z0-9_]{1,64}$")


class Entry(BaseModel):
    """One actor, code, moment or modifier of a codebook."""

    key: str = Field(pattern=_KEY.pattern, examples=["initiatief"])
    nl: str = Field(min_length=1, max_length=80, examples=["initiatief"])
    en: str = Field(min_length=1, max_length=80, examples=["initiative"])
    colour: str = Field(pattern=_COLOUR.pattern, examples=["#2ca02c"])
    shortcut: str = Field(min_length=1, max_length=1, examples=["i"])


class CodebookEntries(BaseModel):
    actors: list[Entry] = Field(min_length=1, max_length=20)
    codes: list[Entry] = Field(min_length=1, max_length=60)
    moments: list[Entry] = Field(default_factory=list, max_length=20)
    modifiers: list[Entry] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _unique(self) -> CodebookEntries:
        codes = [e for e in (*self.codes, *self.moments)]
        for group, entries in (
            ("codes", codes),
            ("actors", self.actors),
            ("modifiers", self.modifiers),
        ):
            keys = [e.key for e in entries]
            if len(set(keys)) != len(keys):
                raise ValueError(f"{group}: every key once")
        # A key press while the player runs means one code: codes and moments share the keyboard.
        shortcuts = [e.shortcut.lower() for e in codes]
        if len(set(shortcuts)) != len(shortcuts):
            raise ValueError("codes and moments: every keyboard key once")
        return self


class CodebookPublic(CodebookEntries):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organisation_id: uuid.UUID
    version: int
    created_at: datetime


class AnnotationWrite(BaseModel):
    """A point (`frame_out` absent) or a span (`frame_in`..`frame_out`, both frames included), in frames
    of the recording (its own frame rate: see `rate` in what comes back)."""

    frame_in: int = Field(ge=0, le=10_000_000, examples=[312])
    frame_out: int | None = Field(default=None, ge=0, le=10_000_000, examples=[400])
    code: str = Field(max_length=64, examples=["initiatief"])
    actor: str = Field(default="", max_length=64, examples=["kind"])
    modifiers: list[str] = Field(default_factory=list, max_length=20, examples=[["non_verbaal"]])
    note: str = Field(default="", max_length=NOTE_MAX)
    for_family: bool = Field(
        default=False,
        description="written for the family: the moment, its code and the note go into the parents' "
        "package",
    )

    @field_validator("note")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _ordered(self) -> AnnotationWrite:
        if self.frame_out is not None and self.frame_out < self.frame_in:
            raise ValueError("frame_out must not be before frame_in")
        return self


def seconds(frame: int, rate: Fraction) -> float:
    """The start of `frame` in seconds, from the exact rational rate."""
    return float(frame / rate)


class AnnotationPublic(BaseModel):
    id: uuid.UUID
    recording_id: uuid.UUID
    codebook_id: uuid.UUID
    frame_in: int
    frame_out: int | None
    rate: str = Field(
        description="the recording's frame rate as a fraction", examples=["30000/1001"]
    )
    start_s: float = Field(description="the start of frame_in, in seconds of the recording")
    end_s: float = Field(
        description="the end of the last frame (frame_out, or frame_in for a point)"
    )
    code: str
    actor: str
    modifiers: list[str]
    note: str
    for_family: bool
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Annotation) -> AnnotationPublic:
        rate = Fraction(row.rate_num, row.rate_den)
        last = row.frame_in if row.frame_out is None else row.frame_out
        data: dict[str, Any] = {
            name: getattr(row, name)
            for name in (
                "id",
                "recording_id",
                "codebook_id",
                "frame_in",
                "frame_out",
                "code",
                "actor",
                "note",
                "for_family",
                "created_by",
                "created_at",
                "updated_at",
            )
        }
        return cls(
            **data,
            rate=f"{rate.numerator}/{rate.denominator}",
            start_s=seconds(row.frame_in, rate),
            end_s=seconds(last + 1, rate),
            modifiers=json.loads(row.modifiers or "[]"),
        )


class AnnotationPage(BaseModel):
    items: list[AnnotationPublic]
    total: int
    clip_id: uuid.UUID | None = Field(
        default=None, description="set when the list is the annotations inside one clip"
    )
    clip_start_s: float | None = Field(
        default=None, description="where the clip starts in the recording (for times in the clip)"
    )


COMMENT_MAX = 4000


class CommentWrite(BaseModel):
    """A message in the thread on an annotation (an opleider's remark or question, the trainer's answer)."""

    body: str = Field(
        min_length=1, max_length=COMMENT_MAX, examples=["Wat zag u hier bij de moeder?"]
    )

    @field_validator("body")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("empty")
        return value


class CommentPublic(BaseModel):
    id: uuid.UUID
    annotation_id: uuid.UUID
    clip_id: uuid.UUID
    author_id: uuid.UUID
    body: str
    created_at: datetime


class CommentPage(BaseModel):
    items: list[CommentPublic]
    total: int


class ImportPublic(BaseModel):
    """What an import did: the annotations it made, and how many of the file's it skipped because the
    recording already had them (the same frames, code, actor, modifiers and note)."""

    format: str = Field(examples=["eaf"])
    created: int
    skipped: int
    items: list[AnnotationPublic]
