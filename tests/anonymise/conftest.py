"""The anonymising tests' footage: scikit-image's astronaut photo (shipped inside the package; nothing
downloaded) moving over a test pattern with a continuous tone, and where its face is in each output frame;
the store they use, the copy's audio and its loudness, the job's decoder among our processes, and a
video's frames and their sharpness."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import psutil
import pytest
from skimage import data
from sqlmodel import Session, SQLModel, col, select

import vault.tables  # noqa: F401 - every table
from keys import Keyring, LocalMasterKey
from tests.support.api import Api
from tests.support.families import family_with_recording
from tests.support.store import make_s3
from tests.support.tus import stored
from vault.db import engine_for, unit_of_work
from vault.keyring import SqlKeys
from vault.recordings.models import Recording
from vault.store import ObjectStore

W, H, RATE = 640, 360, 25
START, END = 0.6, 3.6  # the fragment, in seconds of the recording
APPEARS = 1.6  # the face is overlaid from this moment of the recording on
FACE = (200, 180)  # height, width of the crop
CROP = (slice(20, 220), slice(140, 320))  # the astronaut's head in the 512x512 photo


def face_at(frame_index: int) -> tuple[int, int, int, int] | None:
    """The overlaid face's rectangle (x0, y0, x1, y1) in output frame `frame_index`, or None."""
    t = START + frame_index / RATE
    if t < APPEARS:
        return None
    x = int(40 + 60 * t)
    return x, 80, x + FACE[1], 80 + FACE[0]


@pytest.fixture
def footage(tmp_path: Path) -> Path:
    face = tmp_path / "face.png"
    photo: np.ndarray = data.astronaut()  # type: ignore[no-untyped-call]  # scikit-image's data module is unannotated
    cv2.imwrite(str(face), cv2.cvtColor(np.ascontiguousarray(photo[CROP]), cv2.COLOR_RGB2BGR))
    video = tmp_path / "gezin.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=s={W}x{H}:r={RATE}:d=4",
            "-loop",
            "1",
            "-i",
            str(face),
            "-f",
            "lavfi",
            "-i",
            "sine=f=440:d=4",
            "-filter_complex",
            f"[0:v][1:v]overlay=x='40+60*t':y=80:enable='gte(t,{APPEARS})':shortest=1,format=yuv420p[v]",
            "-map",
            "[v]",
            "-map",
            "2:a",
            "-c:v",
            "libx264",
            "-crf",
            "18",
            "-c:a",
            "aac",
            "-t",
            "4",
            str(video),
        ],
        check=True,
        timeout=120,
    )
    return video


@pytest.fixture
def store(tmp_path: Path, s3_config: dict[str, str]) -> Iterator[ObjectStore]:
    """An object store on the real MinIO with its rows and keys in a throwaway SQLite database."""
    engine = engine_for(f"sqlite:///{tmp_path / 'store.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        keyring = Keyring(SqlKeys(session), LocalMasterKey.open_or_create(tmp_path / "master.key"))
        yield ObjectStore(session, make_s3(s3_config), keyring)


AUDIO_RATE = 48000
MARGIN = 0.1  # seconds left out at every edge (AAC frames and priming)
WINDOW = 0.02  # seconds of audio per measurement


def audio(plaintext: bytes) -> np.ndarray:
    """The copy's audio as mono floats at AUDIO_RATE, decoded from the bytes in memory (stdin)."""
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", "pipe:0", "-vn", "-ac", "1", "-ar", str(AUDIO_RATE)]
        + ["-f", "f32le", "pipe:1"],
        input=plaintext,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return np.frombuffer(out.stdout, dtype="<f4")


def loudness(samples: np.ndarray, a: float, b: float) -> list[float]:
    """The RMS of every WINDOW between a and b (seconds of the copy)."""
    points = np.arange(a, b - WINDOW, WINDOW)
    return [
        float(np.sqrt(np.mean(samples[int(t * AUDIO_RATE) : int((t + WINDOW) * AUDIO_RATE)] ** 2)))
        for t in points
    ]


def spans(*pairs: tuple[float, float]) -> dict[str, Any]:
    """The body of PUT /clips/{id}/mute."""
    return {"spans": [{"start_s": a, "end_s": b} for a, b in pairs]}


def decoder_under(root: psutil.Process) -> psutil.Process | None:
    """The anonymising job's decoder (raw frames to a pipe), not the proxy's ffmpeg."""
    for p in root.children(recursive=True):
        try:
            if p.name() == "ffmpeg" and "rawvideo" in p.cmdline():
                return p
        except psutil.Error:  # it ended meanwhile
            continue
    return None


# The end-to-end tests: production's database and the real MinIO, a clip of the footage ----------


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> str:
    """Production's database and the real MinIO."""
    request.getfixturevalue("s3_env")
    return str(request.getfixturevalue("fresh_postgres"))


def clip_of(api: Api, server: str, footage: Path, world: dict[str, Any]) -> dict[str, Any]:
    """`footage` stored and verified in the world's trajectory, and a clip of it from START to END:
    the clip's id, its recording's and the sealed original's."""
    stored(api, server, world, [footage])
    with unit_of_work() as db:
        recording = db.exec(
            select(Recording).where(col(Recording.original_object_id).is_not(None))
        ).one()
    made = api.client.post(
        f"/api/v1/recordings/{recording.id}/clips",
        headers=world["headers"],
        json={"start_s": START, "end_s": END},
    )
    assert made.status_code == 201, made.text
    return {
        "clip_id": uuid.UUID(made.json()["id"]),
        "recording_id": recording.id,
        "original": recording.original_object_id,
    }


@pytest.fixture
def footage_clip(api: Api, server: str, footage: Path) -> dict[str, Any]:
    """The tone-and-face footage stored and verified, and a clip of it from START to END."""
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    return {**world, **clip_of(api, server, footage, world), "trainer": trainer}


def frames(video: bytes | Path, *, start: float = 0.0) -> np.ndarray:
    """Every frame as RGB at W x H, from plaintext bytes (stdin) or a test file."""
    source = "pipe:0" if isinstance(video, bytes) else str(video)
    cut = (
        ["-ss", f"{start:.3f}", "-t", f"{END - START:.3f}"] if start else []
    )  # a result: all its frames
    out = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            *cut[:2],
            "-i",
            source,
            *cut[2:],
            "-fps_mode",
            "passthrough",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "pipe:1",
        ],
        input=video if isinstance(video, bytes) else None,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return np.frombuffer(out.stdout, dtype=np.uint8).reshape(-1, H, W, 3)


def sharpness(region: np.ndarray) -> float:
    return float(cv2.Laplacian(cv2.cvtColor(region, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())
