"""The anonymising engine on generated footage with a real face in it (scikit-image's astronaut photo,
shipped inside the package; nothing downloaded), moving over a test pattern, stored encrypted in MinIO:
the face is found, blurred in the derived object, frames without a face are left as they were, the
result plays, and nothing is left in scratch."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import numpy as np

from tests.anonymise.conftest import END, RATE, START, W, face_at, frames, sharpness
from vault.anonymise.detect import Box, detect
from vault.anonymise.engine import anonymised_copy
from vault.media import scratch
from vault.store import ObjectKind, ObjectStore


def test_faces_are_found_and_blurred_in_an_encrypted_derived_fragment(
    footage: Path, store: ObjectStore
) -> None:
    family = uuid.uuid4()
    with footage.open("rb") as recording:
        source = store.put(family_id=family, kind=ObjectKind.original, source=recording)
    mine = scratch.scratch_dir()  # this process's own folder (others' come and go meanwhile)
    before = set(mine.iterdir())

    object_id, report = anonymised_copy(store, source.id, START, END)

    assert set(mine.iterdir()) == before  # the job wrote nothing to scratch
    derived = store.get(object_id)
    assert derived.kind == ObjectKind.anonymised
    assert derived.family_id == family
    assert b"ftyp" not in store.backend.get_range(
        derived.name, 0, 4096
    )  # sealed, not an MP4 at rest
    plaintext = b"".join(store.iter_plaintext(object_id))
    info = json.loads(
        subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_streams",
                "-show_format",
                "-",
            ],
            input=plaintext,
            capture_output=True,
            check=True,
        ).stdout
    )
    assert {s["codec_type"]: s["codec_name"] for s in info["streams"]} == {
        "video": "h264",
        "audio": "aac",
    }
    assert report.frames == round((END - START) * RATE)

    # The detector finds the face in (nearly) every detection frame that shows it.
    shown = {i: boxes for i, boxes in report.detections.items() if face_at(i) is not None}
    hits = [i for i, boxes in shown.items() if any(_overlaps(b, face_at(i)) for b in boxes)]  # type: ignore[arg-type]  # face_at(i) is not None for every i in `shown`
    assert len(shown) >= 10
    assert len(hits) >= 0.9 * len(shown), (len(hits), len(shown))
    assert not any(
        boxes for i, boxes in report.detections.items() if face_at(i) is None
    )  # no false faces

    original, result = frames(footage, start=START), frames(plaintext)
    assert len(result) == report.frames
    assert abs(len(result) - len(original)) <= 1
    for i in range(min(len(original), len(result))):
        rect = face_at(i)
        if (
            rect is None
        ):  # frames without a face: as they were (up to the re-encode), nothing blurred
            assert np.abs(result[i].astype(int) - original[i].astype(int)).mean() < 8.0, i
            assert sharpness(result[i]) > 0.8 * sharpness(original[i]), i
            continue
        x0, y0, x1, y1 = rect
        if x1 > W:
            continue
        inner = (
            slice(y0 + 40, y1 - 30),
            slice(x0 + 40, x1 - 40),
        )  # the face itself, inside the overlay
        assert sharpness(original[i][inner]) > 20 * sharpness(result[i][inner]), i
        assert detect(result[i]) == [], i  # and nothing the detector still takes for a face


def _overlaps(box: Box, rect: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = rect
    return bool(box.x0 < x1 and box.x1 > x0 and box.y0 < y1 and box.y1 > y0)
