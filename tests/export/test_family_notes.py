"""What the trainer wrote for the family goes into the parents' package (issue #23, ADR 0011 decision 12):
only the annotations she marked, with their moment, the code's Dutch name and the note, escaped; nothing
of the others, of their authors or of the supervisors' threads."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlmodel import col, select

from tests.support.api import Api
from tests.support.export import principal
from tests.support.families import family_with_recording
from tests.support.media import make_video
from tests.support.tus import stored
from vault.db import unit_of_work
from vault.export.package import export_to_folder
from vault.recordings.models import Recording
from vault.settings import get_settings


def test_only_the_notes_marked_for_the_family_are_in_the_package(
    api: Api, server: str, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    stored(api, server, world, [make_video(tmp_path / "bad.mp4", 4)])
    with unit_of_work() as db:
        recording = db.exec(
            select(Recording).where(col(Recording.original_object_id).is_not(None))
        ).one()
    url, h = f"/api/v1/recordings/{recording.id}/annotations", world["headers"]
    for body in (
        {
            "frame_in": 25,
            "code": "initiatief",
            "note": "Sam kijkt u aan <script>x()</script>",
            "for_family": True,
        },
        {
            "frame_in": 75,
            "frame_out": 80,
            "code": "ontvangen",
            "note": "U benoemt wat hij doet.",
            "for_family": True,
        },
        {"frame_in": 50, "code": "kans", "note": "Alleen voor de supervisie"},
    ):
        made = api.client.post(url, headers=h, json=body)
        assert made.status_code == 201, made.text
        assert made.json()["for_family"] is body.get("for_family", False)

    stick = tmp_path / "USB"
    stick.mkdir()
    result = export_to_folder(
        get_settings(), principal(trainer.id), uuid.UUID(world["trajectory"]["id"]), stick
    )
    folder = Path(str(result["folder"]))
    page = (folder / "index.html").read_text()
    assert "Wat uw trainer u bij deze opname meegeeft" in page
    assert (
        "<strong>0:01</strong> · Initiatief: Sam kijkt u aan &lt;script&gt;x()&lt;/script&gt;"
        in page
    )
    assert "<strong>0:03</strong> · Ontvangen: U benoemt wat hij doet." in page
    assert page.index("0:01</strong>") < page.index("0:03</strong>")  # in time order
    assert "Alleen voor de supervisie" not in page
    assert "<script>" not in page
    assert str(trainer.id) not in page
    sums = (folder / "SHA256SUMS").read_text()
    assert "index.html" in sums  # the page with the notes is covered by the checksums


def test_only_its_trainer_marks_an_annotation_for_the_family(api: Api) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    with unit_of_work() as db:
        recording = db.get_one(Recording, uuid.UUID(world["recording"]["id"]))
        recording.probe = '{"frame_rate": 25, "duration_s": 60}'
        db.add(recording)
    url = f"/api/v1/recordings/{world['recording']['id']}/annotations"
    made = api.client.post(url, headers=world["headers"], json={"frame_in": 1, "code": "kans"})
    assert made.json()["for_family"] is False  # not unless she says so
    other = api.client.put(
        f"{url}/{made.json()['id']}",
        headers=api.as_(api.account("trainer")),
        json={"frame_in": 1, "code": "kans", "for_family": True},
    )
    assert other.status_code == 403
    marked = api.client.put(
        f"{url}/{made.json()['id']}",
        headers=world["headers"],
        json={"frame_in": 1, "code": "kans", "for_family": True},
    )
    assert marked.json()["for_family"] is True
