"""The annotations' tables: an organisation's codebook, one row per version, and the annotations.

An annotation is stored at frame accuracy: a frame index (and, for a span, the frame it ends on) with
the rational frame rate of the recording it was made on, so a proxy or a clip maps it exactly.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


def _entry(key: str, nl: str, en: str, colour: str, shortcut: str) -> dict[str, str]:
    return {"key": key, "nl": nl, "en": en, "colour": colour, "shortcut": shortcut}


# The shipped codebook, built on the basiscommunicatie (the communication circle of VHT): who acts,
# the codes of the circle, the moments a trainer selects, and how it was done. Each entry has a stable
# key (what an annotation stores), its name in Dutch and English, a colour and a keyboard key.
DEFAULT_CODEBOOK: dict[str, list[dict[str, str]]] = {
    "actors": [
        _entry("kind", "kind", "child", "#1f77b4", "1"),
        _entry("ouder", "ouder", "parent", "#d62728", "2"),
        _entry("ander", "ander", "other", "#7f7f7f", "3"),
    ],
    "codes": [
        _entry("initiatief", "initiatief", "initiative", "#2ca02c", "i"),
        _entry("ontvangen", "ontvangen", "receiving", "#17becf", "o"),
        _entry("benoemen", "benoemen", "naming", "#9467bd", "b"),
        _entry("beurt_geven", "beurt geven", "giving a turn", "#ff7f0e", "g"),
        _entry("beurt_nemen", "beurt nemen", "taking a turn", "#e377c2", "n"),
        _entry("gezamenlijke_aandacht", "gezamenlijke aandacht", "joint attention", "#bcbd22", "a"),
        _entry("leiding_geven", "leiding geven", "leading", "#8c564b", "l"),
        _entry("afsluiten", "afsluiten", "closing", "#393b79", "s"),
    ],
    "moments": [
        _entry("geslaagd_moment", "geslaagd moment", "successful moment", "#00a651", "m"),
        _entry("kans", "kans", "opportunity", "#f5a623", "k"),
    ],
    "modifiers": [
        _entry("verbaal", "verbaal", "verbal", "#555555", "v"),
        _entry("non_verbaal", "non-verbaal", "non-verbal", "#999999", "w"),
    ],
}


class Codebook(SQLModel, table=True):
    """One version of an organisation's codebook; a change is a new version, never an edit."""

    __tablename__ = "codebook"
    __table_args__ = (UniqueConstraint("organisation_id", "version"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    version: int = Field(ge=1)
    entries: str = Field(sa_type=Text)  # JSON: {"actors": [...], "codes": [...], ...}
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=_now)


class Annotation(SQLModel, table=True):
    """A point (`frame_out` None) or a span of frames on a recording, coded with one codebook version."""

    __tablename__ = "annotation"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    recording_id: uuid.UUID = Field(foreign_key="recording.id", index=True)
    codebook_id: uuid.UUID = Field(foreign_key="codebook.id")
    frame_in: int = Field(ge=0)
    frame_out: int | None = Field(default=None, ge=0)  # the last frame of a span, inclusive
    rate_num: int = Field(ge=1)  # the recording's frame rate as a fraction: 30000/1001, 25/1, ...
    rate_den: int = Field(ge=1)
    code: str = Field(max_length=64)
    actor: str = Field(default="", max_length=64)
    modifiers: str = Field(default="[]", max_length=1000)  # JSON list of modifier keys
    note: str = Field(default="", sa_type=Text, repr=False)  # personal: never in a log line
    # The trainer wrote it for the family: its moment, code and note go into the parents' package.
    for_family: bool = False
    created_by: uuid.UUID = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)


class AnnotationComment(SQLModel, table=True):
    """One message in the thread on an annotation: an opleider or gecommitteerde who may watch the clip
    asks or remarks, the trainer answers. Seen through that clip only (never in a WOK); purged with the
    annotation."""

    __tablename__ = "annotation_comment"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    annotation_id: uuid.UUID = Field(foreign_key="annotation.id", index=True)
    clip_id: uuid.UUID = Field(foreign_key="clip.id")  # the clip it was read and written through
    author_id: uuid.UUID = Field(foreign_key="user_account.id")
    body: str = Field(sa_type=Text, repr=False)  # personal: never in a log line
    created_at: datetime = Field(default_factory=_now)
