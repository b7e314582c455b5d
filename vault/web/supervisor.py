"""Opleider and gecommitteerde pages: my trainees, the clips I may see, the player and my notes.

What a supervisor sees comes from the access seam, clip by clip. The start page asks `access.judge`
(the decision without a log line) for every candidate clip and logs one `view` of the list per family
it shows; opening a clip is `authorize`d (logged), and the player's viewing link, its playlist and
each segment are decided and logged again by vault.streaming. Clips the family gave no consent for
are counted with the reason, never shown.
"""

from __future__ import annotations

import math
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from consent import Role
from vault import audit
from vault.access import authorize, judge
from vault.accounts import InvalidField
from vault.annotations import formats as annotation_formats
from vault.annotations import service as annotations
from vault.annotations.models import AnnotationComment
from vault.annotations.schemas import COMMENT_MAX, CommentWrite
from vault.consents import service as consents
from vault.consents.models import GrantRow, SupervisionNote
from vault.consents.service import NOTE_MAX, SUPERVISORS, clock
from vault.db import DB
from vault.domain.models import SupervisionLink, User
from vault.families.models import Family, Trajectory
from vault.i18n import N_
from vault.recordings.models import Clip, Recording
from vault.streaming import open_stream
from vault.web._page import (
    FormViewer,
    PageViewer,
    Viewer,
    attempt,
    language,
    message,
    notice,
    redirect,
    render,
    require,
)
from vault.web.labels import SITUATIONS

router = APIRouter()

# Why clips are withheld, as the end of "N fragmenten ...".
# What the clips a supervisor does not see have in common, after "3 fragmenten" (gettext msgids).
WITHHELD: dict[str, str] = {
    "no_consent": N_("zonder toestemming van het gezin"),
    "consent_incomplete": N_("met onvolledige toestemming (er ontbreekt een handtekening)"),
    "consent_withdrawn": N_("waarvoor het gezin de toestemming heeft ingetrokken"),
    "consent_expired": N_("met verlopen toestemming"),
    "consent_not_yet_valid": N_("waarvoor de toestemming nog niet is ingegaan"),
    "consent_invalidated": N_("met ongeldig verklaarde toestemming"),
    "recording_not_covered": N_("uit opnames die niet onder de toestemming vallen"),
    "needs_reconfirmation": N_("waarvoor de toestemming opnieuw bevestigd moet worden"),
    "purge_pending": N_("die volgens het bewaarbeleid worden verwijderd"),
    "phase_forbids": N_("uit een beëindigd traject"),
    "clip_for_other_purpose": N_("met een ander doel dan supervisie"),
}


def _active(start: datetime | None, end: datetime | None, now: datetime) -> bool:
    def aware(moment: datetime | None) -> datetime | None:
        return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment

    start, end = aware(start), aware(end)
    return (start is None or start <= now) and (end is None or now < end)


def trainees(db: Session, viewer: Viewer, now: datetime) -> list[User]:
    """The trainers I supervise now: by a supervision link (opleider) or a grant (gecommitteerde)."""
    me = viewer.principal.user_id
    if viewer.role == Role.opleider:
        links = db.exec(select(SupervisionLink).where(SupervisionLink.opleider_id == me)).all()
        ids = {x.trainee_id for x in links if _active(x.valid_from, x.valid_until, now)}
    else:
        grants = db.exec(select(GrantRow).where(GrantRow.user_id == me)).all()
        ids = {g.trainee_id for g in grants if _active(g.valid_from, g.valid_until, now)}
    people = [u for u in (db.get(User, i) for i in ids) if u is not None]
    return sorted(people, key=lambda u: (u.name.lower(), str(u.id)))


@dataclass
class Trainee:
    user: User
    clips: list[dict[str, Any]] = field(default_factory=list)
    withheld: list[tuple[int, str, str]] = field(default_factory=list)


def _withheld(reasons: Counter[str], messages: dict[str, str]) -> list[tuple[int, str, str]]:
    """(count, reason, ending) per reason, most first; the ending a msgid, or the engine's message."""
    return [
        (n, reason, WITHHELD.get(reason, f"– {messages[reason]}"))
        for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    ]


