"""The trainer's import: scan the card, upload what is new over tus, wait for verification, say what is safe.

Never deletes anything from the card unless asked, and then only files verified end to end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tusclient import client as tus
from tusclient.exceptions import TusCommunicationError

from vault.ingest.card import CardFile, CardRemoved, file_sha256, scan_card

PART = 64 * 1024 * 1024  # per PATCH: four 16 MiB parts, which the server stores three at a time
Say = Callable[[str], None]


@dataclass
class Outcome:
    stored: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # already imported earlier (same SHA-256)
    rejected: list[tuple[Path, str]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def card_may_be_wiped(self) -> bool:
        return not self.rejected and not self.failed and bool(self.stored or self.skipped)


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def ingest(
    root: Path, trajectory: str, *, server: str, token: str, say: Say = print, delete_verified: bool = False,
    wait_seconds: float = 600, retries: int = 5,
) -> Outcome:  # fmt: skip
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
    files = scan_card(root)
    total = sum(f.size for f in files)
    say(f"{len(files)} videobestand(en) gevonden, samen {_human(total)}.")
    done_bytes = 0
    started = time.monotonic()
    uploads: list[tuple[CardFile, str, str]] = []
    for item in files:
        try:
            digest = file_sha256(item.path)
        except CardRemoved as exc:
            outcome.failed.append((item.path, f"kaart is verwijderd of onleesbaar ({exc})"))
            break
        known = (
            api.get("/api/v1/uploads", params={"trajectory": trajectory, "sha256": digest})
            .json()
            .get("items", [])
        )
        if any(u["status"] == "stored" for u in known):
            outcome.skipped.append(item.path)
            done_bytes += item.size
            say(f"  {item.path.name}: al eerder geïmporteerd, overgeslagen.")
            continue
        try:
            with open(item.path, "rb") as stream:
                uploader = tus.TusClient(f"{server}/api/v1/uploads", headers=headers).uploader(
                    file_stream=stream, chunk_size=PART, retries=retries, retry_delay=2,
                    metadata={"trajectory": trajectory, "filename": item.path.name, "sha256": digest, "group": item.group, "part": str(item.part)},
                )  # fmt: skip
                while uploader.offset < uploader.get_file_size():
                    uploader.upload_chunk()
                    elapsed = max(time.monotonic() - started, 1e-6)
                    sent = done_bytes + uploader.offset
                    left = (total - sent) / (sent / elapsed) if sent else 0
                    say(f"  {item.path.name}: {100 * uploader.offset // max(1, item.size)}%  totaal {100 * sent // max(1, total)}%  "
                        f"{_human(sent / elapsed)}/s  nog ~{left:.0f} s")  # fmt: skip
                done_bytes += item.size
                uploads.append((item, str(uploader.url), digest))
        except (OSError, TusCommunicationError) as exc:
            outcome.failed.append(
                (
                    item.path,
                    f"upload mislukt, start opnieuw om verder te gaan ({type(exc).__name__})",
                )
            )
    deadline = time.monotonic() + wait_seconds
    for item, url, digest in uploads:
        upload_path = "/api/v1/uploads/" + url.rstrip("/").rsplit("/", 1)[-1]
        while True:
            status = api.get(upload_path).json()
            if status["status"] in ("stored", "rejected") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if status["status"] == "stored" and status["sha256"] == digest:
            outcome.stored.append(item.path)
        elif status["status"] == "rejected":
            outcome.rejected.append((item.path, status["reason"]))
        else:
            outcome.failed.append((item.path, "controle niet op tijd afgerond"))
    _report(outcome, say)
    if delete_verified and outcome.card_may_be_wiped:
        for path in outcome.stored:
            path.unlink()
        say(f"{len(outcome.stored)} gecontroleerde bestand(en) van de kaart verwijderd.")
    return outcome


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
