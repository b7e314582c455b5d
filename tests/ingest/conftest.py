"""A real HTTP server (uvicorn) for tus clients, and small real video files made with ffmpeg."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from vault.app import create_app

from ..api.conftest import Api, api, worker  # noqa: F401 - the API and worker fixtures, shared


def make_video(path: Path, seconds: int = 3, *, extra: list[str] | None = None) -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=25:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", *(extra or []), str(path)],
        check=True, timeout=120,
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("card")
    good = make_video(
        root / "MVI_0001.MP4",
        extra=[
            "-metadata",
            "location=+52.3676+004.9041/",
            "-metadata",
            "creation_time=2026-11-20T10:00:00Z",
        ],
    )
    truncated = root / "MVI_0002.MP4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    jpeg = root / "MVI_0003.MP4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=64x64",
            "-frames:v",
            "1",
            "-f",
            "mjpeg",
            str(jpeg),
        ],
        check=True,
        timeout=60,
    )
    big = root / "GH010042.MP4"
    with open(big, "wb") as out:  # a real video followed by padding, to span several 16 MiB parts
        out.write(good.read_bytes())
        out.write(b"\0" * (40 * 1024 * 1024))
    return {"good": good, "truncated": truncated, "jpeg": jpeg, "big": big}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(api: Api) -> Iterator[str]:  # noqa: F811 - uses the shared fixture
    port = free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
