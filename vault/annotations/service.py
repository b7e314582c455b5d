"""The annotations' rules: the organisation's codebook (read by its accounts, a new version by its
administrator) and the trainer's annotations on a recording.

Annotations are personal data under the same decision as the footage (`consent.decide`, resource
`annotation`): the recording's own trainer reads and writes them, a supervisor reads them on a clip they
may watch, nobody else (ADR 0011). Every read and write is decided and logged through
`vault.access.authorize`; a write is logged once more with what was written (create/update/delete).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from consent import Role
from vault import audit
from vault.access import authorize
from vault.accounts import InvalidField, require_role
from vault.annotations import formats
from vault.annotations.models import DEFAULT_CODEBOOK, Annotation, AnnotationComment, Codebook
from vault.annotations.schemas import AnnotationWrite, CodebookEntries, CommentWrite
from vault.domain.models import User
from vault.errors import Conflict, NotFound
from vault.families.models import Trajectory
from vault.recordings.models import Clip, Recording

FORMATS = {
    "jsonld": ("application/ld+json", "jsonld"),
    "vtt": ("text/vtt; charset=utf-8", "vtt"),
    "eaf": ("application/xml", "eaf"),
}


# The codebook --------------------------------------------------------------------------------------


def _newest(db: Session, organisation_id: uuid.UUID) -> Codebook | None:
    return db.exec(
        select(Codebook)
        .where(Codebook.organisation_id == organisation_id)
        .order_by(col(Codebook.version).desc())
    ).first()


def _added(db: Session, row: Codebook) -> bool:
    """Insert a codebook version; False when another request stored that version first (the unique
    organisation and version), with this transaction still usable."""
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:
        return False
    return True


def _current(db: Session, organisation_id: uuid.UUID) -> Codebook:
    """The organisation's newest codebook; the shipped default becomes version 1 on first use."""
    row = _newest(db, organisation_id)
    if row is None:
        first = Codebook(
            organisation_id=organisation_id, version=1, entries=json.dumps(DEFAULT_CODEBOOK)
        )
        row = first if _added(db, first) else _newest(db, organisation_id)
        assert row is not None  # noqa: S101 - stored by us or by the request that came first
    return row


def _no_organisation() -> NotFound:
    return NotFound(
        "Uw account hoort bij geen organisatie.", "Your account belongs to no organisation."
    )


def codebook(db: Session, principal: audit.Principal) -> Codebook:
    """The codebook of the signed-in account's organisation (no personal data: every account reads it)."""
    if principal.organisation_id is None:
        raise _no_organisation()
    return _current(db, principal.organisation_id)


def new_codebook_version(
    db: Session, principal: audit.Principal, entries: CodebookEntries
) -> Codebook:
    """The organisation's administrator saves a changed codebook as a new version; annotations keep the
    version they were made with."""
    require_role(principal, Role.administrator)
    if principal.organisation_id is None:
        raise _no_organisation()
    current = _current(db, principal.organisation_id)
    row = Codebook(
        organisation_id=principal.organisation_id,
        version=current.version + 1,
        entries=entries.model_dump_json(),
        created_by=principal.user_id,
    )
    if not _added(db, row):
        raise Conflict(
            "Het codeboek is zojuist door iemand anders gewijzigd; bekijk het en probeer het opnieuw.",
            "The codebook was changed by someone else just now; look at it and try again.",
        )
    audit.record(
        db,
        action="configuration_change",
        outcome="success",
        actor=principal,
        object_id=row.id,
        object_type="codebook",
        detail={"version": str(row.version)},
    )
    return row


def entries(row: Codebook) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(row.entries)
    return data


# Annotations ---------------------------------------------------------------------------------------


def _recording(db: Session, recording_id: uuid.UUID) -> Recording:
    row = db.get(Recording, recording_id)
    if row is None:
        raise NotFound("Opname niet gevonden.", "Recording not found.")
    return row


def frame_rate(recording: Recording) -> Fraction:
    """The recording's frame rate as the fraction the camera wrote (30000/1001, 25, ...), from the probe
    made when it was checked. Conflict when it is not known (yet): no frame can be named without it."""
    try:
        rate = float(json.loads(recording.probe or "{}").get("frame_rate") or 0)
    except (ValueError, TypeError, AttributeError):
        rate = 0.0
    if not 1 <= rate <= 1000:
        raise Conflict(
            "Van deze opname is de beeldfrequentie (nog) niet bekend: aantekeningen kunnen pas als de opname "
            "is gecontroleerd.",
            "The frame rate of this recording is not known (yet): annotations are possible once the recording "
            "has been checked.",
        )
    return Fraction(rate).limit_denominator(1001)