def overview(db: Session, viewer: Viewer, now: datetime) -> list[Trainee]:
    """Per trainee, the clips the seam lets me watch now, and how many it withholds and why.

    Candidates are the clips of the trainee's trajectories whose footage still exists. Each is judged
    unlogged; the list is logged once per family it concerns (which clips were shown, how many not)."""
    result = []
    shown: dict[uuid.UUID, list[str]] = defaultdict(list)
    hidden: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    bases: dict[uuid.UUID, set[str]] = defaultdict(set)
    for user in trainees(db, viewer, now):
        trainee = Trainee(user)
        rows = db.exec(
            select(Clip, Recording, Family)
            .join(Recording, col(Clip.recording_id) == Recording.id)
            .join(Trajectory, col(Recording.trajectory_id) == Trajectory.id)
            .join(Family, col(Trajectory.family_id) == Family.id)
            .where(Trajectory.trainer_id == user.id)
            .where(col(Recording.original_object_id).is_not(None))
            .order_by(col(Recording.recorded_at).desc(), col(Clip.start_s))
        ).all()
        reasons: Counter[str] = Counter()
        messages: dict[str, str] = {}
        for clip, recording, family in rows:
            decision, _ = judge(db, viewer.principal, "view", clip_id=clip.id, at=now)
            if decision.allowed:
                shown[family.id].append(str(clip.id))
                bases[family.id].update(decision.basis)
                trainee.clips.append(
                    {
                        "clip": clip,
                        "recording": recording,
                        "family": family,
                        "situation": SITUATIONS.get(recording.situation, recording.situation),
                    }
                )
            else:
                reasons[decision.reason] += 1
                messages[decision.reason] = decision.message
                hidden[family.id][decision.reason] += 1
        counts = _note_counts(db, [c["clip"].id for c in trainee.clips])
        for item in trainee.clips:
            item["notes"] = counts.get(item["clip"].id, 0)
        trainee.withheld = _withheld(reasons, messages)
        result.append(trainee)
    for family_id in sorted(set(shown) | set(hidden), key=str):
        audit.record(
            db,
            action="view",
            outcome="allowed" if shown[family_id] else "denied",
            reason="" if shown[family_id] else hidden[family_id].most_common(1)[0][0],
            actor=viewer.principal,
            family_id=family_id,
            object_type="clip_list",
            basis=sorted(bases[family_id]),
            occurred_at=now,
            detail={
                "clips": ",".join(shown[family_id]),
                "withheld": str(sum(hidden[family_id].values())),
            },
        )
    return result


