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
from tusclient.uploader.uploader import Uploader

from vault.ingest.card import CardFile, CardRemoved, file_sha256, scan_card

PART = 64 * 1024 * 1024  # per PATCH: four 16 MiB parts, which the server stores three at a time
Say = Callable[[str], None]
BROKEN = "de verbinding met de server is verbroken; start opnieuw om verder te gaan"


class Stopped(Exception):
    """Nothing more can be done for any file (server down, not signed in, no such trajectory)."""


MARGIN_S = 60  # refresh the access token when it has less than this left


class Access(httpx.Auth):
    """The session's bearer token: refreshed (rotating the refresh token, ADR 0006) when it has less
    than MARGIN_S left, and once more after a 401 (a clock that differs, a server key that changed).
    Without a refresh token (BEELDKLUIS_TOKEN) the token is used as it is. Nothing is stored."""

    def __init__(
        self, server: str, token: str, refresh_token: str = "", expires_at: datetime | None = None
    ) -> None:
        self.server, self.token, self.refresh_token, self.expires_at = (
            server,
            token,
            refresh_token,
            expires_at,
        )

    def __repr__(self) -> str:  # never a token in a log line or repr
        return f"Access({self.server!r})"

    def header(self) -> dict[str, str]:
        left = (self.expires_at - datetime.now(UTC)).total_seconds() if self.expires_at else None
        if self.refresh_token and left is not None and left < MARGIN_S:
            self.renew()
        return {"Authorization": f"Bearer {self.token}"}

    def renew(self) -> bool:
        """A new access token (and refresh token) for the same session; False if the server refuses."""
        if not self.refresh_token:
            return False
        try:
            response = httpx.post(
                f"{self.server}/api/v1/auth/refresh",
                json={"refresh_token": self.refresh_token},
                timeout=30,
            )
        except httpx.HTTPError:
            return False
        if response.status_code != 200:
            self.refresh_token = ""  # refused: spent, revoked or expired; asking again cannot help
            return False
        body = response.json()
        self.token, self.refresh_token = str(body["access_token"]), str(body["refresh_token"])
        self.expires_at = datetime.fromisoformat(str(body["expires_at"]))
        return True

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers.update(self.header())
        response = yield request
        if response.status_code == 401 and self.renew():
            request.headers.update(self.header())
            yield request


class _Uploader(Uploader):
    """tuspy's uploader with the session's current token on every request; a 401 is not retried here
    (the caller refreshes once and sends the same chunk again), other failures are, as tuspy does."""

    access: Access

    def get_headers(self) -> dict[str, str]:
        return {**super().get_headers(), **self.access.header()}  # type: ignore[no-untyped-call]  # tusclient has no type annotations

    def _retry_or_cry(self, error: Exception) -> None:
        if getattr(error, "status_code", None) == 401:
            raise error
        super()._retry_or_cry(error)  # type: ignore[no-untyped-call]  # tusclient has no type annotations


def _refreshed(step: Callable[[], Any], uploader: _Uploader) -> Any:
    """Run one tus request; after a 401, refresh the session once and run it again (from the server's offset)."""
    try:
        return step()
    except TusCommunicationError as exc:
        if exc.status_code != 401 or not uploader.access.renew():
            raise
    if uploader.url:
        uploader.offset = uploader.get_offset()
    return step()


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
    root: Path,
    trajectory: str,
    *,
    server: str,
    token: str,
    refresh_token: str = "",
    expires_at: datetime | None = None,
    say: Say = print,
    delete_verified: bool = False,
    wait_seconds: float = 600,
    retries: int = 5,
    part: int = PART,
) -> Outcome:
    """Raises Stopped (with a Dutch message) when no file can be imported at all. With a refresh token
    the session is kept alive for as long as the import takes."""
    access = Access(server, token, refresh_token, expires_at)
    with httpx.Client(base_url=server, auth=access, timeout=30) as api:
        return _ingest(
            api,
            access,
            root,
            trajectory,
            server=server,
            say=say,
            delete_verified=delete_verified,
            wait_seconds=wait_seconds,
            retries=retries,
            part=part,
        )


def _ingest(
    api: httpx.Client,
    access: Access,
    root: Path,
    trajectory: str,
    *,
    server: str,
    say: Say,
    delete_verified: bool,
    wait_seconds: float,
    retries: int,
    part: int,
) -> Outcome:
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
                uploader = _Uploader(
                    client=tus.TusClient(f"{server}/api/v1/uploads"),
                    file_stream=stream,
                    chunk_size=part,
                    retries=retries,
                    retry_delay=2,
                    metadata={
                        "trajectory": trajectory,
                        "filename": item.path.name,
                        "sha256": digest,
                        "group": item.group,
                        "part": str(item.part),
                        "recorded_at": file_time(item.path),
                    },
                )
                uploader.access = access
                # also for an empty file: the server says why not
                uploader.set_url(_refreshed(uploader.create_url, uploader))
                while uploader.offset < uploader.get_file_size():  # type: ignore[no-untyped-call]  # tusclient has no type annotations
                    _refreshed(uploader.upload_chunk, uploader)
                    elapsed = max(time.monotonic() - started, 1e-6)
                    sent = done_bytes + uploader.offset
                    left = (total - sent) / (sent / elapsed) if sent else 0
                    say(
                        f"  {item.path.name}: {100 * uploader.offset // max(1, item.size)}%  totaal {100 * sent // max(1, total)}%  "
                        f"{_human(sent / elapsed)}/s  nog ~{left:.0f} s"
                    )
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
