"""The API process is killed in the middle of an upload; after a restart the client resumes from the offset
the server kept, and the file arrives whole."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.api import Api, free_port
from tests.support.families import family_with_recording
from tests.support.tus import upload_id
from vault.ingest.tasks import verify_upload
from vault.settings import get_settings


def start_api(port: int) -> subprocess.Popen[bytes]:
    settings = get_settings()
    env = {
        **os.environ,
        "BEELDKLUIS_DATA_DIR": str(settings.data_dir),
        "BEELDKLUIS_DATABASE_URL": settings.effective_database_url,
    }
    proc = subprocess.Popen(  # noqa: S603 - our own argv
        [
            sys.executable,
            "-c",
            f"import uvicorn; uvicorn.run('vault.app:create_app', factory=True, host='127.0.0.1', port={port}, log_level='warning')",
        ],
        env=env,
    )
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/version").status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("API did not start")


def test_upload_survives_an_api_restart(api: Api, videos: dict[str, Path]) -> None:
    world = family_with_recording(api, api.account("trainer"))
    h = {**world["headers"], "Tus-Resumable": "1.0.0"}
    data = videos["big"].read_bytes()
    port = free_port()
    server = f"http://127.0.0.1:{port}"
    proc = start_api(port)
    try:
        meta = f"trajectory {base64.b64encode(world['trajectory']['id'].encode()).decode()}"
        location = (
            server
            + httpx.post(
                f"{server}/api/v1/uploads",
                headers={**h, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
            ).headers["Location"]
        )
        first = httpx.patch(
            location,
            headers={**h, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
            content=data[: 24 * 1024 * 1024],
            timeout=60,
        )
        assert first.status_code == 204
        proc.send_signal(signal.SIGKILL)  # no clean shutdown: whatever was only in memory is lost
        proc.wait(timeout=10)
        proc = start_api(port)
        offset = int(httpx.head(location, headers=h).headers["Upload-Offset"])
        assert offset == 24 * 1024 * 1024  # all that was acknowledged was stored (ADR 0010)
        rest = httpx.patch(
            location,
            headers={
                **h,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
            content=data[offset:],
            timeout=120,
        )
        assert rest.status_code == 204, rest.text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert verify_upload(upload_id(location)) == "stored"
    from vault.db import unit_of_work
    from vault.ingest.models import Upload

    with unit_of_work() as db:
        row = db.get(Upload, upload_id(location))
        assert row is not None
        assert row.sha256 == hashlib.sha256(data).hexdigest()
