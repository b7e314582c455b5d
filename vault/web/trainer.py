"""Trainer pages: my trajectories, a trajectory's recordings, card import over tus, a recording's clips.

Every page calls the domain services (vault/families/service.py, vault/recordings/service.py) the API
calls, so it shows exactly what the API would and every decision is logged the same way.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from consent import Role
from vault.access import judge
from vault.annotations import service as annotation_rules
from vault.db import DB
from vault.errors import Conflict
from vault.families import service as families
from vault.families.schemas import TrajectoryCreate, TrajectoryPublic, TrajectoryUpdate
from vault.i18n import N_
from vault.recordings import service as recordings
from vault.recordings.models import Clip, Recording
from vault.recordings.schemas import ClipCreate, ClipPublic
from vault.routes import dump
from vault.settings import get_settings
from vault.streaming import open_recording_stream, open_stream
from vault.web import labels
from vault.web._page import (
    FormViewer,
    PageViewer,
    Viewer,
    attempt,
    message,
    notice,
    redirect,
    render,
    require,
)
from vault.web.labels import (
    CLIP_PURPOSES,
    NEW_CLIP_PURPOSES,
    PHASES,
    REMOVAL_REASONS,
    SITUATIONS,
    TYPES,
)

router = APIRouter()

LABELS: dict[str, Any] = {
    "types": TYPES,
    "phases": PHASES,
    "situations": SITUATIONS,
    "purposes": CLIP_PURPOSES,
    "new_purposes": NEW_CLIP_PURPOSES,
    "reasons": REMOVAL_REASONS,
    # What a recording is, in plain words (vault/web/labels/); numbers are the pages' filters
    # (vault/i18n.py).
    "video_codec": labels.video_codec,
    "sound": labels.sound,
    "picture": labels.picture,
}
ALL = 500  # one page of the API's largest size


def _trainer(viewer: Viewer) -> None:
    require(viewer, Role.trainer)


def _probe(row: dict[str, Any]) -> dict[str, Any]:
    value = row.get("probe") or {}
    return json.loads(value) if isinstance(value, str) else value


def _family_codes(db: DB, viewer: Viewer) -> dict[str, str]:
    rows = families.list_families(db, viewer.principal, limit=ALL)
    return {str(f.id): f.code for f in rows.items}


def _family(db: DB, viewer: Viewer, family_id: str) -> dict[str, str]:
    """The family of a trajectory already authorized: its id and pseudonym, from the trainer's own
    family list (the API's family-level `view` asks for a trajectory, which this page already has)."""
    return {"id": family_id, "code": _family_codes(db, viewer).get(family_id, "–")}


def _trajectory(db: DB, viewer: Viewer, trajectory_id: uuid.UUID) -> dict[str, Any]:
    return dump(families.get_trajectory(db, viewer.principal, trajectory_id), TrajectoryPublic)


def _recordings(db: DB, rows: list[Any]) -> list[dict[str, Any]]:
    return [view.model_dump(mode="json") for view in recordings.views(db, rows)]


def _recording(db: DB, viewer: Viewer, recording_id: uuid.UUID) -> dict[str, Any]:
    return _recordings(db, [recordings.get_recording(db, viewer.principal, recording_id)])[0]


def _clips(db: DB, viewer: Viewer, recording_id: uuid.UUID) -> tuple[list[dict[str, Any]], int]:
    rows = recordings.list_clips(db, viewer.principal, recording_id, limit=ALL)
    return [dump(c, ClipPublic) for c in rows.items], rows.total


# My trajectories ---------------------------------------------------------------------------------


def _start_page(
    request: Request, db: DB, viewer: Viewer, *, status: int = 200, error: str | None = None
) -> HTMLResponse:
    page = families.list_trajectories(db, viewer.principal, limit=ALL)
    codes = _family_codes(db, viewer)
    rows = []
    for item in (dump(t, TrajectoryPublic) for t in page.items):
        # Count recordings only where the seam lets the trainer see them (e.g. not once ended); asked
        # first without logging, so no refusal is logged for a list and nothing is rolled back.
        trajectory_id = uuid.UUID(str(item["id"]))
        found = (
            recordings.list_recordings(db, viewer.principal, trajectory_id, limit=1)
            if judge(db, viewer.principal, "view", trajectory_id=trajectory_id)[0].allowed
            else None
        )
        rows.append(
            {
                **item,
                "family_code": codes.get(str(item["family_id"]), "–"),
                "recordings": found.total if found else None,
            }
        )
    return render(
        request,
        "trainer/trajectories.html",
        viewer,
        status=status,
        error=error,
        heading=N_("Mijn trajecten"),
        rows=rows,
        today=date.today(),
        notice=_notice(request),
        **LABELS,
    )


NOTICES = {
    "gestart": N_("Het traject is gestart."),
    "gewijzigd": N_("De gegevens zijn opgeslagen."),
    "fragment": N_("Het fragment is gemaakt."),
    "verwijderd": N_("De opname is verwijderd."),
}


def _notice(request: Request) -> str | None:
    return notice(request, NOTICES, request.query_params.get("klaar"))


@router.get("/trajecten")
def trajectories(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    _trainer(viewer)
    return _start_page(request, db, viewer)


@router.post("/trajecten", response_model=None)
def start_trajectory(
    request: Request,
    viewer: FormViewer,
    db: DB,
    type: Annotated[str, Form()] = "",
    started_on: Annotated[str, Form()] = "",
) -> Response:
    """Register a family (it gets a pseudonym, no names) and start its trajectory of the chosen type."""
    _trainer(viewer)
    try:
        body = TrajectoryCreate(type=type, started_on=started_on or None)  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught here
    except ValidationError:
        return _start_page(request, db, viewer, status=422, error=_bad(request))

    def start() -> uuid.UUID:
        family = families.create_family(db, viewer.principal)
        return families.create_trajectory(db, viewer.principal, family.id, body).id

    made, error = attempt(db, start)
    if error or made is None:
        return _start_page(
            request,
            db,
            viewer,
            status=error.status if error else 400,
            error=message(request, error) if error else None,
        )
    return redirect(f"/trajecten/{made}?klaar=gestart")


def _bad(request: Request) -> str:
    error = Conflict("Controleer de ingevulde gegevens.", "Check what you filled in.")
    return message(request, error)


# One trajectory ----------------------------------------------------------------------------------


def _trajectory_page(
    request: Request,
    db: DB,
    viewer: Viewer,
    trajectory_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    trajectory = _trajectory(db, viewer, trajectory_id)
    family = _family(db, viewer, trajectory["family_id"])
    found = recordings.list_recordings(db, viewer.principal, trajectory_id, limit=ALL)
    rows = [{**r, "probe": _probe(r)} for r in _recordings(db, found.items)]
    return render(
        request,
        "trainer/trajectory.html",
        viewer,
        status=status,
        error=error,
        heading=N_("Traject"),
        trajectory=trajectory,
        family=family,
        recordings=rows,
        total=found.total,
        notice=_notice(request),
        make_proxies=get_settings().make_proxies,
        **LABELS,
    )


@router.get("/trajecten/{trajectory_id}")
def trajectory(
    request: Request, trajectory_id: uuid.UUID, viewer: PageViewer, db: DB
) -> HTMLResponse:
    _trainer(viewer)
    return _trajectory_page(request, db, viewer, trajectory_id)


@router.post("/trajecten/{trajectory_id}", response_model=None)
def change_trajectory(
    request: Request,
    trajectory_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    phase: Annotated[str, Form()] = "",
    closed_on: Annotated[str, Form()] = "",
    follow_up_1_on: Annotated[str, Form()] = "",
    follow_up_2_on: Annotated[str, Form()] = "",
) -> Response:
    _trainer(viewer)
    try:
        body = TrajectoryUpdate(
            phase=phase or None,
            closed_on=closed_on or None,  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught here
            follow_up_1_on=follow_up_1_on or None,
            follow_up_2_on=follow_up_2_on or None,
        )  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught here
    except ValidationError:
        return _trajectory_page(request, db, viewer, trajectory_id, status=422, error=_bad(request))
    _, error = attempt(
        db, lambda: families.update_trajectory(db, viewer.principal, trajectory_id, body)
    )
    if error:
        return _trajectory_page(
            request, db, viewer, trajectory_id, status=error.status, error=message(request, error)
        )
    return redirect(f"/trajecten/{trajectory_id}?klaar=gewijzigd")


@router.get("/trajecten/{trajectory_id}/importeren")
def import_page(
    request: Request, trajectory_id: uuid.UUID, viewer: PageViewer, db: DB
) -> HTMLResponse:
    """The card import: the browser picks the card's video files and sends them over tus."""
    _trainer(viewer)
    trajectory = _trajectory(db, viewer, trajectory_id)
    family = _family(db, viewer, trajectory["family_id"])
    server = get_settings().public_url.rstrip("/") or str(request.base_url).rstrip("/")
    return render(
        request,
        "trainer/import.html",
        viewer,
        heading=N_("Kaart importeren"),
        trajectory=trajectory,
        family=family,
        server=server,
        **LABELS,
    )


# One recording and its clips ---------------------------------------------------------------------


def _coding(
    request: Request, db: DB, viewer: Viewer, recording_id: uuid.UUID
) -> dict[str, Any] | None:
    """What the page's coding needs (the codebook, the recording's frame rate), only where its trainer
    may annotate it: asked without logging; the page's own requests to the annotations API are decided
    and logged one by one. None (no coding on the page) when not allowed."""
    may, _ = judge(db, viewer.principal, "annotate", recording_id=recording_id, annotations=True)
    row = db.get(Recording, recording_id)
    if not may.allowed or row is None:
        return None
    try:
        rate = annotation_rules.frame_rate(row)
    except Conflict as error:
        return {"refused": message(request, error)}
    book = annotation_rules.entries(annotation_rules.codebook(db, viewer.principal))
    return {"rate": f"{rate.numerator}/{rate.denominator}", "codebook": book}


def _recording_page(
    request: Request,
    db: DB,
    viewer: Viewer,
    recording_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    recording = _recording(db, viewer, recording_id)
    trajectory = _trajectory(db, viewer, uuid.UUID(recording["trajectory_id"]))
    family = _family(db, viewer, trajectory["family_id"])
    clips, _ = _clips(db, viewer, recording_id)
    # The whole recording, watermarked like every stream, to choose in and out points: only while
    # its trainer may make clips. Asked first without logging (looking at the page is no request to
    # clip); when allowed, opening the link is decided again and logged.
    stream, refused, coding = None, None, None
    if recording["duration_s"] is not None and recording["original_object_id"]:
        may, _ = judge(db, viewer.principal, "clip", recording_id=recording_id)
        if may.allowed:
            stream = open_recording_stream(
                recording_id=recording_id, principal=viewer.principal, db=db
            )
            coding = _coding(request, db, viewer, recording_id)
        else:
            refused = may.message
    return render(
        request,
        "trainer/recording.html",
        viewer,
        status=status,
        error=error,
        heading=N_("Opname"),
        recording=recording,
        probe=_probe(recording),
        trajectory=trajectory,
        family=family,
        clips=clips,
        stream=stream,
        refused=refused,
        coding=coding,
        form=form or {},
        make_proxies=get_settings().make_proxies,
        notice=_notice(request),
        **LABELS,
    )


@router.get("/opnames/{recording_id}")
def recording(
    request: Request, recording_id: uuid.UUID, viewer: PageViewer, db: DB
) -> HTMLResponse:
    _trainer(viewer)
    return _recording_page(request, db, viewer, recording_id)


def _seconds(text: str) -> float:
    """Seconds as typed: "12,48", "12.48", or "1:02,5" (minutes:seconds)."""
    total = 0.0
    for part in text.strip().replace(",", ".").split(":"):
        total = total * 60 + float(part)
    return total


@router.post("/opnames/{recording_id}/fragmenten", response_model=None)
def make_clip(
    request: Request,
    recording_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    start_s: Annotated[str, Form()] = "",
    end_s: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    purpose: Annotated[str, Form()] = "",
) -> Response:
    _trainer(viewer)
    form = {"start_s": start_s, "end_s": end_s, "title": title, "purpose": purpose}
    if (
        purpose not in NEW_CLIP_PURPOSES
    ):  # the purpose decides who sees the clip: never chosen for them
        unchosen = Conflict(
            "Kies het doel van het fragment: dat bepaalt wie het mag zien.",
            "Choose the clip's purpose: it decides who may see it.",
        )
        return _recording_page(
            request,
            db,
            viewer,
            recording_id,
            status=422,
            error=message(request, unchosen),
            form=form,
        )
    try:
        body = ClipCreate(
            start_s=_seconds(start_s), end_s=_seconds(end_s), title=title.strip(), purpose=purpose
        )  # type: ignore[arg-type]  # pydantic parses the form string; a bad value raises the ValidationError caught here
    except (ValueError, ValidationError):
        unclear = Conflict(
            "Kies een begin en een einde (in seconden); het einde moet na het begin liggen.",
            "Choose a start and an end (in seconds); the end must come after the start.",
        )
        return _recording_page(
            request,
            db,
            viewer,
            recording_id,
            status=422,
            error=message(request, unclear),
            form=form,
        )
    _, error = attempt(db, lambda: recordings.create_clip(db, viewer.principal, recording_id, body))
    if error:
        return _recording_page(
            request,
            db,
            viewer,
            recording_id,
            status=error.status,
            error=message(request, error),
            form=form,
        )
    return redirect(f"/opnames/{recording_id}?klaar=fragment#fragmenten")


def _removal_page(
    request: Request,
    db: DB,
    viewer: Viewer,
    recording_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    recording = _recording(db, viewer, recording_id)
    trajectory = _trajectory(db, viewer, uuid.UUID(recording["trajectory_id"]))
    _, clips = _clips(db, viewer, recording_id)
    return render(
        request,
        "trainer/remove.html",
        viewer,
        status=status,
        error=error,
        heading=N_("Opname verwijderen"),
        recording=recording,
        trajectory=trajectory,
        family=_family(db, viewer, trajectory["family_id"]),
        clips=clips,
        **LABELS,
    )


@router.get("/opnames/{recording_id}/verwijderen")
def removal(request: Request, recording_id: uuid.UUID, viewer: PageViewer, db: DB) -> HTMLResponse:
    """The confirmation step: what will be deleted, for good, and why (a reason from a short list)."""
    _trainer(viewer)
    return _removal_page(request, db, viewer, recording_id)


@router.post("/opnames/{recording_id}/verwijderen", response_model=None)
def remove_recording(
    request: Request,
    recording_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    reason: Annotated[str, Form()] = "",
) -> Response:
    _trainer(viewer)
    if reason not in REMOVAL_REASONS:
        unclear = Conflict(
            "Kies een reden om de opname te verwijderen.",
            "Choose a reason to remove the recording.",
        )
        return _removal_page(
            request, db, viewer, recording_id, status=422, error=message(request, unclear)
        )
    removed, error = attempt(
        db, lambda: recordings.remove(db, viewer.principal, recording_id, reason)
    )
    if error or removed is None:
        return _removal_page(
            request,
            db,
            viewer,
            recording_id,
            status=error.status if error else 400,
            error=message(request, error) if error else None,
        )
    return redirect(f"/trajecten/{removed['trajectory_id']}?klaar=verwijderd")


@router.post("/fragmenten/{clip_id}/kijken")
def watch_clip(clip_id: uuid.UUID, viewer: FormViewer, db: DB) -> RedirectResponse:
    """Open a viewing link for a clip (decided and logged) and go to the player."""
    _trainer(viewer)
    opened = open_stream(clip_id=clip_id, principal=viewer.principal, db=db)
    clip = db.get(Clip, clip_id)  # decided above: the player leads back to the clip's recording
    back = f"/opnames/{clip.recording_id}" if clip else "/trajecten"
    return redirect(f"{opened['player']}?{urlencode({'terug': back})}")
