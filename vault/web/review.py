"""The trainer's fragments for the terugkijkgesprek (issue #23, ADR 0016): a clip's page, where its trainer
gives it the codes it shows, a kijkrichting for the parents, stills and a place in the review; and the
review itself, a full-screen page for the laptop at the family's table with nothing else of the vault.

Both call the same service functions as the API (vault/recordings/service.py), so every decision is
made and logged the same way; the review page's player opens each fragment's viewing link through the
API (decided and logged there) and its stills are the API's, rendered per request with the watermark.
"""

from __future__ import annotations

import re
import uuid
from fractions import Fraction
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from consent import Role
from vault.access import judge
from vault.annotations import service as annotation_rules
from vault.db import DB
from vault.errors import Conflict, VaultError
from vault.families import service as families
from vault.families.schemas import TrajectoryPublic
from vault.i18n import N_
from vault.recordings import service as recordings
from vault.recordings.models import Clip, Recording
from vault.recordings.schemas import MAX_STILLS, ClipPublic, ClipUpdate
from vault.routes import dump
from vault.web._page import (
    FormViewer,
    PageViewer,
    Viewer,
    attempt,
    language,
    message,
    redirect,
    render,
    require,
)
from vault.web.labels import CLIP_PURPOSES
from vault.web.labels.log import DECISIONS

router = APIRouter()
_NUMBERS = re.compile(r"\d+")


def _family_code(db: DB, viewer: Viewer, family_id: str) -> str:
    rows = families.list_families(db, viewer.principal, limit=500)
    return next((f.code for f in rows.items if str(f.id) == family_id), "–")


def _moments(clip: dict[str, Any], rate: Fraction | None) -> list[dict[str, Any]]:
    """The clip's stills with the second in the fragment each shows (the fragment's stream starts at 0)."""
    if rate is None:
        return []
    return [
        {
            "frame": f,
            "at": float(
                Fraction(f) / rate - Fraction(clip["start_s"]).limit_denominator(1_000_000)
            ),
        }
        for f in clip["stills"]
    ]


def _rate(recording: Recording) -> Fraction | None:
    try:
        return annotation_rules.frame_rate(recording)
    except Conflict:
        return None


