"""WOK pages: the sessions I organise or take part in, their clips, and watching them only while the
session's window is open.

A WOK (Werk Ontwikkelings Kring) is a peer meeting of trainers from several organisations, led by
an opleider: the opleider plans it and invites trainers, a trainer shares a clip of a family that gave
WOK consent, and the participants watch it (watermarked) during the meeting only. Every clip on the
page is asked for through the recordings' service `get_clip` (the access seam decides and logs), so outside the
window the page shows the seam's Dutch refusal, not a guess of its own.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session, col, select

from consent import Role
from vault.access import judge
from vault.consents import service as consents
from vault.consents.models import WokSessionRow
from vault.consents.schemas import WokSessionCreate
from vault.db import DB
from vault.domain.models import Organisation, User
from vault.errors import Conflict, VaultError
from vault.families import service as families
from vault.i18n import LOCAL, N_
from vault.recordings import service as recordings
from vault.recordings.schemas import RecordingPublic
from vault.routes import dump
from vault.streaming import open_stream
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
from vault.web.labels import TYPES

router = APIRouter()
ROLES = (Role.trainer, Role.opleider)
DONE: dict[str, str] = {
    "gepland": N_("De bijeenkomst is gepland."),
    "gedeeld": N_("Het fragment is gedeeld in de bijeenkomst."),
}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _local(moment: datetime) -> str:
    return _aware(moment).astimezone(LOCAL).strftime("%d-%m-%Y %H:%M")


def _typed(raw: str) -> datetime:
    """A `datetime-local` field, read as Dutch time."""
    try:
        return datetime.fromisoformat(raw.strip()).replace(tzinfo=LOCAL).astimezone(UTC)
    except ValueError:
        raise Conflict(
            "Vul een geldige datum en tijd in.", "Fill in a valid date and time."
        ) from None


def _mine(db: Session, user_id: uuid.UUID) -> list[WokSessionRow]:
    """The sessions I organise or take part in, the latest first."""
    rows = db.exec(select(WokSessionRow).order_by(col(WokSessionRow.starts_at).desc())).all()
    me = str(user_id)
    return [r for r in rows if r.organiser_id == user_id or me in json.loads(r.participant_ids)]


def _names(db: Session, ids: set[uuid.UUID]) -> dict[str, str]:
    if not ids:
        return {}
    users = db.exec(select(User).where(col(User.id).in_(ids))).all()
    return {str(u.id): u.name for u in users}


def _trainers(db: Session, me: uuid.UUID) -> list[dict[str, str]]:
    """Who can be invited: every active trainer, with their organisation (a WOK crosses them)."""
    rows = db.exec(
        select(User, Organisation)
        .join(Organisation, col(Organisation.id) == col(User.organisation_id))
        .where(User.role == Role.trainer, col(User.active).is_(True), User.id != me)
        .order_by(Organisation.name, User.name)
    ).all()
    return [{"id": str(u.id), "name": u.name, "organisation": o.name} for u, o in rows]


def _my_clips(db: Session, viewer: Viewer) -> list[dict[str, Any]]:
    """The trainer's own clips they may share into a WOK, through the listing services the API calls;
    whether one may be shared (its purpose, the family's WOK consent, the phase) is the access seam's
    decision, asked unlogged for the choice (sharing itself decides and logs again)."""
    p, out = viewer.principal, []
    for trajectory in families.list_trajectories(db, p, limit=500).items:
        if trajectory.phase not in ("active", "follow_up"):
            continue  # sharing to a WOK is a working-phase action
        found, _ = attempt(db, partial(recordings.list_recordings, db, p, trajectory.id, limit=500))
        for recording in found.items if found else []:
            clips, _ = attempt(db, partial(recordings.list_clips, db, p, recording.id, limit=500))
            for clip in clips.items if clips else []:
                if not judge(db, p, "share_to_wok", clip_id=clip.id)[0].allowed:
                    continue
                out.append(
                    {
                        "id": str(clip.id),
                        "title": clip.title,
                        "recorded_at": dump(recording, RecordingPublic)["recorded_at"],
                        "length": clip.end_s - clip.start_s,
                        "type": TYPES.get(trajectory.type, trajectory.type),
                    }
                )
    return out


def _clip_view(request: Request, db: Session, viewer: Viewer, clip_id: str) -> dict[str, Any]:
    """One clip of a session as this viewer may see it now: asked of the access seam (logged)."""
    found, error = attempt(
        db, lambda: recordings.get_clip(db, viewer.principal, uuid.UUID(clip_id))
    )
    if error is not None or found is None:
        return {
            "id": clip_id,
            "allowed": False,
            "refusal": message(request, error) if error else "",
        }
    return {
        "id": clip_id,
        "allowed": True,
        "title": found.title,
        "length": found.end_s - found.start_s,
    }


def _page(
    request: Request, viewer: Viewer, db: Session, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    require(viewer, *ROLES)
    me = viewer.principal.user_id or uuid.UUID(int=0)
    now = datetime.now(UTC)
    rows = _mine(db, me)
    names = _names(
        db,
        {r.organiser_id for r in rows}
        | {uuid.UUID(x) for r in rows for x in json.loads(r.participant_ids)},
    )
    sessions = []
    for row in rows:
        start, end = _aware(row.starts_at), _aware(row.ends_at)
        state = "now" if start <= now < end else "later" if now < start else "past"
        sessions.append(
            {
                "id": str(row.id),
                "title": row.title,
                "starts": _local(start),
                "ends": _local(end),
                "state": state,
                "organiser": names.get(str(row.organiser_id), "–"),
                "organising": row.organiser_id == me,
                "participants": sorted(names.get(x, "–") for x in json.loads(row.participant_ids)),
                "clips": [_clip_view(request, db, viewer, c) for c in json.loads(row.clip_ids)],
            }
        )
    is_trainer = viewer.role == Role.trainer
    return render(
        request,
        "wok/sessions.html",
        viewer,
        status=status,
        heading=N_("WOK-bijeenkomsten"),
        sessions=sessions,
        organiser=viewer.role == Role.opleider,
        trainers=_trainers(db, me) if viewer.role == Role.opleider else [],
        my_clips=_my_clips(db, viewer)
        if is_trainer and any(s["state"] != "past" for s in sessions)
        else [],
        is_trainer=is_trainer,
        notice=notice(request, DONE, request.query_params.get("gedaan")),
        error=error,
    )


@router.get("/wok")
def sessions(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    return _page(request, viewer, db)


@router.post("/wok", response_model=None)
def plan(
    request: Request,
    viewer: FormViewer,
    db: DB,
    starts_at: Annotated[str, Form(max_length=32)],
    ends_at: Annotated[str, Form(max_length=32)],
    title: Annotated[str, Form(max_length=200)] = "",
    participant: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse | RedirectResponse:
    require(viewer, Role.opleider)

    def build() -> WokSessionCreate:
        return WokSessionCreate(
            title=title.strip(),
            starts_at=_typed(starts_at),
            ends_at=_typed(ends_at),
            participant_ids=participant or [],
        )  # type: ignore[arg-type]  # pydantic parses the form strings; a bad value raises the ValidationError caught around build()

    try:
        body, error = attempt(db, build)
    except ValidationError:
        body, error = None, Conflict("Kies geldige deelnemers.", "Choose valid participants.")
    if error is None and not (participant or []):
        error = Conflict("Kies minstens één deelnemer.", "Choose at least one participant.")
    if error is None:
        _, error = attempt(
            db,
            lambda: consents.create_wok(db, viewer.principal, body),  # type: ignore[arg-type]  # attempt() returned no error, so build() ran and body is set
        )
    if error:
        return _page(request, viewer, db, error=message(request, error), status=error.status)
    return redirect("/wok?gedaan=gepland")


@router.post("/wok/{session_id}/delen", response_model=None)
def share(
    request: Request,
    session_id: uuid.UUID,
    viewer: FormViewer,
    db: DB,
    clip_id: Annotated[uuid.UUID, Form()],
) -> HTMLResponse | RedirectResponse:
    require(viewer, Role.trainer)
    me = viewer.principal.user_id or uuid.UUID(int=0)
    error: VaultError | None
    if not any(r.id == session_id for r in _mine(db, me)):
        error = Conflict(
            "U kunt alleen delen in een bijeenkomst waaraan u deelneemt.",
            "You can only share in a session you take part in.",
        )
    else:
        _, error = attempt(
            db, lambda: consents.share_clip(db, viewer.principal, session_id, clip_id)
        )
    if error:
        return _page(request, viewer, db, error=message(request, error), status=error.status)
    return redirect("/wok?gedaan=gedeeld")


@router.post("/wok/fragmenten/{clip_id}/bekijken", response_model=None)
def watch(
    request: Request, clip_id: uuid.UUID, viewer: FormViewer, db: DB
) -> HTMLResponse | RedirectResponse:
    """Open the watermarked player: the seam decides again now (the window may have closed)."""
    require(viewer, *ROLES)
    opened, error = attempt(db, lambda: open_stream(clip_id, principal=viewer.principal, db=db))
    if error or opened is None:
        return _page(
            request,
            viewer,
            db,
            error=message(request, error) if error else None,
            status=error.status if error else 500,
        )
    return redirect(f"{opened['player']}?terug=/wok")


@router.get("/wok/{session_id}/delen")
@router.get("/wok/fragmenten/{clip_id}/bekijken")
def back_to_sessions() -> RedirectResponse:
    """A form's address opened directly (a reload, the language switch after an error): the page."""
    return redirect("/wok")
