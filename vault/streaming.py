"""Watermarked review clips over HLS. Every playlist and segment request carries a short-lived token bound
to the viewer and their session, is decided again against consent, and is logged."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from jose import JWTError, jwt
from pydantic import BaseModel, Field
from sqlmodel import Session

from consent import Decision
from vault import audit
from vault.access import authorize, decide
from vault.accounts import Principal
from vault.accounts._web import live_session
from vault.bootstrap import token_secret
from vault.db import DB, keep, release
from vault.domain.models import AuthSession
from vault.errors import Forbidden, NotFound, Unauthenticated, note_denial
from vault.media import live, playlist, segment_count
from vault.pages import language
from vault.recordings.models import Clip, Recording
from vault.routes import operation_ids, problems
from vault.settings import get_settings

router = APIRouter(tags=["streaming"], generate_unique_id_function=operation_ids("stream"))


class ViewingLink(BaseModel):
    """A short-lived link bound to this viewer and session: the HLS playlist and the review player."""

    playlist: str = Field(examples=["/api/v1/stream/eyJ…/index.m3u8"])
    player: str = Field(examples=["/kijken/eyJ…"])
    duration_s: float
    expires_in_s: int


player_router = APIRouter(tags=["streaming"])
PLAYER = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{title} - Beeldkluis</title>
<link rel="stylesheet" href="/static/player.css"></head>
<body><main>
<p><a href="{back}" class="back">{back_text}</a></p>
<h1>{title}</h1>
"""
PLAYER_BODY = """<video id="video" data-playlist="{playlist}" data-fps="25" playsinline aria-label="{clip}"></video>
<div class="controls" role="group" aria-label="{controls}">
<button id="play" type="button">{play}</button>
<button id="back" type="button"><span aria-hidden="true">&#9664;</span> {frame_back}</button>
<button id="forward" type="button">{frame_forward} <span aria-hidden="true">&#9654;</span></button>
<label>{speed} <select id="speed">
<option value="0.1">{s01}&times;</option><option value="0.25">{s025}&times;</option><option value="0.5">{s05}&times;</option>
<option value="1" selected>1&times;</option></select></label>
<input id="seek" type="range" min="0" max="0" step="0.04" value="0" aria-label="{position}">
<span id="time" aria-live="off">0:00.00</span>
</div>
<p id="status" role="status">{loading}</p>
<p><small>{keys}</small></p>
</main>
<script src="/static/hls.light.min.js"></script><script src="/static/player.js"></script>
</body></html>
"""
# The player's words, in the viewer's language (player.js has its own, chosen by <html lang>).
PLAYER_WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Fragment bekijken",
        "back_text": "← Terug",
        "clip": "Fragment",
        "controls": "Bediening",
        "play": "Afspelen",
        "frame_back": "Eén beeldje terug",
        "frame_forward": "Eén beeldje verder",
        "speed": "Snelheid",
        "s01": "0,1",
        "s025": "0,25",
        "s05": "0,5",
        "position": "Positie",
        "loading": "Laden&hellip;",
        "keys": "Toetsen: spatie afspelen of pauzeren, <kbd>,</kbd> en <kbd>.</kbd> één beeldje, <kbd>[</kbd> en "
        "<kbd>]</kbd> snelheid. Uw naam staat in het beeld: dit fragment is alleen voor u.",
    },
    "en": {
        "title": "Watch the clip",
        "back_text": "← Back",
        "clip": "Clip",
        "controls": "Controls",
        "play": "Play",
        "frame_back": "One frame back",
        "frame_forward": "One frame forward",
        "speed": "Speed",
        "s01": "0.1",
        "s025": "0.25",
        "s05": "0.5",
        "position": "Position",
        "loading": "Loading&hellip;",
        "keys": "Keys: space plays or pauses, <kbd>,</kbd> and <kbd>.</kbd> one frame, <kbd>[</kbd> and "
        "<kbd>]</kbd> speed. Your name is burned into the picture: this clip is for you only.",
    },
}
_LOCAL_PATH = re.compile(r"/(?!/)[A-Za-z0-9/_.~#?=&-]*")


def _back(raw: str | None) -> str:
    """Where the viewer came from, if it is a path of this site; else the start page."""
    return raw if raw and _LOCAL_PATH.fullmatch(raw) else "/"


PLAYER_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self' blob:; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
AUDIENCE = "beeldkluis-stream"


class StreamTokenInvalid(Unauthenticated):
    code = "stream_token_invalid"

    def __init__(self) -> None:
        super().__init__(
            "De kijklink is verlopen; open het fragment opnieuw.",
            "The viewing link expired; open the clip again.",
        )


def _token(
    principal: audit.Principal, shown_id: uuid.UUID, kind: str = "clip", anonymised: bool = False
) -> str:
    """A viewing link for a clip (or its anonymised copy), or (kind "recording") for a whole recording."""
    settings = get_settings()
    now = datetime.now(UTC)
    claims = {
        "aud": AUDIENCE,
        "iss": settings.token_issuer,
        "sub": str(principal.user_id),
        "sid": principal.session_id,
        kind: str(shown_id),
        **({"anonymised": True} if anonymised else {}),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=settings.stream_token_minutes)).timestamp()),
    }
    return jwt.encode(claims, token_secret(settings), algorithm="HS256")