def _check(
    body: AnnotationWrite, book: dict[str, Any], recording: Recording, rate: Fraction
) -> None:
    """The code, actor and modifiers come from the codebook; the frames lie inside the recording."""
    keys = {
        group: {e["key"] for e in book.get(group, [])}
        for group in ("actors", "codes", "moments", "modifiers")
    }
    if body.code not in keys["codes"] | keys["moments"]:
        raise InvalidField(
            "code",
            f"Onbekende code '{body.code}': kies een code uit het codeboek.",
            f"Unknown code '{body.code}': choose a code from the codebook.",
        )
    if body.actor and body.actor not in keys["actors"]:
        raise InvalidField(
            "actor",
            f"Onbekende actor '{body.actor}': kies kind, ouder of ander (het codeboek).",
            f"Unknown actor '{body.actor}': choose one from the codebook.",
        )
    unknown = [m for m in body.modifiers if m not in keys["modifiers"]]
    if unknown or len(set(body.modifiers)) != len(body.modifiers):
        raise InvalidField(
            "modifiers",
            "Kies elke kenmerk (zoals verbaal, non-verbaal) één keer uit het codeboek.",
            "Choose each modifier (such as verbal, non-verbal) once from the codebook.",
        )
    if recording.duration_s:
        frames = int(Fraction(recording.duration_s).limit_denominator(1_000_000) * rate)
        last = body.frame_in if body.frame_out is None else body.frame_out
        if last >= max(frames, 1):
            raise InvalidField(
                "frame_out" if body.frame_out is not None else "frame_in",
                f"Dit beeld ligt voorbij het einde van de opname (beeld 0 tot {frames - 1}).",
                f"This frame lies past the end of the recording (frames 0 to {frames - 1}).",
            )


def _owner_organisation(db: Session, recording: Recording) -> uuid.UUID:
    """The organisation whose codebook a recording is coded with: its trainer's."""
    trajectory = db.get(Trajectory, recording.trajectory_id)
    trainer = db.get(User, trajectory.trainer_id) if trajectory else None
    if trainer is None:
        raise NotFound("Opname niet gevonden.", "Recording not found.")
    return trainer.organisation_id


def list_annotations(
    db: Session, principal: audit.Principal, recording_id: uuid.UUID
) -> list[Annotation]:
    authorize(db, principal, "view", recording_id=recording_id, annotations=True)
    return list(
        db.exec(
            select(Annotation)
            .where(Annotation.recording_id == recording_id)
            .order_by(col(Annotation.frame_in), col(Annotation.created_at))
        ).all()
    )


@dataclass(frozen=True)
class InClip:
    clip: Clip
    rows: list[Annotation]


def clip_annotations(db: Session, principal: audit.Principal, clip_id: uuid.UUID) -> InClip:
    """The annotations of the clip's recording that overlap the clip (by their frames' times)."""
    authorize(db, principal, "view", clip_id=clip_id, annotations=True)
    clip = db.get(Clip, clip_id)
    if clip is None:
        raise NotFound("Fragment niet gevonden.", "Clip not found.")
    rows = db.exec(
        select(Annotation)
        .where(Annotation.recording_id == clip.recording_id)
        .order_by(col(Annotation.frame_in), col(Annotation.created_at))
    ).all()
    start, end = (
        Fraction(clip.start_s).limit_denominator(1_000_000),
        Fraction(clip.end_s).limit_denominator(1_000_000),
    )
    return InClip(
        clip, [r for r in rows if formats.times(r)[0] < end and formats.times(r)[1] > start]
    )


def _family(db: Session, recording: Recording) -> uuid.UUID | None:
    trajectory = db.get(Trajectory, recording.trajectory_id)
    return trajectory.family_id if trajectory else None


def _logged(
    db: Session, principal: audit.Principal, action: str, recording: Recording, row_id: uuid.UUID
) -> None:
    audit.record(
        db,
        action=action,
        outcome="success",
        actor=principal,
        family_id=_family(db, recording),
        object_id=row_id,
        object_type="annotation",
        detail={"recording": str(recording.id)},
    )


