"""The anonymising job of a fragment, as the media worker runs it: from the verified upload's sealed
original to a sealed copy linked from the clip, once (a redelivery keeps one), logged, and planned for
removal with the original it was made from."""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from tests.anonymise.conftest import APPEARS, FACE, H, W
from tests.support.api import Api
from tests.support.families import consent_body, family_with_recording
from tests.support.media import sources
from tests.support.tus import stored
from vault.anonymise.tasks import make_anonymised
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.purge import family_plan
from vault.recordings.models import Clip, Recording
from vault.settings import get_settings
from vault.store import ObjectKind, open_store


def test_the_job_makes_one_sealed_copy_per_fragment_purged_with_its_original(
    api: Api,
    server: str,
    tmp_path: Path,
    footage: Path,
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    _, rotated, _ = sources(tmp_path)
    stored(api, server, world, [footage, rotated])
    with unit_of_work() as db:
        recordings = db.exec(
            select(Recording).where(col(Recording.original_object_id).is_not(None))
        ).all()
        clips = [
            Clip(recording_id=r.id, start_s=0.5, end_s=2.5, created_by=trainer.id)
            for r in recordings
        ]
        db.add_all(clips)
        ids = [c.id for c in clips]
    assert len(ids) == 2
    assert make_anonymised(uuid.uuid4()) == "missing"
    for clip_id in ids:
        assert make_anonymised(clip_id) == "made"
        assert make_anonymised(clip_id) == "exists"  # a redelivered task makes no second copy
    found: list[list[dict[str, Any]]] = []
    with unit_of_work() as db:
        store = open_store(db, get_settings())
        for clip_id in ids:
            clip = db.get(Clip, clip_id)
            assert clip is not None
            assert clip.anonymised_object_id is not None
            assert store.get(clip.anonymised_object_id).kind == ObjectKind.anonymised
            out = subprocess.run(
                [
                    "ffprobe",
                    "-v",
                    "error",
                    "-select_streams",
                    "v:0",
                    "-show_entries",
                    "stream=width,height",
                    "-of",
                    "csv=p=0",
                    "-",
                ],
                input=b"".join(store.iter_plaintext(clip.anonymised_object_id)),
                capture_output=True,
                check=True,
            )
            width, height = map(int, out.stdout.decode().split(","))
            recording = db.get(Recording, clip.recording_id)
            assert recording is not None
            if '"rotation": 0' not in recording.probe:
                assert height > width  # upright, as the proxy
            faces = json.loads(clip.faces)  # what the job found, kept for the check page
            times = [f["t"] for f in faces]  # seconds of the recording, every fifth frame at 25 fps
            assert times == [round(0.5 + k * 0.2, 3) for k in range(len(times))]
            assert len(times) >= 10
            found.append(faces)
            logged = db.exec(
                select(AuditRecord).where(AuditRecord.object_id == str(clip.anonymised_object_id))
            ).all()
            assert [(r.action, r.object_type) for r in logged] == [("create", "anonymised")]
        # The face, normalised to the output frame: in the footage's clip from the moment it appears (a
        # detection may miss), never before it nor in the pattern without a face.
        assert sum(1 for faces in found if any(f["boxes"] for f in faces)) == 1
        for faces in found:
            for f in faces:
                assert all(0 <= v <= 1 for box in f["boxes"] for v in box)
                for x, y, w, h in f["boxes"]:
                    assert f["t"] >= APPEARS
                    left = (40 + 60 * f["t"]) / W  # the overlay's place (conftest)
                    assert left < x + w / 2 < left + FACE[1] / W
                    assert 80 / H < y + h / 2 < (80 + FACE[0]) / H
        # at least 4 of the 5 detections after 1.6 s
        assert max(sum(1 for f in faces if f["boxes"]) for faces in found) >= 4
        plan = family_plan(db, uuid.UUID(world["family"]["id"]), datetime.now(UTC).date())
        rules = {i.object_id: i.rule for i in plan.items}
        waits = {u.object_id: u.waiting_for for u in plan.undated}
        for clip_id in ids:
            clip = db.get_one(Clip, clip_id)
            recording = db.get_one(Recording, clip.recording_id)
            copy, original = clip.anonymised_object_id, recording.original_object_id
            assert copy is not None
            assert original is not None
            assert copy in rules or copy in waits  # planned, not forgotten
            assert rules.get(copy) == rules.get(original)
            assert waits.get(copy) == waits.get(original)


def test_a_copy_is_kept_for_its_fragments_purpose_teaching_only_with_teaching_consent(
    api: Api, server: str, footage: Path
) -> None:
    """ADR 0017 decision 4: the copy of a fragment tagged for teaching is kept for teaching, not with
    its original: gone at once without a teaching consent, kept until that consent ends with one."""
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    stored(api, server, world, [footage])
    with unit_of_work() as db:
        recording = db.exec(
            select(Recording).where(col(Recording.original_object_id).is_not(None))
        ).one()
        clip = Clip(
            recording_id=recording.id,
            start_s=0.5,
            end_s=2.5,
            purpose="teaching",
            created_by=trainer.id,
        )
        db.add(clip)
        clip_id, original = clip.id, recording.original_object_id
    assert make_anonymised(clip_id) == "made"
    family, today = uuid.UUID(world["family"]["id"]), datetime.now(UTC).date()

    def planned() -> tuple[dict[uuid.UUID, object], dict[uuid.UUID, object]]:
        with unit_of_work() as db:
            plan = family_plan(db, family, today)
            copy = db.get_one(Clip, clip_id).anonymised_object_id
            assert copy is not None
            items = {i.object_id: (i.rule, i.due) for i in plan.items}
            return items.get(copy), items.get(original)  # type: ignore[return-value]  # an item or None

    copy_plan, original_plan = planned()
    assert copy_plan == ("consent_expired", today)  # no teaching consent: it goes now
    assert original_plan is None  # the trajectory runs: the original stays

    until = datetime.now(UTC) + timedelta(days=2 * 365)
    teaching = {**consent_body(world, "teaching"), "valid_until": until.isoformat()}
    given = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=world["headers"],
        json=teaching,
    )
    assert given.status_code == 201, given.text
    copy_plan, _ = planned()
    assert copy_plan is not None
    assert copy_plan[0] == "consent_expired"
    assert copy_plan[1] >= until.date()  # kept until the teaching consent ends (its last day)
