"""Progress over the trajectory (issue #23, ADR 0016): per recording, how often each code of the
basiscommunicatie was marked per minute, as a small server-rendered SVG chart (no script) with the same
figures in a table, to show the parents how the interaction changes from the first recording to the last.

The annotations are read through the annotations service (decided and logged per recording, like the
API's `GET /recordings/{id}/annotations`); a recording whose annotations the viewer may not read, or
whose frame rate is not known yet, is named and left out of the chart.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from consent import Role
from vault.access import judge
from vault.annotations import service as annotation_rules
from vault.annotations.models import Annotation
from vault.db import DB
from vault.errors import Conflict
from vault.families import service as families
from vault.families.schemas import TrajectoryPublic
from vault.i18n import N_, number, when
from vault.pages import SECURITY_HEADERS
from vault.recordings import service as recordings
from vault.recordings.models import Recording
from vault.routes import dump
from vault.streaming import open_recording_stream
from vault.web._page import PageViewer, Viewer, language, render, require, words

router = APIRouter()
BAR, GAP, LABEL, WIDTH = 14, 10, 190, 420  # the chart's geometry in px


@dataclass(frozen=True)
class Counted:
    """One recording's codes per minute."""

    recording: dict[str, Any]
    minutes: float
    per_minute: dict[str, float]


def per_minute(
    rows: list[Annotation], rate: Fraction, duration_s: float
) -> tuple[float, dict[str, float]]:
    """(the recording's length in minutes, each code's annotations per minute of it)."""
    minutes = max(duration_s, 1.0) / 60
    counts = Counter(a.code for a in rows)
    return minutes, {code: n / minutes for code, n in counts.items()}


def chart(book: dict[str, Any], counted: list[Counted], lang: str) -> dict[str, Any]:
    """The SVG's rows: per code (in the codebook's order, only those marked at all) one bar per recording."""
    entries = [e for group in ("codes", "moments") for e in book.get(group, [])]
    codes = [e for e in entries if any(c.per_minute.get(e["key"]) for c in counted)]
    top = max([v for c in counted for v in c.per_minute.values()] or [1.0])
    rows, y = [], 0
    for entry in codes:
        bars = []
        for n, c in enumerate(counted):
            value = c.per_minute.get(entry["key"], 0.0)
            bars.append(
                {
                    "y": y + n * BAR,
                    "width": round(WIDTH * value / top, 1),
                    "value": value,
                    "opacity": round(0.35 + 0.65 * (n + 1) / len(counted), 2),
                    "n": n + 1,
                }
            )
        rows.append(
            {
                "name": entry["en"] if lang == "en" else entry["nl"],
                "colour": entry["colour"],
                "key": entry["key"],
                "y": y,
                "bars": bars,
            }
        )
        y += len(counted) * BAR + GAP
    return {
        "rows": rows,
        "height": max(y, 1),
        "width": LABEL + WIDTH + 60,
        "label": LABEL,
        "bar": BAR,
    }


def _gathered(
    db: Session, viewer: Viewer, trajectory_id: uuid.UUID, lang: str
) -> tuple[dict[str, Any], list[Counted], list[dict[str, Any]], dict[str, Any]]:
    """(the trajectory, the counted recordings, those left out, the chart): each recording's annotations
    read through the service, so every read is decided and logged."""
    require(viewer, Role.trainer)
    trajectory = dump(
        families.get_trajectory(db, viewer.principal, trajectory_id), TrajectoryPublic
    )
    found = recordings.list_recordings(db, viewer.principal, trajectory_id, limit=500)
    counted: list[Counted] = []
    left_out: list[dict[str, Any]] = []
    for view in recordings.views(db, found.items):
        row = next(r for r in found.items if r.id == view.id)
        shown = view.model_dump(mode="json")
        may, _ = judge(db, viewer.principal, "view", recording_id=row.id, annotations=True)
        if not may.allowed or not row.duration_s:
            left_out.append(shown)
            continue
        try:
            rate = annotation_rules.frame_rate(row)
        except Conflict:
            left_out.append(shown)
            continue
        rows = annotation_rules.list_annotations(db, viewer.principal, row.id)  # decided and logged
        minutes, rates = per_minute(rows, rate, row.duration_s)
        counted.append(Counted(shown, minutes, rates))
    book = annotation_rules.entries(annotation_rules.codebook(db, viewer.principal))
    return trajectory, counted, left_out, chart(book, counted, lang)