def _new(
    recording_id: uuid.UUID,
    principal: audit.Principal,
    body: AnnotationWrite,
    book: Codebook,
    rate: Fraction,
) -> Annotation:
    """A new annotation of `principal`'s, filled from `body`. The access seam allowed `annotate` only
    to the trajectory's trainer, whose principal has a user id (None only for the system and the
    parents' download links, which never annotate)."""
    row = Annotation(
        recording_id=recording_id,
        created_by=principal.user_id,  # type: ignore[arg-type]  # a trainer's principal has a user id (above)
        codebook_id=book.id,
        frame_in=0,
        rate_num=1,
        rate_den=1,
        code="",
    )
    _fill(row, body, book, rate)
    return row


def _fill(row: Annotation, body: AnnotationWrite, book: Codebook, rate: Fraction) -> None:
    row.codebook_id, row.frame_in, row.frame_out = book.id, body.frame_in, body.frame_out
    row.rate_num, row.rate_den = rate.numerator, rate.denominator
    row.code, row.actor, row.note = body.code, body.actor, body.note
    row.modifiers = json.dumps(body.modifiers)
    row.for_family = body.for_family


def _prepare(
    db: Session, principal: audit.Principal, recording_id: uuid.UUID, body: AnnotationWrite
) -> tuple[Recording, Codebook, Fraction]:
    authorize(db, principal, "annotate", recording_id=recording_id, annotations=True)
    recording = _recording(db, recording_id)
    rate = frame_rate(recording)
    book = _current(db, _owner_organisation(db, recording))
    _check(body, entries(book), recording, rate)
    return recording, book, rate


def create_annotation(
    db: Session, principal: audit.Principal, recording_id: uuid.UUID, body: AnnotationWrite
) -> Annotation:
    recording, book, rate = _prepare(db, principal, recording_id, body)
    row = _new(recording_id, principal, body, book, rate)
    db.add(row)
    db.flush()
    _logged(db, principal, "create", recording, row.id)
    return row


def _annotation(db: Session, recording_id: uuid.UUID, annotation_id: uuid.UUID) -> Annotation:
    row = db.get(Annotation, annotation_id)
    if row is None or row.recording_id != recording_id:
        raise NotFound("Aantekening niet gevonden.", "Annotation not found.")
    return row


def update_annotation(
    db: Session,
    principal: audit.Principal,
    recording_id: uuid.UUID,
    annotation_id: uuid.UUID,
    body: AnnotationWrite,
) -> Annotation:
    """A changed annotation is coded with the codebook in force now."""
    recording, book, rate = _prepare(db, principal, recording_id, body)
    row = _annotation(db, recording_id, annotation_id)
    _fill(row, body, book, rate)
    row.updated_at = datetime.now(UTC)
    db.add(row)
    db.flush()
    _logged(db, principal, "update", recording, row.id)
    return row


def delete_annotation(
    db: Session, principal: audit.Principal, recording_id: uuid.UUID, annotation_id: uuid.UUID
) -> Annotation:
    authorize(db, principal, "annotate", recording_id=recording_id, annotations=True)
    recording = _recording(db, recording_id)
    row = _annotation(db, recording_id, annotation_id)
    db.delete(row)
    db.flush()
    _logged(db, principal, "delete", recording, annotation_id)
    return row


# Threads on an annotation -------------------------------------------------------------------------


def _in_clip(
    db: Session, principal: audit.Principal, clip_id: uuid.UUID, annotation_id: uuid.UUID
) -> tuple[Clip, Annotation]:
    """The annotation, read through a clip the principal may see it in (the decision on the clip's
    annotations: the own trainer, an opleider or gecommitteerde with supervision consent, never a WOK)."""
    found = clip_annotations(db, principal, clip_id)
    row = next((r for r in found.rows if r.id == annotation_id), None)
    if row is None:
        raise NotFound(
            "Aantekening niet gevonden in dit fragment.", "Annotation not found in this clip."
        )
    return found.clip, row


def comments(
    db: Session, principal: audit.Principal, clip_id: uuid.UUID, annotation_id: uuid.UUID
) -> list[AnnotationComment]:
    _in_clip(db, principal, clip_id, annotation_id)
    return list(
        db.exec(
            select(AnnotationComment)
            .where(AnnotationComment.annotation_id == annotation_id)
            .order_by(col(AnnotationComment.created_at))
        ).all()
    )


