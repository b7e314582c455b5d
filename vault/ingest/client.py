"""The trainer's import: scan the card, upload what is new over tus, wait for verification, say what is safe.

Never deletes anything from the card unless asked, and then only when every file on the card is
verified, and only files the server reports stored with the card's own SHA-256.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from tusclient import client as tus
from tusclient.exceptions import TusCommunicationError

from vault.ingest.card import CardFile, CardRemoved, file_sha256, scan_card

PART = 64 * 1024 * 1024  # per PATCH: four 16 MiB parts, which the server stores three at a time
Say = Callable[[str], None]
BROKEN = "de verbinding met de server is verbroken; start opnieuw om verder te gaan"


class Stopped(Exception):
    """Nothing more can be done for any file (server down, not signed in, no such trajectory)."""



def file_time(path: Path) -> str:
    """The file's own time on the card (the camera's time inside the file wins on the server)."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")

@dataclass
class Outcome:
    stored: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # already imported earlier (same SHA-256)
    rejected: list[tuple[Path, str]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    digests: dict[Path, str] = field(default_factory=dict)

    @property
    def card_may_be_wiped(self) -> bool:
        return not self.rejected and not self.failed and bool(self.stored or self.skipped)


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def _detail(status: int | None, content: bytes | str | None) -> str:
    """The server's own (Dutch) message, or what can honestly be said without one."""
    try:
        detail = json.loads(content or b"").get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and detail:
        return detail
    return f"de server antwoordde met {status}" if status else BROKEN


def _get(api: httpx.Client, path: str, **params: str) -> Any:
    """A JSON answer; Stopped, with the server's own message, when it cannot be reached or refuses."""
    try:
        response = api.get(path, params=params)
    except httpx.HTTPError as exc:
        raise Stopped(
            f"Beeldkluis is niet bereikbaar op {api.base_url} ({type(exc).__name__})."
        ) from exc
    if response.status_code >= 400:
        raise Stopped(_detail(response.status_code, response.content))
    try:
        return response.json()
    except ValueError:
        raise Stopped(f"{api.base_url} antwoordt niet als Beeldkluis.") from None


def ingest(
    root: Path, trajectory: str, *, server: str, token: str, say: Say = print, delete_verified: bool = False,
    wait_seconds: float = 600, retries: int = 5,
) -> Outcome:  # fmt: skip
    """Raises Stopped (with a Dutch message) when no file can be imported at all."""
    with httpx.Client(
        base_url=server, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        return _ingest(api, root, trajectory, server=server, token=token, say=say, delete_verified=delete_verified,
                       wait_seconds=wait_seconds, retries=retries)  # fmt: skip


def _ingest(
    api: httpx.Client, root: Path, trajectory: str, *, server: str, token: str, say: Say, delete_verified: bool,
    wait_seconds: float, retries: int,
) -> Outcome:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    outcome = Outcome()
    try:
        files = scan_card(root)
    except CardRemoved as exc:
        raise Stopped(f"De kaart {root} is niet te lezen ({exc}).") from exc
    _get(api, "/api/v1/uploads", trajectory=trajectory)  # the server is there and lets us in
    total = sum(f.size for f in files)
    say(f"{len(files)} videobestand(en) gevonden, samen {_human(total)}.")
    done_bytes = 0
    started = time.monotonic()
    uploads: list[tuple[CardFile, str, str]] = []
    for item in files:
        try:
            digest = file_sha256(item.path)
        except CardRemoved as exc:
            outcome.failed.append((item.path, f"het bestand is niet te lezen ({exc})"))
            continue
        outcome.digests[item.path] = digest
        known = _get(api, "/api/v1/uploads", trajectory=trajectory, sha256=digest).get("items", [])
        if any(u["status"] == "stored" and u["sha256"] == digest for u in known):
            outcome.skipped.append(item.path)
            done_bytes += item.size
            say(f"  {item.path.name}: al eerder geïmporteerd, overgeslagen.")
            continue
        uploader = None
        try:
            with open(item.path, "rb") as stream:
                uploader = tus.TusClient(f"{server}/api/v1/uploads", headers=headers).uploader(
                    file_stream=stream, chunk_size=PART, retries=retries, retry_delay=2,
                    metadata={"trajectory": trajectory, "filename": item.path.name, "sha256": digest, "group": item.group, "part": str(item.part),
                              "recorded_at": file_time(item.path)},
                )  # fmt: skip
                uploader.set_url(
                    uploader.create_url()
                )  # also for an empty file: the server says why not
                while uploader.offset < uploader.get_file_size():
                    uploader.upload_chunk()
                    elapsed = max(time.monotonic() - started, 1e-6)
                    sent = done_bytes + uploader.offset
                    left = (total - sent) / (sent / elapsed) if sent else 0
                    say(f"  {item.path.name}: {100 * uploader.offset // max(1, item.size)}%  totaal {100 * sent // max(1, total)}%  "
                        f"{_human(sent / elapsed)}/s  nog ~{left:.0f} s")  # fmt: skip
                done_bytes += item.size
                uploads.append((item, str(uploader.url), digest))
        except TusCommunicationError as exc:
            if exc.status_code in (401, 403, 404) and uploader is not None and not uploader.url:
                raise Stopped(_detail(exc.status_code, exc.response_content)) from exc
            if uploader is not None and uploader.url:  # refused or failed after it was created
                uploads.append((item, str(uploader.url), digest))
            elif exc.status_code and 400 <= exc.status_code < 500:
                outcome.rejected.append((item.path, _detail(exc.status_code, exc.response_content)))
            else:
                outcome.failed.append((item.path, _detail(exc.status_code, exc.response_content)))
        except OSError as exc:
            outcome.failed.append(
                (item.path, f"het bestand is niet te lezen ({exc.strerror or exc})")
            )
    _wait(api, uploads, outcome, time.monotonic() + wait_seconds)
    _report(outcome, say)
    if delete_verified and outcome.card_may_be_wiped:
        deleted = 0
        for path in outcome.stored + outcome.skipped:
            digest = outcome.digests[path]
            known = _get(api, "/api/v1/uploads", trajectory=trajectory, sha256=digest).get(
                "items", []
            )
            if any(u["status"] == "stored" and u["sha256"] == digest for u in known):
                path.unlink()
                deleted += 1
        say(f"{deleted} gecontroleerde bestand(en) van de kaart verwijderd.")
    return outcome


def _wait(
    api: httpx.Client, uploads: list[tuple[CardFile, str, str]], outcome: Outcome, deadline: float
) -> None:
    """Until the server has verified or refused each upload (or the deadline passed)."""
    for item, url, digest in uploads:
        upload_path = "/api/v1/uploads/" + url.rstrip("/").rsplit("/", 1)[-1]
        status: dict[str, Any] = {}
        while True:
            try:
                status = _get(api, upload_path)
            except Stopped as exc:
                status = {"status": "unknown", "reason": str(exc)}
            if status["status"] != "verifying" or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if status["status"] == "stored" and status["sha256"] == digest:
            outcome.stored.append(item.path)
        elif status["status"] == "stored":
            outcome.failed.append(
                (item.path, "de controlesom van de server klopt niet met de kaart")
            )
        elif status["status"] == "rejected":
            outcome.rejected.append((item.path, status["reason"]))
        elif status["status"] == "uploading":
            outcome.failed.append(
                (item.path, "upload niet afgemaakt; start opnieuw om verder te gaan")
            )
        elif status["status"] == "unknown":
            outcome.failed.append(
                (item.path, f"de status is niet op te vragen: {status['reason']}")
            )
        else:
            outcome.failed.append((item.path, "controle niet op tijd afgerond"))


def _report(outcome: Outcome, say: Say) -> None:
    for path in outcome.stored:
        say(f"Veilig opgeslagen en gecontroleerd: {path.name}")
    for path, reason in outcome.rejected:
        say(f"Niet opgeslagen: {path.name}: {reason}")
    for path, reason in outcome.failed:
        say(f"Niet gelukt: {path.name}: {reason}")
    if outcome.card_may_be_wiped:
        say("Alle beelden staan veilig in Beeldkluis. De kaart mag nu worden gewist.")
    else:
        say("Wis de kaart nog NIET: niet alle beelden zijn veilig opgeslagen.")
