"""Build the parents' package in a folder (a mounted USB stick): Opnames/, index.html, LEESMIJ.txt, the
consent records and the access report (AVG art. 15/20), and SHA256SUMS over every file."""

from __future__ import annotations

import hashlib
import html
import json
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from vault import audit
from vault.access import authorize
from vault.api.consents import _overview
from vault.domain.models import Family, Recording, Trajectory
from vault.errors import Conflict, NotFound
from vault.media import convert, probe, serve_range
from vault.purge import family_plan
from vault.settings import Settings
from vault.store import open_store

SITUATIONS = {
    "bath": "in bad",
    "play": "spelen",
    "meal": "eten",
    "review_with_parents": "terugkijkgesprek",
    "other": "opname",
}
PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; media-src 'self'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jullie video-opnames</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}
video{{width:100%;max-width:48rem;background:#000}} li{{margin:1.5rem 0}} small{{color:#555}}</style></head>
<body><h1>Jullie video-opnames</h1>
<p>Dit zijn de opnames die tijdens de video-hometraining bij jullie thuis zijn gemaakt. Ze zijn van jullie.
Klik op een opname om hem af te spelen; er is geen internet voor nodig.</p>
<ol>{items}</ol>
<p><small>Zie LEESMIJ.txt voor uitleg, en toegang.html voor wie de beelden heeft bekeken.</small></p>
</body></html>
"""
README = """Jullie video-opnames
====================

Op deze stick (of in deze map) staan de video-opnames die tijdens de video-hometraining bij jullie thuis
zijn gemaakt. Ze zijn van jullie.

Afspelen: open index.html in een webbrowser, of open de bestanden in de map Opnames met een
videospeler. Ze spelen op elke computer, telefoon en televisie; er is geen internet voor nodig.

Bewaar ze veilig: het zijn beelden van jullie kinderen. Maak een kopie op een plek die alleen jullie
kunnen bereiken en geef de stick niet aan anderen.

Beeldkluis verwijdert zijn eigen kopie van deze beelden {deletion}.

Wie heeft de beelden bekeken? Dat staat in toegang.html (en toegang.json). Jullie toestemmingen staan in
toestemmingen.json. Met SHA256SUMS kun je controleren dat de bestanden niet veranderd zijn.

Vragen? Neem contact op met jullie video-hometrainer.
"""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while piece := f.read(1024 * 1024):
            digest.update(piece)
    return digest.hexdigest()


def build_package(db: Session, settings: Settings, principal: audit.Principal, trajectory_id: uuid.UUID, target: Path,
                  recording_ids: list[uuid.UUID] | None = None) -> dict[str, object]:  # fmt: skip
    """Write the package into a new folder under `target`; on any failure nothing is left behind."""
    authorize(db, principal, "export", trajectory_id=trajectory_id)
    trajectory = db.get(Trajectory, trajectory_id)
    family = db.get(Family, trajectory.family_id) if trajectory else None
    if trajectory is None or family is None:
        raise NotFound("Traject niet gevonden.", "Trajectory not found.")
    query = (
        select(Recording)
        .where(
            Recording.trajectory_id == trajectory_id, col(Recording.original_object_id).is_not(None)
        )
        .order_by(Recording.recorded_at)
    )
    recordings = [r for r in db.exec(query) if recording_ids is None or r.id in recording_ids]
    if not recordings:
        raise Conflict(
            "Er zijn geen opnames om mee te geven.", "There are no recordings to hand over."
        )
    folder = target / f"Beeldkluis - {family.code}"
    if folder.exists():
        raise Conflict(
            "Op deze plek staat al een pakket van dit gezin.",
            "A package of this family is already there.",
        )
    store = open_store(db, settings)
    try:
        (folder / "Opnames").mkdir(parents=True)
        items, remuxed = [], 0
        for number, recording in enumerate(recordings, start=1):
            row = store.get(recording.original_object_id)  # type: ignore[arg-type]
            name = f"{number:02d} - {recording.recorded_at:%Y-%m-%d} - {SITUATIONS.get(recording.situation, 'opname')}.mp4"
            with serve_range(
                row.size, lambda o, k, row=row: store.open_range(row.id, o, o + k)
            ) as url:
                info = probe(url, ffprobe=settings.ffprobe)
                remuxed += convert(url, info, folder / "Opnames" / name, ffmpeg=settings.ffmpeg)
            items.append((name, recording, info.duration_s))
        today = datetime.now(UTC).date()
        plan = family_plan(db, family.id, today)
        originals = {r.original_object_id for r in recordings}
        dates = [i.due for i in plan.items if i.object_id in originals]
        deletion = (
            f"op {min(dates):%d-%m-%Y}" if dates else "zodra het traject en de nazorg zijn afgerond"
        )
        (folder / "LEESMIJ.txt").write_text(README.format(deletion=deletion), encoding="utf-8")
        rows = "".join(
            f'<li><strong>{html.escape(n)}</strong><br><small>{r.recorded_at:%d-%m-%Y} · {html.escape(SITUATIONS.get(r.situation, "opname"))} · '
            f'{int(d // 60)}:{int(d % 60):02d} min</small><br><video controls preload="metadata" src="Opnames/{html.escape(n)}"></video></li>'
            for n, r, d in items
        )  # fmt: skip
        (folder / "index.html").write_text(PAGE.format(items=rows), encoding="utf-8")
        (folder / "toestemmingen.json").write_text(
            json.dumps(_overview(db, family.id, datetime.now(UTC)), indent=1, ensure_ascii=False),
            encoding="utf-8",
        )
        access = [audit.as_dict(r) for r in audit.family_report(db, family.id)]
        (folder / "toegang.json").write_text(
            json.dumps(access, indent=1, ensure_ascii=False, default=str), encoding="utf-8"
        )
        table = "".join(
            f"<tr><td>{html.escape(str(a['occurred_at']))[:16]}</td><td>{html.escape(str(a['user_name']))}</td><td>{html.escape(str(a['role']))}</td>"
            f"<td>{html.escape(str(a['action']))}</td><td>{html.escape(str(a['outcome']))}</td><td>{html.escape(' '.join(a['basis']))}</td></tr>"  # type: ignore[arg-type]
            for a in access
        )  # fmt: skip
        (folder / "toegang.html").write_text(
            '<!doctype html><html lang="nl"><meta charset="utf-8"><title>Wie heeft jullie gegevens ingezien?</title>'
            "<h1>Wie heeft jullie gegevens ingezien?</h1><table border=1 cellpadding=4><tr><th>Wanneer (UTC)</th><th>Wie</th>"
            f"<th>Rol</th><th>Wat</th><th>Uitkomst</th><th>Grondslag</th></tr>{table}</table></html>",
            encoding="utf-8",
        )
        sums = [
            f"{_sha256(p)}  {p.relative_to(folder).as_posix()}"
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        ]
        (folder / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    audit.record(db, action="export", outcome="success", actor=principal, family_id=family.id, object_id=trajectory_id,
                 object_type="export_package", detail={"recordings": str(len(items)), "remuxed": str(remuxed)})  # fmt: skip
    return {"folder": str(folder), "recordings": len(items), "remuxed": remuxed, "files": len(sums)}
