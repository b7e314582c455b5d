"""An export fails closed and says which recording: a damaged original (a chunk in the middle fails
authentication) never becomes a "ready" package with cut-short footage, a conversion that comes out
shorter than its source fails the package, the reason is stored as a code and shown in Dutch naming the
recording; or, at the trainer's choice, the recording is left out with a visible note."""

from __future__ import annotations

import io
import json
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pyzipper
from sqlmodel import select

from keys import HEADER_SIZE
from tests.support.api import PASSWORD, Account, Api
from tests.support.export import SEALED_CHUNK, recording_from_file
from tests.support.families import family_with_recording
from tests.support.media import make_video
from tests.support.tus import stored
from vault.db import unit_of_work
from vault.export import Export
from vault.export.tasks import build_export
from vault.ingest.models import Upload
from vault.recordings.models import Recording
from vault.settings import get_settings
from vault.store import open_store


def recording_of(filename: str) -> uuid.UUID:
    with unit_of_work() as db:
        for upload in db.exec(select(Upload)):
            if json.loads(upload.meta).get("filename") == filename and upload.recording_id:
                return upload.recording_id
    raise AssertionError(filename)


def original_of(filename: str, world: dict[str, Any]) -> uuid.UUID:
    with unit_of_work() as db:
        for upload in db.exec(select(Upload)):
            if json.loads(upload.meta).get("filename") == filename and upload.recording_id:
                recording = db.get(Recording, upload.recording_id)
                assert recording is not None
                assert str(recording.trajectory_id) == world["trajectory"]["id"]
                assert recording.original_object_id is not None
                return recording.original_object_id
    raise AssertionError(filename)


def damage_middle(object_id: uuid.UUID) -> None:
    with unit_of_work() as db:
        store = open_store(db, get_settings())
        name = store.get(object_id).name
        data = b"".join(store.backend.iter_bytes(name))
        chunks = (len(data) - HEADER_SIZE) // SEALED_CHUNK
        assert chunks >= 4
        at = HEADER_SIZE + (chunks // 2) * SEALED_CHUNK + 1000
        store.backend.put(name, [data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]])


def export(api: Api, world: dict[str, Any], **body: Any) -> dict[str, Any]:
    created = api.client.post(
        f"/api/v1/trajectories/{world['trajectory']['id']}/exports",
        headers=world["headers"],
        json={"encrypted": False, **body},
    )
    assert created.status_code == 202, created.text
    build_export(uuid.UUID(created.json()["id"]))  # as the worker would
    view = api.client.get(f"/api/v1/exports/{created.json()['id']}", headers=world["headers"])
    return view.json()  # type: ignore[no-any-return]


def signed_in_page(api: Api, trainer: Account, path: str) -> str:
    """The trainer's page in the web app, signed in with a cookie as a browser would be."""
    response = api.client.post(
        "/aanmelden",
        data={"email": trainer.email, "password": PASSWORD, "totp": api.code(trainer, 1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = api.client.get(path)
    assert page.status_code == 200
    return page.text


def test_a_damaged_original_fails_the_package_naming_the_file(
    api: Api, server: str, tmp_path: Path
) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    stored(
        api,
        server,
        world,
        [make_video(tmp_path / "MVI_0041.MP4", 3), make_video(tmp_path / "MVI_0042.MP4", 20)],
    )
    damage_middle(original_of("MVI_0042.MP4", world))
    view = export(api, world)
    assert view["status"] == "failed", view  # never "ready" with 8 s of a 20 s recording
    assert view["error"] == "recording_unreadable"
    assert "MVI_0042.MP4" in view["message"]
    assert "kan niet worden gelezen" in view["message"]
    assert "MVI_0042.MP4" in view["message_en"]
    with unit_of_work() as db:
        assert db.get(Export, uuid.UUID(view["id"])).object_id is None  # type: ignore[union-attr]
    page = signed_in_page(api, trainer, f"/trajecten/{world['trajectory']['id']}/pakket")
    assert "MVI_0042.MP4" in page
    assert "kan niet worden gelezen" in page
    assert "could not be converted" not in page

    # The page names the recordings to choose from, and offers to build again without the failing one.
    assert page.count('name="opname"') >= 2
    assert "MVI_0041.MP4" in page
    again = page[page.index('<form method="post"', page.index("kan niet worden gelezen")) :]
    again = again[: again.index("</form>")]
    assert "Opnieuw maken zonder deze opname" in again
    fields = re.findall(r'name="(\w+)" value="([^"]*)"', again)
    posted = api.client.post(
        f"/trajecten/{world['trajectory']['id']}/pakket",
        data={k: [v for n, v in fields if n == k] for k, _ in fields},
    )
    assert posted.status_code == 200, posted.text
    views = api.client.get(
        f"/api/v1/trajectories/{world['trajectory']['id']}/exports", headers=world["headers"]
    ).json()
    rebuilt = views[0]
    assert rebuilt["id"] != view["id"]
    assert rebuilt["recording_ids"] == [str(r) for r in [recording_of("MVI_0041.MP4")]]
    assert build_export(uuid.UUID(rebuilt["id"])) == "ready"


def test_the_trainer_may_leave_a_failing_recording_out_with_a_note(
    api: Api, server: str, tmp_path: Path
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    stored(
        api,
        server,
        world,
        [make_video(tmp_path / "MVI_0001.MP4", 3), make_video(tmp_path / "MVI_0002.MP4", 20)],
    )
    damage_middle(original_of("MVI_0002.MP4", world))
    view = export(api, world, skip_failed=True)
    assert view["status"] == "ready", view
    assert len(view["left_out"]) == 1
    assert "MVI_0002.MP4" in view["left_out"][0]["message"]
    zipped = api.client.get(f"/api/v1/exports/{view['id']}/download", headers=world["headers"])
    with pyzipper.ZipFile(io.BytesIO(zipped.content)) as z:
        names = z.namelist()
        top = names[0].split("/")[0]
        assert len([n for n in names if "/Opnames/" in n]) == 1
        for text in ("LEESMIJ.txt", "index.html"):
            body = z.read(f"{top}/{text}").decode()
            assert "MVI_0002.MP4" in body, text
            assert "niet meegegeven" in body, text


def test_a_conversion_shorter_than_its_source_fails_the_package(api: Api, tmp_path: Path) -> None:
    world = family_with_recording(api, api.account("trainer"))
    whole = make_video(tmp_path / "whole.mp4", 20, extra=["-movflags", "+faststart"])
    cut = tmp_path / "cut.mp4"  # moov (with 20 s) first, then half of mdat: cut off mid-mdat
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert subprocess.run(["ffprobe", "-v", "error", str(cut)], check=False).returncode == 0
    recording_from_file(world, cut)
    view = export(api, world)
    assert view["status"] == "failed", view
    assert view["error"] in ("recording_short", "recording_unusable")
    assert "21-11-2026" in view["message"]  # no card file name known: its date and situation
    assert "in bad" in view["message"]