@dataclass(frozen=True)
class Link:
    """What a viewing link shows: a clip, its anonymised copy, or a whole recording."""

    viewer: audit.Principal
    shown_id: uuid.UUID
    whole: bool = False
    anonymised: bool = False


def _viewer(db: Session, token: str) -> Link:
    """The viewer and what the link shows."""
    settings = get_settings()
    try:
        claims = jwt.decode(
            token,
            token_secret(settings),
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=settings.token_issuer,
        )
        user_id, session_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
        whole = "recording" in claims
        shown_id = uuid.UUID(claims["recording"] if whole else claims["clip"])
        anonymised = claims.get("anonymised") is True and not whole
    except (JWTError, KeyError, ValueError, TypeError, AttributeError):
        raise StreamTokenInvalid() from None
    # The link lives as long as the session that asked for it: sign-out, revocation or a disabled
    # account end it at its next request.
    found = live_session(db, db.get(AuthSession, session_id))
    if found is None or found[1].id != user_id:
        raise StreamTokenInvalid()
    user = found[1]
    principal = audit.Principal(
        user.id, user.name, user.role, user.organisation_id, str(session_id)
    )
    return Link(principal, shown_id, whole, anonymised)


def _span(
    db: Session, shown_id: uuid.UUID, whole: bool, anonymised: bool = False
) -> tuple[float, float, Recording]:
    """Start, end and recording of what a link shows (its anonymised copy: from 0)."""
    if not whole:
        clip, recording = _clip(db, shown_id)
        if anonymised:
            if clip.anonymised_object_id is None:
                raise NotFound(
                    "Van dit fragment is (nog) geen geanonimiseerde versie.",
                    "This clip has no anonymised copy (yet).",
                )
            return 0.0, clip.end_s - clip.start_s, recording
        return clip.start_s, clip.end_s, recording
    whole_recording = db.get(Recording, shown_id)
    if (
        whole_recording is None
        or whole_recording.original_object_id is None
        or whole_recording.duration_s is None
    ):
        raise NotFound(
            "Opname niet gevonden of nog niet gecontroleerd.",
            "Recording not found or not verified yet.",
        )
    return 0.0, whole_recording.duration_s, whole_recording


def _clip(db: Session, clip_id: uuid.UUID) -> tuple[Clip, Recording]:
    clip = db.get(Clip, clip_id)
    recording = db.get(Recording, clip.recording_id) if clip else None
    if clip is None or recording is None or recording.original_object_id is None:
        raise NotFound("Fragment niet gevonden.", "Clip not found.")
    return clip, recording


@router.post(
    "/clips/{clip_id}/stream",
    summary="Kijklink voor een fragment / a viewing link for a clip",
    response_model=ViewingLink,
    responses=problems(401, 403, 404, 409, 422),
)
def open_stream(clip_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, object]:
    """The clip itself; where only its anonymised copy may be shown (a WOK viewer, ADR 0017 decision 7),
    that copy: both questions are decided and logged."""
    first = decide(db, principal, "stream", clip_id=clip_id)
    anonymised = not first.allowed and first.reason == "needs_anonymised"
    if anonymised:
        authorize(db, principal, "stream", clip_id=clip_id, anonymised=True)
    elif not first.allowed:
        _refuse(db, first)
    clip, _ = _clip(db, clip_id)
    token = _token(principal, clip_id, anonymised=anonymised)
    return {
        "playlist": f"/api/v1/stream/{token}/index.m3u8",
        "player": f"/kijken/{token}",
        "duration_s": clip.end_s - clip.start_s,
        "expires_in_s": get_settings().stream_token_minutes * 60,
    }


@router.post(
    "/clips/{clip_id}/anonymised/stream",
    summary="Kijklink voor de geanonimiseerde versie / a viewing link for the anonymised copy",
    response_model=ViewingLink,
    responses=problems(401, 403, 404, 409, 422),
)
def open_anonymised_stream(clip_id: uuid.UUID, principal: Principal, db: DB) -> dict[str, object]:
    """The clip's anonymised copy, for its trainer to check it (and for whom may see it)."""
    authorize(db, principal, "stream", clip_id=clip_id, anonymised=True)
    start, end, _ = _span(db, clip_id, False, anonymised=True)
    token = _token(principal, clip_id, anonymised=True)
    return {
        "playlist": f"/api/v1/stream/{token}/index.m3u8",
        "player": f"/kijken/{token}",
        "duration_s": end - start,
        "expires_in_s": get_settings().stream_token_minutes * 60,
    }


