"""Uploads through a real tus client, verified as the ingest task verifies them."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from tusclient import client as tus

from tests.support.api import Api
from vault.ingest.tasks import verify_upload


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def upload_id(url: str) -> uuid.UUID:
    return uuid.UUID(url.rstrip("/").rsplit("/", 1)[-1])


def tus_upload(
    server: str,
    headers: dict[str, str],
    path: Path,
    trajectory: str,
    chunk: int = 4 * 1024 * 1024,
    extra: dict[str, str] | None = None,
) -> str:
    c = tus.TusClient(f"{server}/api/v1/uploads", headers=headers)
    with open(path, "rb") as stream:  # tuspy leaves a file it opened itself unclosed
        uploader = c.uploader(
            file_stream=stream,
            chunk_size=chunk,
            metadata={
                "trajectory": trajectory,
                "filename": path.name,
                "situation": "bath",
                "sha256": digest(path),
                **(extra or {}),
            },
        )
        uploader.upload()
    return str(uploader.url)


def stored(api: Api, server: str, world: dict[str, Any], paths: list[Path]) -> None:
    """Upload each file through tus and verify it, as the ingest task would."""
    for path in paths:
        assert (
            verify_upload(
                upload_id(tus_upload(server, world["headers"], path, world["trajectory"]["id"]))
            )
            == "stored"
        )
