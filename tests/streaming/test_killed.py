"""An API process killed with SIGKILL while it streams leaves its watermarked segments in tmpfs; the next
API process to start removes them before it serves anything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from vault.media.scratch import root

from ..api.conftest import Api
from ..ingest.conftest import free_port
from .test_tampered import watchable

API = "import uvicorn; uvicorn.run('vault.app:create_app', factory=True, host='127.0.0.1', port={port}, log_level='warning')"


def start_api() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", API.format(port=port)], env=os.environ.copy())  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/health").status_code in (200, 503):
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the API did not start")


@pytest.fixture
def apis() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        proc.kill()
        proc.wait()


def folders_of(pid: int) -> list[Path]:
    return [f for f in root().iterdir() if f.name.startswith(f"{pid}-")]


def test_segments_of_a_killed_api_are_gone_when_the_next_one_starts(
    api: Api, server: str, tmp_path: Path, apis: list  # type: ignore[type-arg]
) -> None:
    tampered = watchable(api, server, tmp_path)
    first, base = start_api()
    apis.append(first)
    opened = httpx.post(f"{base}/api/v1/clips/{tampered['clip_id']}/stream", headers=tampered["ho"])
    assert opened.status_code == 200, opened.text
    segment = httpx.get(base + opened.json()["playlist"].replace("index.m3u8", "0.ts"), timeout=60)
    assert segment.status_code == 200
    left = folders_of(first.pid)
    assert left
    assert any(p.suffix == ".ts" for p in left[0].rglob("*"))
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert any(p.suffix == ".ts" for p in left[0].rglob("*"))  # a SIGKILL runs no clean-up
    second, _ = start_api()
    apis.append(second)
    assert not left[0].exists()  # swept before the new process served anything