def add_comment(
    db: Session,
    principal: audit.Principal,
    clip_id: uuid.UUID,
    annotation_id: uuid.UUID,
    body: CommentWrite,
) -> AnnotationComment:
    """An opleider or gecommitteerde comments on the trainer's annotation; the trainer answers."""
    require_role(principal, Role.trainer, Role.opleider, Role.gecommitteerde)
    clip, row = _in_clip(db, principal, clip_id, annotation_id)
    comment = AnnotationComment(
        annotation_id=row.id,
        clip_id=clip.id,
        author_id=principal.user_id,  # type: ignore[arg-type]  # user_id is None only for the system and parents' download links, which never call this
        body=body.body,
    )
    db.add(comment)
    db.flush()
    recording = _recording(db, row.recording_id)
    audit.record(
        db,
        action="create",
        outcome="success",
        actor=principal,
        family_id=_family(db, recording),
        object_id=comment.id,
        object_type="annotation_comment",
        detail={"annotation": str(row.id), "clip": str(clip.id)},
    )
    return comment


def _names(db: Session, rows: Sequence[Annotation]) -> dict[str, Any]:
    """The codebook entries the rows were made with (newer versions' names first)."""
    ids = {r.codebook_id for r in rows}
    books = (
        db.exec(
            select(Codebook).where(col(Codebook.id).in_(ids)).order_by(col(Codebook.version))
        ).all()
        if ids
        else []
    )
    merged: dict[str, dict[str, dict[str, str]]] = {}
    for book in books:
        for group, items in entries(book).items():
            for item in items:
                merged.setdefault(group, {})[item["key"]] = item
    return {group: list(items.values()) for group, items in merged.items()}


def export(
    db: Session, principal: audit.Principal, recording_id: uuid.UUID, fmt: str
) -> tuple[bytes, str, str]:
    """The recording's annotations as W3C Web Annotation, WebVTT or ELAN: (body, media type, file name).
    Decided and logged as reading the annotations."""
    if fmt not in FORMATS:
        raise InvalidField(
            "format",
            "Kies een formaat: jsonld, vtt of eaf.",
            "Choose a format: jsonld, vtt or eaf.",
        )
    authorize(
        db,
        principal,
        "view",
        recording_id=recording_id,
        annotations=True,
        object_type="annotation_export",
    )
    rows = list(db.exec(select(Annotation).where(Annotation.recording_id == recording_id)).all())
    names = _names(db, rows)
    if fmt == "jsonld":
        body = json.dumps(
            formats.web_annotation(recording_id, rows, names), ensure_ascii=False, indent=1
        ).encode()
    elif fmt == "vtt":
        body = formats.webvtt(rows).encode()
    else:
        body = formats.eaf(recording_id, rows, names)
    media_type, extension = FORMATS[fmt]
    return body, media_type, f"aantekeningen-{recording_id}.{extension}"


# Importing a file ---------------------------------------------------------------------------------


def import_recording(db: Session, principal: audit.Principal, recording_id: uuid.UUID) -> Recording:
    """The decision on an import, before a byte of the file is read: decided exactly as creating an
    annotation (and logged so), and the recording's frame rate known (409 otherwise)."""
    authorize(db, principal, "annotate", recording_id=recording_id, annotations=True)
    recording = _recording(db, recording_id)
    frame_rate(recording)
    return recording


def _lookup(book: dict[str, Any], *groups: str) -> dict[str, str]:
    """A codebook entry's key from its key or its Dutch or English name (case-insensitive); keys first."""
    found: dict[str, str] = {}
    items = [e for group in groups for e in book.get(group, [])]
    for name in ("key", "nl", "en"):
        for e in items:
            found.setdefault(e[name].casefold(), e["key"])
    return found


def _one(value: str, table: dict[str, str], entry: formats.Imported, what: tuple[str, str]) -> str:
    """The one key a value names. A JSON-LD body may give it in Dutch and in English (one per line):
    both must name the same entry."""
    keys = {table.get(v.strip().casefold()) for v in value.split("\n") if v.strip()}
    if len(keys) == 1 and None not in keys:
        return keys.pop() or ""
    raise formats.ImportRefused(
        entry.where,
        f"onbekende of dubbele {what[0]} '{formats.shown(value.replace(chr(10), ' / '))}': kies er "
        "één uit het codeboek van uw organisatie.",
        f"unknown or double {what[1]} '{formats.shown(value.replace(chr(10), ' / '))}': choose one "
        "from your organisation's codebook.",
    )


