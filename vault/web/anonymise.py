"""The trainer's check of a fragment before it leaves the family (issue #24, ADR 0017): who is in view,
the anonymised copy asked for, the boxes the detector missed or the faces to keep drawn on the fragment,
the copy watched and only then approved; and the fragment marked for teaching, where teaching may show it.

Every step calls the same service functions as the API (vault/recordings/service.py), decided and logged
there; the boxes are drawn in the browser (vault/static/check.js) and saved through the API. A refusal is
shown on this page in the viewer's language.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from consent import Purpose, Role
from vault.access import judge
from vault.db import DB
from vault.families import service as families
from vault.i18n import N_
from vault.recordings import service as recordings
from vault.recordings.models import Recording
from vault.recordings.schemas import ClipInView, ClipPublic, ClipPurpose
from vault.routes import dump
from vault.streaming import open_anonymised_stream
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
from vault.web.labels.consents import PERSON_KINDS
from vault.web.labels.log import DECISIONS

router = APIRouter()

DONE = {
    "in_beeld": N_("Vastgelegd wie er in beeld is."),
    "gevraagd": N_(
        "De geanonimiseerde versie wordt gemaakt. Dat duurt ongeveer zo lang als het fragment; "
        "ververs daarna deze pagina."
    ),
    "goedgekeurd": N_("Goedgekeurd: deze versie mag nu buiten het gezin getoond worden."),
    "ingetrokken": N_("De goedkeuring is ingetrokken."),
    "onderwijs": N_("Gemarkeerd voor onderwijs."),
    "onderwijs_af": N_(
        "De markering voor onderwijs is opgeheven: het fragment is weer voor het terugkijken met het "
        "gezin."
    ),
}


def _page(
    request: Request,
    db: DB,
    viewer: Viewer,
    clip_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    require(viewer, Role.trainer)
    clip = dump(recordings.get_clip(db, viewer.principal, clip_id), ClipPublic)
    recording = db.get_one(Recording, uuid.UUID(str(clip["recording_id"])))  # decided: it is there
    trajectory = families.get_trajectory(db, viewer.principal, recording.trajectory_id)
    people = families.list_people(db, viewer.principal, trajectory.family_id).items
    shared, _ = judge(db, viewer.principal, "share_to_wok", clip_id=clip_id)  # unlogged: a hint
    teaching, _ = judge(db, viewer.principal, "mark_for_teaching", clip_id=clip_id)
    return render(
        request,
        "anonymise/check.html",
        viewer,
        status=status,
        error=error,
        heading=N_("Anonimiseren"),
        clip=clip,
        people=people,
        kinds=PERSON_KINDS,
        in_view={str(p) for p in clip["in_view"] or []},
        outside=shared.allowed,
        outside_reason=DECISIONS.get(shared.reason, shared.reason),
        teaching=teaching.allowed,
        teaching_reason=DECISIONS.get(teaching.reason, teaching.reason),
        notice=notice(request, DONE, request.query_params.get("gedaan")),
    )


def _done(
    request: Request, db: DB, viewer: Viewer, clip_id: uuid.UUID, call: Callable[[], Any], key: str
) -> Response:
    """Run a service call; back to the page with what it did, or the page with its refusal."""
    require(viewer, Role.trainer)
    _, error = attempt(db, call)
    if error:
        return _page(
            request, db, viewer, clip_id, status=error.status, error=message(request, error)
        )
    return redirect(f"/fragmenten/{clip_id}/anonimiseren?gedaan={key}")


@router.get("/fragmenten/{clip_id}/anonimiseren")
def check(request: Request, clip_id: uuid.UUID, viewer: PageViewer, db: DB) -> HTMLResponse:
    return _page(request, db, viewer, clip_id)


@router.post("/fragmenten/{clip_id}/in-beeld", response_model=None)
def say_in_view(
    request: Request,
    clip_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    people: Annotated[list[uuid.UUID] | None, Form()] = None,
    others: Annotated[str, Form()] = "",
) -> Response:
    """Who is in view (ADR 0017, decision 7): the family's people ticked, and whether anyone else is."""
    body = ClipInView(people=people or [], others=others == "ja")
    return _done(
        request,
        db,
        viewer,
        clip_id,
        lambda: recordings.set_in_view(db, viewer.principal, clip_id, body),
        "in_beeld",
    )


@router.post("/fragmenten/{clip_id}/anonimiseren", response_model=None)
def make_copy(request: Request, clip_id: uuid.UUID, viewer: FormViewer, db: DB) -> Response:
    return _done(
        request,
        db,
        viewer,
        clip_id,
        lambda: recordings.anonymise(db, viewer.principal, clip_id),
        "gevraagd",
    )


@router.post("/fragmenten/{clip_id}/anonimiseren/bekijken", response_model=None)
def watch_copy(clip_id: uuid.UUID, viewer: FormViewer, db: DB) -> Response:
    """The trainer's own viewing link to the copy, to check it; the player leads back to this page."""
    require(viewer, Role.trainer)
    opened = open_anonymised_stream(clip_id=clip_id, principal=viewer.principal, db=db)
    back = urlencode({"terug": f"/fragmenten/{clip_id}/anonimiseren"})
    return redirect(f"{opened['player']}?{back}")


@router.post("/fragmenten/{clip_id}/anonimiseren/goedkeuren", response_model=None)
def approve(request: Request, clip_id: uuid.UUID, viewer: FormViewer, db: DB) -> Response:
    return _done(
        request,
        db,
        viewer,
        clip_id,
        lambda: recordings.approve_anonymised(db, viewer.principal, clip_id),
        "goedgekeurd",
    )


@router.post("/fragmenten/{clip_id}/anonimiseren/intrekken", response_model=None)
def withdraw(request: Request, clip_id: uuid.UUID, viewer: FormViewer, db: DB) -> Response:
    return _done(
        request,
        db,
        viewer,
        clip_id,
        lambda: recordings.approve_anonymised(db, viewer.principal, clip_id, approved=False),
        "ingetrokken",
    )


def _tagged(
    request: Request, clip_id: uuid.UUID, viewer: Viewer, db: DB, purpose: Purpose, key: str
) -> Response:
    body = ClipPurpose(purpose=purpose)
    return _done(
        request,
        db,
        viewer,
        clip_id,
        lambda: recordings.set_purpose(db, viewer.principal, clip_id, body),
        key,
    )


@router.post("/fragmenten/{clip_id}/onderwijs", response_model=None)
def mark_for_teaching(request: Request, clip_id: uuid.UUID, viewer: FormViewer, db: DB) -> Response:
    """Teaching material (ADR 0017, decision 10): decided as `mark_for_teaching`, refused with its reason."""
    return _tagged(request, clip_id, viewer, db, Purpose.teaching, "onderwijs")


@router.post("/fragmenten/{clip_id}/onderwijs/opheffen", response_model=None)
def unmark_for_teaching(
    request: Request, clip_id: uuid.UUID, viewer: FormViewer, db: DB
) -> Response:
    """No longer teaching material: back to the review with the family."""
    return _tagged(request, clip_id, viewer, db, Purpose.review, "onderwijs_af")
