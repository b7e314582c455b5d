"""A family with a recording and a clip, as the annotation tests need it."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.support.api import Account, Api
from tests.support.families import family_with_recording
from vault.db import unit_of_work
from vault.recordings.models import Recording

NTSC = 30000 / 1001  # what the probe stores for a 29.97 fps camera file


def world(api: Api, *, rate: float = NTSC, trainer: Account | None = None) -> dict[str, Any]:
    """A family with an active trajectory, a 240 s recording as the verify task leaves it (its probe
    with the frame rate) and a clip of 10–40 s; of a new trainer, or of `trainer`."""
    trainer = trainer or api.account("trainer")
    w = family_with_recording(api, trainer)
    with unit_of_work() as db:
        recording = db.get(Recording, uuid.UUID(w["recording"]["id"]))
        assert recording is not None
        recording.probe = json.dumps({"frame_rate": rate, "duration_s": 240.0})
        db.add(recording)
    return {
        **w,
        "trainer": trainer,
        "url": f"/api/v1/recordings/{w['recording']['id']}/annotations",
    }