def _write(
    entry: formats.Imported, book: dict[str, Any], recording: Recording, rate: Fraction
) -> AnnotationWrite:
    """An entry as the body of a create: its times on the recording's frames, its codes as keys of the
    current codebook, checked as a create is checked; refused naming the entry."""
    if entry.end < entry.start:
        raise formats.ImportRefused(
            entry.where, "eindigt voor het begint.", "ends before it starts."
        )
    codes = _lookup(book, "codes", "moments")
    code = _one(entry.code, codes, entry, ("code", "code"))
    actor = (
        _one(entry.actor, _lookup(book, "actors"), entry, ("actor", "actor"))
        if entry.actor.strip()
        else ""
    )
    table = _lookup(book, "modifiers")
    # JSON-LD names each modifier twice (a Dutch and an English body): one key, once.
    modifiers = list(
        dict.fromkeys(_one(m, table, entry, ("kenmerk", "modifier")) for m in entry.modifiers)
    )
    frame_in = round(entry.start * rate)
    last = max(round(entry.end * rate) - 1, frame_in)
    try:
        body = AnnotationWrite(
            frame_in=frame_in,
            frame_out=last if last > frame_in or entry.span else None,
            code=code,
            actor=actor,
            modifiers=modifiers,
            note=entry.note,
        )
        _check(body, book, recording, rate)
    except ValidationError as error:
        problem = error.errors()[0]
        name = ".".join(str(p) for p in problem["loc"])
        raise formats.ImportRefused(
            entry.where,
            f"'{name}' klopt niet ({problem['msg']}).",
            f"'{name}' is wrong ({problem['msg']}).",
        ) from None
    except InvalidField as error:
        raise formats.ImportRefused(entry.where, error.message_nl, error.message_en) from None
    return body


def _same(
    frame_in: int, frame_out: int | None, code: str, actor: str, modifiers: Any, note: str
) -> tuple[Any, ...]:
    """What makes two annotations the same for an import: frames (a one-frame span is that point),
    code, actor, modifiers (in any order) and note."""
    return (
        frame_in,
        frame_in if frame_out is None else frame_out,
        code,
        actor,
        tuple(sorted(modifiers)),
        note,
    )


@dataclass(frozen=True)
class ImportResult:
    created: list[Annotation]
    skipped: int
    format: str


def import_annotations(
    db: Session,
    principal: audit.Principal,
    recording: Recording,
    data: bytes,
    fmt: str = "",
) -> ImportResult:
    """A file of annotations in one of the export formats, into the recording: all of it or nothing.
    Every entry is read and checked before one is written; the first bad one refuses the file (422,
    named). An entry the recording already has (the same frames, code, actor, modifiers and note) is
    skipped and counted, so a second import of the same file adds nothing. Each annotation written is
    logged as `create`, as one made by hand."""
    if fmt and fmt not in formats.READERS:
        raise InvalidField(
            "format",
            "Kies een formaat: jsonld, vtt of eaf (of laat het weg).",
            "Choose a format: jsonld, vtt or eaf (or leave it out).",
        )
    if not data.strip():
        raise formats.ImportRefused(formats.FILE, "het bestand is leeg.", "the file is empty.")
    if len(data) > formats.MAX_IMPORT_BYTES:
        raise formats.ImportTooLarge()
    fmt = fmt or formats.detect(data)
    found = formats.READERS[fmt](data)
    rate = frame_rate(recording)
    book = _current(db, _owner_organisation(db, recording))
    codes = entries(book)
    bodies = [_write(entry, codes, recording, rate) for entry in found]
    have: dict[tuple[Any, ...], int] = {}
    for row in db.exec(select(Annotation).where(Annotation.recording_id == recording.id)).all():
        key = _same(
            row.frame_in,
            row.frame_out,
            row.code,
            row.actor,
            json.loads(row.modifiers or "[]"),
            row.note,
        )
        have[key] = have.get(key, 0) + 1
    created, skipped = [], 0
    for body in bodies:
        key = _same(body.frame_in, body.frame_out, body.code, body.actor, body.modifiers, body.note)
        if have.get(key, 0) > 0:
            have[key] -= 1
            skipped += 1
            continue
        row = _new(recording.id, principal, body, book, rate)
        db.add(row)
        created.append(row)
    db.flush()
    for row in created:
        _logged(db, principal, "create", recording, row.id)
    return ImportResult(created, skipped, fmt)