def _clip_page(
    request: Request,
    db: DB,
    viewer: Viewer,
    clip_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    clip = dump(recordings.get_clip(db, viewer.principal, clip_id), ClipPublic)
    row = db.get(Recording, uuid.UUID(clip["recording_id"]))
    assert row is not None  # noqa: S101 - the clip was decided on, so its recording is there
    trajectory = dump(
        families.get_trajectory(db, viewer.principal, row.trajectory_id), TrajectoryPublic
    )
    rate = _rate(row)
    frames = recordings.clip_frames(db.get_one(Clip, clip_id), rate) if rate else None
    may, _ = judge(db, viewer.principal, "clip", clip_id=clip_id)  # unlogged: only to show the form
    # Candidate stills: the moments the trainer coded inside the fragment (only where they may read them).
    coded: list[dict[str, Any]] = []
    seen, _ = judge(db, viewer.principal, "view", clip_id=clip_id, annotations=True)
    if seen.allowed and frames is not None:
        inside = annotation_rules.clip_annotations(db, viewer.principal, clip_id)
        coded = [
            {"frame": a.frame_in, "code": a.code, "note": a.note}
            for a in inside.rows
            if a.frame_in in frames
        ]
    book = annotation_rules.entries(annotation_rules.codebook(db, viewer.principal))
    shared, _ = judge(db, viewer.principal, "share_to_wok", clip_id=clip_id)  # unlogged: a hint
    return render(
        request,
        "review/clip.html",
        viewer,
        status=status,
        error=error,
        heading=N_("Fragment"),
        clip=clip,
        trajectory=trajectory,
        family_code=_family_code(db, viewer, str(trajectory["family_id"])),
        frames=frames,
        coded=coded,
        may=may.allowed,
        book=book,
        max_stills=MAX_STILLS,
        moments=_moments(clip, rate),
        purposes=CLIP_PURPOSES,
        form=form or clip,
        notice=_saved(request),
        outside=shared.allowed,
        outside_reason=DECISIONS.get(shared.reason, shared.reason),
    )


def _saved(request: Request) -> str | None:
    if request.query_params.get("klaar") != "opgeslagen":
        return None
    return "Saved." if language(request) == "en" else "Opgeslagen."


@router.get("/fragmenten/{clip_id}")
def clip_page(request: Request, clip_id: uuid.UUID, viewer: PageViewer, db: DB) -> HTMLResponse:
    require(viewer, Role.trainer)
    return _clip_page(request, db, viewer, clip_id)


@router.post("/fragmenten/{clip_id}", response_model=None)
def save_clip(
    request: Request,
    clip_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    title: Annotated[str, Form()] = "",
    codes: Annotated[list[str] | None, Form()] = None,
    kijkrichting: Annotated[str, Form()] = "",
    stills: Annotated[str, Form()] = "",
    review_position: Annotated[str, Form()] = "",
) -> Response:
    require(viewer, Role.trainer)
    form = {
        "title": title,
        "codes": codes or [],
        "kijkrichting": kijkrichting,
        "stills": stills,
        "review_position": review_position,
    }
    try:
        if review_position.strip() and not review_position.strip().isdigit():
            raise ValueError(review_position)
        body = ClipUpdate(
            title=title.strip(),
            codes=codes or [],
            kijkrichting=kijkrichting,
            stills=[int(n) for n in _NUMBERS.findall(stills)],
            review_position=int(review_position) if review_position.strip() else None,
        )
    except (ValueError, ValidationError):
        unclear: VaultError = Conflict(
            f"Controleer het formulier: een titel van hoogstens 200 tekens, een kijkrichting van hoogstens "
            f"2000 tekens, hoogstens {MAX_STILLS} beeldnummers en een volgorde van 1 tot 999.",
            f"Check the form: a title of at most 200 characters, a kijkrichting of at most 2000 characters, "
            f"at most {MAX_STILLS} frame numbers and an order from 1 to 999.",
        )
        return _clip_page(
            request, db, viewer, clip_id, status=422, error=message(request, unclear), form=form
        )
    _, error = attempt(db, lambda: recordings.update_clip(db, viewer.principal, clip_id, body))
    if error:
        return _clip_page(
            request,
            db,
            viewer,
            clip_id,
            status=error.status,
            error=message(request, error),
            form=form,
        )
    return redirect(f"/fragmenten/{clip_id}?klaar=opgeslagen")


@router.get("/trajecten/{trajectory_id}/terugkijkgesprek")
def review(request: Request, trajectory_id: uuid.UUID, viewer: PageViewer, db: DB) -> HTMLResponse:
    """The terugkijkgesprek: the chosen fragments in order, each with its kijkrichting and stills, on a
    page without the vault's menu. The footage is opened per fragment through the API (decided, logged)."""
    require(viewer, Role.trainer)
    trajectory = dump(
        families.get_trajectory(db, viewer.principal, trajectory_id), TrajectoryPublic
    )
    fragments = []
    for clip in recordings.review_fragments(db, viewer.principal, trajectory_id):
        shown = dump(clip, ClipPublic)
        row = db.get(Recording, clip.recording_id)
        # unlogged: opening the fragment is decided and logged by the API
        may, _ = judge(db, viewer.principal, "stream", clip_id=clip.id)
        fragments.append(
            {
                **shown,
                "moments": _moments(shown, _rate(row) if row else None),
                "playable": may.allowed,
                "refused": None if may.allowed else may.message,
            }
        )
    return render(
        request,
        "review/conversation.html",
        viewer,
        heading=N_("Terugkijkgesprek"),
        trajectory=trajectory,
        fragments=fragments,
    )