@router.get("/trajecten/{trajectory_id}/voortgang")
def progress(
    request: Request, trajectory_id: uuid.UUID, viewer: PageViewer, db: DB
) -> HTMLResponse:
    trajectory, counted, left_out, drawn = _gathered(db, viewer, trajectory_id, language(request))
    return render(
        request,
        "review/progress.html",
        viewer,
        heading=N_("Voortgang"),
        trajectory=trajectory,
        counted=counted,
        left_out=left_out,
        chart=drawn,
    )


@router.get("/trajecten/{trajectory_id}/voortgang.csv")
def progress_figures(
    request: Request, trajectory_id: uuid.UUID, viewer: PageViewer, db: DB
) -> Response:
    """The same figures as a spreadsheet, for the trajectory's closing report (eindverslag): one row per
    recording, one column per code, codes per minute. Semicolons and a byte-order mark, as a Dutch
    spreadsheet program opens a CSV; the numbers in the page's language."""
    lang = language(request)
    _ = words(request)
    trajectory, counted, _left_out, drawn = _gathered(db, viewer, trajectory_id, lang)
    out = io.StringIO()
    table = csv.writer(out, delimiter=";", lineterminator="\r\n")
    table.writerow(
        [_("Opname"), _("Bestand"), _("Gefilmd"), _("Duur (minuten)")]
        + [r["name"] for r in drawn["rows"]]
    )
    for n, c in enumerate(counted, start=1):
        table.writerow(
            [
                n,
                c.recording.get("file_name") or "",
                when(c.recording.get("filmed_at"), lang) if c.recording.get("filmed_at") else "",
                number(c.minutes, lang, 2),
            ]
            + [number(c.per_minute.get(r["key"], 0.0), lang, 2) for r in drawn["rows"]]
        )
    name = (
        f"voortgang-{trajectory['id'][:8]}.csv"
        if lang == "nl"
        else f"progress-{trajectory['id'][:8]}.csv"
    )
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


def _playable(rows: list[Recording]) -> list[Recording]:
    return [r for r in rows if r.original_object_id is not None and r.duration_s]


@router.get("/trajecten/{trajectory_id}/vergelijken")
def compare(
    request: Request,
    trajectory_id: uuid.UUID,
    viewer: PageViewer,
    db: DB,
    links: uuid.UUID | None = None,
    rechts: uuid.UUID | None = None,
) -> HTMLResponse:
    """Two recordings of the trajectory side by side (the first and the last unless chosen), played,
    paused, slowed and stepped together. Each is a watermarked stream opened only for its trainer in a
    phase that allows choosing clips (decided and logged, as on the recording's page)."""
    require(viewer, Role.trainer)
    trajectory = dump(
        families.get_trajectory(db, viewer.principal, trajectory_id), TrajectoryPublic
    )
    found = recordings.list_recordings(db, viewer.principal, trajectory_id, limit=500)
    choices = _playable(list(found.items))
    by_id = {r.id: r for r in choices}
    shown = [
        by_id.get(links) if links else (choices[0] if choices else None),
        by_id.get(rechts) if rechts else (choices[-1] if len(choices) > 1 else None),
    ]
    views = {v.id: v.model_dump(mode="json") for v in recordings.views(db, choices)}
    sides, refused = [], None
    for recording in shown:
        if recording is None:
            continue
        # unlogged: only whether to offer it; opening the stream is decided and logged
        may, _ = judge(db, viewer.principal, "clip", recording_id=recording.id)
        if not may.allowed:
            refused = may.message
            continue
        stream = open_recording_stream(recording_id=recording.id, principal=viewer.principal, db=db)
        sides.append({"recording": views[recording.id], "playlist": stream["playlist"]})
    return render(
        request,
        "review/compare.html",
        viewer,
        heading=N_("Opnames vergelijken"),
        trajectory=trajectory,
        choices=[views[r.id] for r in choices],
        sides=sides,
        chosen=[str(r.id) if r else "" for r in shown],
        refused=refused,
    )