@router.post(
    "/recordings/{recording_id}/stream",
    summary="Kijklink voor een hele opname, om fragmenten te kiezen / a viewing link for a whole recording",
    response_model=ViewingLink,
    responses=problems(401, 403, 404, 409, 422),
)
def open_recording_stream(
    recording_id: uuid.UUID, principal: Principal, db: DB
) -> dict[str, object]:
    """Only for whom may make clips of it (its own trainer, in a phase that allows clips): to choose in
    and out points. Each playlist and segment is decided again as `stream` of the recording."""
    authorize(db, principal, "clip", recording_id=recording_id)
    start, end, _ = _span(db, recording_id, True)
    token = _token(principal, recording_id, "recording")
    return {
        "playlist": f"/api/v1/stream/{token}/index.m3u8",
        "player": f"/kijken/{token}",
        "duration_s": end - start,
        "expires_in_s": get_settings().stream_token_minutes * 60,
    }


def _allowed(db: Session, link: Link, segment: int | None) -> None:
    decision = decide(
        db,
        link.viewer,
        "stream",
        **({"recording_id": link.shown_id} if link.whole else {"clip_id": link.shown_id}),  # type: ignore[arg-type]  # one of decide()'s UUID keyword arguments, picked at run time
        anonymised=link.anonymised,
        object_type="segment" if segment is not None else "playlist",
    )
    if not decision.allowed:
        _refuse(db, decision)


def _refuse(db: Session, decision: Decision) -> NoReturn:
    """A logged refusal: kept although the request fails, and raised as such."""
    keep(db)
    error = Forbidden(
        decision.message, f"Access denied ({decision.reason}).", reason=decision.reason
    )
    error.logged = True  # decide() logged it, committed above
    raise error


@player_router.get(
    "/kijken/{token}", response_class=HTMLResponse, summary="Speler / the review player"
)
def player(token: str, db: DB, request: Request, terug: str | None = None) -> HTMLResponse:
    """The player page holds no footage and no names: every playlist and segment it loads is decided.
    It reads in the viewer's language and leads back to `terug` (a path of this site) or the start page."""
    lang = language(request)
    words = PLAYER_WORDS[lang]
    head = PLAYER.format(lang=lang, back=html.escape(_back(terug)), **words)
    try:
        _viewer(db, token)  # an expired link gets the explanation at once, not a black box
    except StreamTokenInvalid as exc:
        db.rollback()  # nothing to keep; the refusal is written in its own transaction
        note_denial(
            exc,
            network=request.client.host if request.client else None,
            route="/kijken/{token}",
            method="GET",
        )
        text = exc.message_en if lang == "en" else exc.message_nl
        body = f'<p id="status" role="status">{html.escape(text)}</p></main></body></html>'
        return HTMLResponse(head + body, status_code=401, headers=PLAYER_HEADERS)
    playlist = html.escape(f"/api/v1/stream/{token}/index.m3u8")
    return HTMLResponse(
        head + PLAYER_BODY.format(playlist=playlist, **words), headers=PLAYER_HEADERS
    )


@router.get(
    "/stream/{token}/index.m3u8",
    summary="HLS-afspeellijst / HLS playlist",
    response_class=Response,
    responses={
        200: {"content": {"application/vnd.apple.mpegurl": {}}},
        **problems(401, 403, 404, 422),
    },
)
def get_playlist(token: str, db: DB) -> Response:
    link = _viewer(db, token)
    _allowed(db, link, None)
    start, end, _ = _span(db, link.shown_id, link.whole, link.anonymised)
    return Response(
        playlist(end - start),
        media_type="application/vnd.apple.mpegurl",
        headers={"Cache-Control": "no-store"},
    )


@router.get(
    "/stream/{token}/{n}.ts",
    summary="HLS-segment met watermerk / watermarked segment",
    response_class=Response,
    responses={200: {"content": {"video/mp2t": {}}}, **problems(401, 403, 404, 422, 429, 503)},
)
def get_segment(token: str, n: int, db: DB) -> Response:
    """Decided and logged first; then rendered on a stream worker (ADR 0007), so any API process serves it."""
    link = _viewer(db, token)
    start, end, _ = _span(db, link.shown_id, link.whole, link.anonymised)
    count = segment_count(end - start)
    if not 0 <= n < count:
        raise NotFound("Segment bestaat niet.", "No such segment.")
    _allowed(db, link, n)
    release(db)  # the decision is logged; no transaction (on SQLite, a lock) waits for the worker
    data = live.fetch(
        db,
        viewer=str(link.viewer.session_id),
        user_id=link.viewer.user_id,
        shown_id=link.shown_id,
        whole=link.whole,
        anonymised=link.anonymised,
        n=n,
        count=count,
    )
    return Response(data, media_type="video/mp2t", headers={"Cache-Control": "no-store"})


@router.post(
    "/stream/{token}/stop",
    status_code=204,
    summary="Kijker stopt / the viewer leaves",
    responses=problems(401, 422),
)
def stop(token: str, db: DB) -> Response:
    """The player says goodbye (pagehide): its job stops now instead of after the idle time."""
    link = _viewer(db, token)
    live.stop(db, str(link.viewer.session_id), link.shown_id)
    return Response(status_code=204)