def _note_counts(db: Session, clip_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not clip_ids:
        return {}
    notes = db.exec(
        select(SupervisionNote.clip_id).where(col(SupervisionNote.clip_id).in_(clip_ids))
    )
    return dict(Counter(notes))


@router.get("/begeleiding")
def start(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    require(viewer, *SUPERVISORS)
    people = overview(db, viewer, datetime.now(UTC))
    return render(
        request, "supervisor/start.html", viewer, heading=N_("Begeleiding"), trainees=people
    )


# One clip -----------------------------------------------------------------------------------------


def parse_moment(raw: str) -> float | None:
    """ "1:05", "1:05.4", "65", "65,4" -> seconds; None if it is not a moment."""
    raw = raw.strip().replace(",", ".")
    match = re.fullmatch(r"(?:(\d{1,3}):)?(\d{1,5}(?:\.\d{1,3})?)", raw)
    if match is None:
        return None
    minutes, seconds = match.groups()
    if minutes is not None and float(seconds) >= 60:
        return None
    value = int(minutes or 0) * 60 + float(seconds)
    return value if math.isfinite(value) else None


def _page(
    request: Request,
    viewer: Viewer,
    db: Session,
    clip_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
    notice: str | None = None,
    moment: str = "",
    text: str = "",
) -> HTMLResponse:
    require(viewer, Role.trainer, *SUPERVISORS)
    authorize(db, viewer.principal, "view", clip_id=clip_id)  # logged; a no is a Dutch refusal
    clip, recording, trajectory, trainee = consents.clip_world(db, clip_id)
    family = db.get(Family, trajectory.family_id)
    player, refused = None, None
    if recording.original_object_id is not None:
        opened, problem = attempt(
            db, lambda: open_stream(clip_id=clip_id, principal=viewer.principal, db=db)
        )
        player = opened["playlist"] if opened else None
        refused = message(request, problem) if problem else None
    notes = db.exec(
        select(SupervisionNote, User)
        .join(User, col(SupervisionNote.author_id) == User.id)
        .where(SupervisionNote.clip_id == clip_id)
        .order_by(col(SupervisionNote.at_s), col(SupervisionNote.created_at))
    ).all()
    return render(
        request,
        "supervisor/clip.html",
        viewer,
        status=status,
        error=error,
        notice=notice,
        heading=clip.title or N_("Fragment"),
        clip=clip,
        recording=recording,
        trainee=trainee,
        family=family,
        player=player,
        refused=refused,
        notes=notes,
        threads=_threads(db, viewer, clip_id),
        situation=SITUATIONS.get(recording.situation, recording.situation),
        may_write=viewer.role in SUPERVISORS,
        clock=clock,
        moment=moment,
        text=text,
        duration=clip.end_s - clip.start_s,
        back=_back(viewer),
    )


def _threads(db: Session, viewer: Viewer, clip_id: uuid.UUID) -> list[dict[str, Any]]:
    """The trainer's annotations inside the clip, each with its thread (decided and logged as reading
    the clip's annotations: the same decision as the footage, so whoever sees this page sees them)."""
    found = annotations.clip_annotations(db, viewer.principal, clip_id)
    ids = [row.id for row in found.rows]
    said: dict[uuid.UUID, list[tuple[AnnotationComment, User]]] = defaultdict(list)
    if ids:
        for comment, author in db.exec(
            select(AnnotationComment, User)
            .join(User, col(AnnotationComment.author_id) == User.id)
            .where(col(AnnotationComment.annotation_id).in_(ids))
            .order_by(col(AnnotationComment.created_at))
        ).all():
            said[comment.annotation_id].append((comment, author))
    return [
        {
            "annotation": row,
            "at_s": float(annotation_formats.times(row)[0]),
            "comments": said[row.id],
        }
        for row in found.rows
    ]


def _back(viewer: Viewer) -> tuple[str, str]:
    """Where the clip page leads back to: (path, name as a gettext msgid)."""
    if viewer.role == Role.trainer:
        return ("/trajecten", N_("Mijn trajecten"))
    return ("/begeleiding", N_("Begeleiding"))


@router.get("/begeleiding/fragmenten/{clip_id}")
def clip_page(
    clip_id: uuid.UUID, request: Request, viewer: PageViewer, db: DB, opgeslagen: str = ""
) -> HTMLResponse:
    saved = {
        "notitie": N_("Notitie opgeslagen."),
        "verwijderd": N_("Notitie verwijderd."),
        "reactie": N_("Reactie opgeslagen."),
    }
    return _page(request, viewer, db, clip_id, notice=notice(request, saved, opgeslagen))


def _english(request: Request) -> bool:
    return language(request) == "en"


@router.post("/begeleiding/fragmenten/{clip_id}/notities", response_model=None)
def add_note(
    clip_id: uuid.UUID,
    request: Request,
    viewer: FormViewer,
    db: DB,
    moment: Annotated[str, Form(max_length=32)] = "",
    text: Annotated[str, Form(max_length=NOTE_MAX + 100)] = "",
) -> Response:
    require(viewer, *SUPERVISORS)
    try:
        consents.add_note(db, viewer.principal, clip_id, parse_moment(moment), text)
    except (
        InvalidField
    ) as error:  # nothing written yet; the page shows the note again with the problem
        return _page(
            request,
            viewer,
            db,
            clip_id,
            status=422,
            moment=moment,
            text=text,
            error=message(request, error),
        )
    return redirect(f"/begeleiding/fragmenten/{clip_id}?opgeslagen=notitie#notities")


@router.post(
    "/begeleiding/fragmenten/{clip_id}/aantekeningen/{annotation_id}/reacties", response_model=None
)
def add_comment(
    clip_id: uuid.UUID,
    annotation_id: uuid.UUID,
    request: Request,
    viewer: FormViewer,
    db: DB,
    body: Annotated[str, Form(max_length=COMMENT_MAX + 100)] = "",
) -> Response:
    """The opleider or gecommitteerde comments on the trainer's annotation; the trainer answers."""
    require(viewer, Role.trainer, *SUPERVISORS)
    if not body.strip():
        error = InvalidField("body", "Schrijf eerst een reactie.", "Write a comment first.")
        return _page(request, viewer, db, clip_id, status=422, error=message(request, error))
    annotations.add_comment(db, viewer.principal, clip_id, annotation_id, CommentWrite(body=body))
    return redirect(
        f"/begeleiding/fragmenten/{clip_id}?opgeslagen=reactie#aantekening-{annotation_id}"
    )


@router.post(
    "/begeleiding/fragmenten/{clip_id}/notities/{note_id}/verwijderen", response_model=None
)
def delete_note(
    clip_id: uuid.UUID, note_id: uuid.UUID, request: Request, viewer: FormViewer, db: DB
) -> Response:
    require(viewer, *SUPERVISORS)
    consents.delete_note(db, viewer.principal, clip_id, note_id)
    return redirect(f"/begeleiding/fragmenten/{clip_id}?opgeslagen=verwijderd#notities")
