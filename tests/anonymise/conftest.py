"""The anonymising tests' footage: scikit-image's astronaut photo (shipped inside the package; nothing
downloaded) moving over a test pattern, and where its face is in each output frame."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data
from sqlmodel import Session, SQLModel

import vault.tables  # noqa: F401 - every table
from keys import Keyring, LocalMasterKey
from tests.support.store import make_s3
from vault.db import engine_for
from vault.keyring import SqlKeys
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
