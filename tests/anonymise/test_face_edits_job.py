"""The anonymising job applies the trainer's boxes (ADR 0017, decision 8), end to end on production's
database and the real MinIO: generated footage with two faces (the astronaut photo, once mirrored) on a
test pattern; an `add` box over a patch of pattern with no face in it is blurred over its span and only
there, and a `keep` box over the left face leaves that face as it was (the detector finds it again in
the copy) while the right face, outside it, is blurred."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import psutil
import pytest
from skimage import data
from sqlmodel import select

from tests.anonymise.conftest import (
    CROP,
    END,
    FACE,
    RATE,
    START,
    H,
    W,
    clip_of,
    decoder_under,
    frames,
    sharpness,
)
from tests.support.api import Api
from tests.support.families import family_with_recording
from vault.anonymise.detect import detect
from vault.anonymise.tasks import make_anonymised
from vault.db import unit_of_work
from vault.recordings.models import Clip
from vault.settings import get_settings
from vault.store import ObjectKind, StoredObject, open_store

LEFT_X, RIGHT_X, TOP = 40, 420, 80  # the two faces' top left corners, all the time
ADD = [0.4, 0.1, 0.12, 0.25]  # pattern between the faces (x 256-333, y 36-126)
ADD_SPAN = (1.0, 2.0)  # seconds of the recording
PATCH = (slice(36, 126), slice(256, 333))  # the pixels of ADD
KEEP = [0.0, 0.1, 0.4, 0.85]  # around the left face


@pytest.fixture
def two_faces(tmp_path: Path) -> Path:
    face = tmp_path / "face.png"
    photo: np.ndarray = data.astronaut()  # type: ignore[no-untyped-call]  # scikit-image's data module is unannotated
    cv2.imwrite(str(face), cv2.cvtColor(np.ascontiguousarray(photo[CROP]), cv2.COLOR_RGB2BGR))
    video = tmp_path / "twee.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=s={W}x{H}:r={RATE}:d=4"]
        + ["-loop", "1", "-i", str(face), "-filter_complex"]
        + [
            f"[1:v]split[a][b];[b]hflip[m];[0:v][a]overlay=x={LEFT_X}:y={TOP}:shortest=1[l];"
            f"[l][m]overlay=x={RIGHT_X}:y={TOP}:shortest=1,format=yuv420p[v]"
        ]
        + ["-map", "[v]", "-c:v", "libx264", "-crf", "18", "-t", "4", str(video)],
        check=True,
        timeout=120,
    )
    return video


def _copy(clip_id: uuid.UUID) -> tuple[bytes, list[dict[str, Any]]]:
    """The clip's anonymised copy (plaintext, in memory) and the faces the job found in it."""
    with unit_of_work() as db:
        clip = db.get_one(Clip, clip_id)
        assert clip.anonymised_object_id is not None
        store = open_store(db, get_settings())
        return b"".join(store.iter_plaintext(clip.anonymised_object_id)), json.loads(clip.faces)


def _centred_in(box: Any, x0: int) -> bool:
    cx, cy = box.centre()
    return bool(x0 < cx < x0 + FACE[1] and TOP < cy < TOP + FACE[0])


def test_add_blurs_where_nothing_was_found_and_keep_leaves_one_face_of_two(
    api: Api, server: str, two_faces: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    clip_id = clip_of(api, server, two_faces, world)["clip_id"]
    edits = [
        {"kind": "add", "start_s": ADD_SPAN[0], "end_s": ADD_SPAN[1], "box": ADD},
        {"kind": "keep", "start_s": START, "end_s": END, "box": KEEP},
    ]
    url = f"/api/v1/clips/{clip_id}/faces"
    saved = api.client.put(url, headers=world["headers"], json={"edits": edits})
    assert saved.status_code == 200, saved.text

    assert make_anonymised(clip_id) == "made"

    plaintext, found = _copy(clip_id)
    # Both faces were found (the keep box changes what is blurred, not what is found) and nothing in
    # the add box's patch.
    ax0, ay0, ax1, ay1 = ADD[0], ADD[1], ADD[0] + ADD[2], ADD[1] + ADD[3]
    assert all(len(f["boxes"]) == 2 for f in found), found
    for f in found:
        for x, y, w, hh in f["boxes"]:
            assert not (ax0 < x + w / 2 < ax1 and ay0 < y + hh / 2 < ay1)

    original, result = frames(two_faces, start=START), frames(plaintext)
    assert abs(len(result) - len(original)) <= 1
    right = (slice(TOP + 40, TOP + FACE[0] - 30), slice(RIGHT_X + 40, RIGHT_X + FACE[1] - 40))
    inside = outside = 0
    for i in range(min(len(original), len(result))):
        t = START + i / RATE
        # (a) The add box: blurred over its span, as it was (up to the re-encode) elsewhere.
        if ADD_SPAN[0] <= t < ADD_SPAN[1]:
            assert sharpness(original[i][PATCH]) > 20 * sharpness(result[i][PATCH]), i
            inside += 1
        elif t < ADD_SPAN[0] - 2 / RATE or t > ADD_SPAN[1] + 2 / RATE:
            assert sharpness(result[i][PATCH]) > 0.8 * sharpness(original[i][PATCH]), i
            assert np.abs(result[i][PATCH].astype(int) - original[i][PATCH].astype(int)).mean() < 8
            outside += 1
        # (b) The keep box: the left face stays and is found again; the right one is blurred.
        assert sharpness(original[i][right]) > 20 * sharpness(result[i][right]), i
        if i % 5 == 0:
            again = detect(result[i])
            assert any(_centred_in(b, LEFT_X) for b in again), i
            assert not any(_centred_in(b, RIGHT_X) for b in again), i
    assert inside >= 20
    assert outside >= 30


def test_boxes_changed_while_the_job_runs_are_in_the_copy_it_keeps(
    api: Api, server: str, two_faces: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    clip_id = clip_of(api, server, two_faces, world)["clip_id"]
    outcome: list[str] = []
    job = threading.Thread(target=lambda: outcome.append(make_anonymised(clip_id)))
    job.start()
    me, deadline = psutil.Process(), time.monotonic() + 60
    while decoder_under(me) is None:  # the job is decoding: the boxes it read are none
        assert time.monotonic() < deadline, "the job never started decoding"
        time.sleep(0.02)
    add = {"kind": "add", "start_s": ADD_SPAN[0], "end_s": ADD_SPAN[1], "box": ADD}
    changed = api.client.put(
        f"/api/v1/clips/{clip_id}/faces", headers=world["headers"], json={"edits": [add]}
    )
    assert changed.status_code == 200, changed.text
    job.join(timeout=300)
    assert outcome == ["made"]
    plaintext, _ = _copy(clip_id)
    original, result = frames(two_faces, start=START), frames(plaintext)
    i = round((1.5 - START) * RATE)  # inside the add box's span
    assert sharpness(original[i][PATCH]) > 20 * sharpness(result[i][PATCH])  # made with the box
    with unit_of_work() as db:
        copies = db.exec(
            select(StoredObject).where(StoredObject.kind == ObjectKind.anonymised)
        ).all()
    assert len(copies) == 1  # the copy made without it was not kept
