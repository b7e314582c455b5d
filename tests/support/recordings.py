"""A wrongly imported recording, as a trainer's card gives one: stored, verified, proxied, with a clip,
an annotation and a supervisor's note."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from tests.factories import SupervisionLinkFactory, bound
from tests.support.api import Api
from tests.support.families import family_with_recording
from tests.support.tus import tus_upload, upload_id
from vault.consents.models import SupervisionNote
from vault.db import unit_of_work
from vault.ingest.models import Upload
from vault.ingest.tasks import verify_upload
from vault.media.tasks import make_proxy
from vault.recordings.models import Recording


def imported(api: Api, server: str, card: Path) -> dict[str, Any]:
    """A family with a trajectory (active), a real card file stored, verified and proxied, a clip of
    it and a supervisor's note on that clip."""
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    uid = upload_id(tus_upload(server, world["headers"], card, world["trajectory"]["id"]))
    assert verify_upload(uid) == "stored"
    with unit_of_work() as db:
        upload = db.get(Upload, uid)
        assert upload is not None
        recording_id = upload.recording_id
    assert recording_id is not None
    assert make_proxy(recording_id) == "made"
    h = world["headers"]
    clip = api.client.post(
        f"/api/v1/recordings/{recording_id}/clips",
        headers=h,
        json={"start_s": 1, "end_s": 2, "title": "Aansluiten"},
    )
    assert clip.status_code == 201, clip.text
    annotation = api.client.post(
        f"/api/v1/recordings/{recording_id}/annotations",
        headers=h,
        json={"frame_in": 3, "code": "initiatief", "note": "Kijkt op."},
    )
    assert annotation.status_code == 201, annotation.text
    opleider = api.account("opleider")
    with unit_of_work() as db, bound(db):
        SupervisionLinkFactory(trainee_id=trainer.id, opleider_id=opleider.id)
        db.add(
            SupervisionNote(
                clip_id=uuid.UUID(clip.json()["id"]),
                author_id=opleider.id,
                at_s=0.5,
                text="Mooi aangesloten.",
            )
        )
    with unit_of_work() as db:
        recording = db.get(Recording, recording_id)
        assert recording is not None
        objects = [recording.original_object_id, recording.proxy_object_id]
    return {
        **world,
        "trainer": trainer,
        "opleider": opleider,
        "upload": uid,
        "recording_id": recording_id,
        "objects": objects,
        "own_clip": clip.json()["id"],
    }
