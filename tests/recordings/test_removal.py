"""A trainer takes out a wrongly imported recording: the footage is really gone (every stored version,
its key shredded), its clips and notes with it, the log says who and why; nobody else may, and nothing
goes while a legal hold or a package needs it. Also the thumbnail, made on request from the encrypted
footage, never stored. On the embedded default and on the full stack (PostgreSQL and MinIO)."""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlmodel import select

from keys import KeyDestroyed
from tests.support.api import Api
from tests.support.families import family_with_recording
from tests.support.media import make_video
from tests.support.recordings import imported
from tests.support.tus import tus_upload, upload_id
from vault.annotations.models import Annotation
from vault.audit import AuditRecord
from vault.consents.models import SupervisionNote
from vault.db import unit_of_work
from vault.export.models import Export
from vault.ingest.models import Upload
from vault.ingest.tasks import verify_upload
from vault.purge import LegalHoldRow, Tombstone, family_plan
from vault.recordings.models import Clip, Recording
from vault.settings import get_settings
from vault.store import BlobNotFound, StoredObject, backend_from_settings, open_store


@pytest.fixture(params=["embedded", "full"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """`embedded`: SQLite and the local store; `full`: PostgreSQL and the real MinIO."""
    if request.param == "embedded":
        return f"sqlite:///{tmp_path / 'removal.db'}"
    request.getfixturevalue("s3_env")
    broker = request.getfixturevalue("redis_db")(2)
    redis.Redis.from_url(broker).flushdb()
    monkeypatch.setenv("BEELDKLUIS_BROKER_URL", broker)
    return str(request.getfixturevalue("fresh_postgres"))


@pytest.fixture(scope="module")
def card_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_video(
        tmp_path_factory.mktemp("removal") / "MVI_0042.MP4",
        seconds=4,
        extra=["-metadata", "creation_time=2026-11-19T09:30:00Z"],
    )


def remove(
    api: Api, headers: dict[str, str], recording_id: object, reason: object = "wrong_family"
) -> Any:
    return api.client.post(
        f"/api/v1/recordings/{recording_id}/removal", headers=headers, json={"reason": reason}
    )


def test_the_trainer_removes_a_wrongly_imported_recording(
    api: Api,
    server: str,  # noqa: F811
    card_file: Path,
) -> None:
    world = imported(api, server, card_file)
    h, recording_id = world["headers"], world["recording_id"]
    with unit_of_work() as db:
        names = [db.get(StoredObject, o).name for o in world["objects"]]  # type: ignore[union-attr]
    backend = backend_from_settings(get_settings())
    assert all(b"".join(backend.iter_bytes(n)) for n in names)

    # Bad input names the field, in Dutch; nothing is removed.
    for bad in ("", "omdat het zo is", None):
        refused = remove(api, h, recording_id, bad)
        assert refused.status_code == 422, refused.text
        assert "veld 'reason'" in refused.json()["detail"]
    assert api.client.get(f"/api/v1/recordings/{recording_id}", headers=h).status_code == 200

    removed = remove(api, h, recording_id)
    assert removed.status_code == 200, removed.text
    assert removed.json()["objects_deleted"] == 2
    assert removed.json()["clips_removed"] == 1  # the world's own clip is on another recording

    # The footage: every stored version gone from the real store, keys shredded, tombstones left.
    for name in names:
        with pytest.raises(BlobNotFound):
            b"".join(backend.iter_bytes(name))
        assert not backend.versions(name)
    with unit_of_work() as db:
        store = open_store(db, get_settings())
        for object_id in world["objects"]:
            assert db.get(StoredObject, object_id) is None
            with pytest.raises(KeyDestroyed):
                store.keyring.object_key(object_id)
            tomb = db.get(Tombstone, object_id)
            assert tomb is not None
            assert tomb.rule == "removed_by_trainer:wrong_family"
        assert db.get(Recording, recording_id) is None
        assert db.exec(select(Clip).where(Clip.recording_id == recording_id)).all() == []
        assert db.exec(select(SupervisionNote)).all() == []
        assert db.exec(select(Annotation)).all() == []  # the trainer's annotations go too
        upload = db.get(Upload, world["upload"])
        assert upload is not None
        assert upload.status == "rejected"  # the import never calls this file safely kept again
        assert "verkeerd gezin" in upload.reason
        # Retention no longer plans for it; the audit log says who removed what, and why.
        plan = family_plan(db, uuid.UUID(world["family"]["id"]), datetime.now(UTC).date())
        planned = {i.object_id for i in plan.items} | {u.object_id for u in plan.undated}
        assert not planned & set(world["objects"])
        rows = db.exec(select(AuditRecord).where(AuditRecord.object_id == str(recording_id))).all()
    deleted = [r for r in rows if r.action == "delete"]
    assert len(deleted) == 1
    assert (deleted[0].outcome, deleted[0].reason, deleted[0].user_id) == (
        "success",
        "wrong_family",
        world["trainer"].id,
    )
    assert json.loads(deleted[0].detail)["notes_removed"] == "1"
    assert any(r.object_type == "recording_removal" and r.outcome == "allowed" for r in rows)

    # Not listed, not shown, not streamed, not exported, not thumbnailed, not removed twice.
    trajectory = world["trajectory"]["id"]
    listed = api.client.get(f"/api/v1/trajectories/{trajectory}/recordings", headers=h).json()
    assert str(recording_id) not in {r["id"] for r in listed["items"]}
    for method, path in (
        ("GET", f"/api/v1/recordings/{recording_id}"),
        ("POST", f"/api/v1/recordings/{recording_id}/stream"),
        ("GET", f"/api/v1/recordings/{recording_id}/thumbnail.jpg"),
        ("POST", f"/api/v1/recordings/{recording_id}/removal"),
    ):
        assert (
            api.client.request(method, path, headers=h, json={"reason": "duplicate"}).status_code
            == 404
        ), path
    export = api.client.post(
        f"/api/v1/trajectories/{trajectory}/exports",
        headers=h,
        json={"recording_ids": [str(recording_id)], "encrypted": False},
    )
    assert export.status_code == 409


def test_nobody_else_may_remove_it(api: Api, server: str, card_file: Path) -> None:  # noqa: F811
    world = imported(api, server, card_file)
    recording_id = world["recording_id"]
    other_org = api.organisation("Andere GGD")
    for account, status in (
        (world["opleider"], 403),
        (api.account("privacy_officer"), 403),
        (api.account("administrator"), 403),
        (api.account("trainer"), 403),
        (api.account("trainer", other_org), 403),
    ):
        refused = remove(api, api.as_(account), recording_id)
        assert refused.status_code == status, (account.role, refused.text)
        assert refused.json()["code"] == "access_denied"
    assert remove(api, world["headers"], uuid.uuid4()).status_code == 404
    with unit_of_work() as db:
        assert db.get(Recording, recording_id) is not None
        assert all(db.get(StoredObject, o) is not None for o in world["objects"])
        denied = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_type == "recording_removal", AuditRecord.outcome == "denied"
            )
        ).all()
    assert len(denied) == 6  # the five, and the unknown recording


def test_a_hold_or_a_package_keeps_it(api: Api, server: str, card_file: Path) -> None:  # noqa: F811
    world = imported(api, server, card_file)
    h, recording_id = world["headers"], world["recording_id"]
    family_id = uuid.UUID(world["family"]["id"])
    with unit_of_work() as db:
        hold = LegalHoldRow(
            family_id=family_id,
            reason="Klacht in behandeling",
            placed_on=datetime.now(UTC).date(),
            object_ids=json.dumps([str(world["objects"][0])]),
        )
        db.add(hold)
        db.flush()
        hold_id = hold.id
    refused = remove(api, h, recording_id)
    assert refused.status_code == 409
    assert "bewaarplicht" in refused.json()["detail"]
    with unit_of_work() as db:
        released = db.get(LegalHoldRow, hold_id)
        assert released is not None
        released.released_on = datetime.now(UTC).date()
        db.add(released)
        db.add(
            Export(
                trajectory_id=uuid.UUID(world["trajectory"]["id"]),
                family_id=family_id,
                created_by=world["trainer"].id,
                status="building",
            )
        )
    refused = remove(api, h, recording_id)
    assert refused.status_code == 409
    assert "pakket voor het gezin dat nu wordt gemaakt" in refused.json()["detail"]
    with unit_of_work() as db:
        assert db.get(Recording, recording_id) is not None
        assert all(db.get(StoredObject, o) is not None for o in world["objects"])
        export = db.exec(select(Export)).one()
        export.status = "ready"  # built: the package holds the footage until it is removed
        db.add(export)
    refused = remove(api, h, recording_id)
    assert refused.status_code == 409
    assert "klaarstaand pakket" in refused.json()["detail"]
    with unit_of_work() as db:
        export = db.exec(select(Export)).one()
        export.status = "removed"
        db.add(export)
    assert remove(api, h, recording_id).status_code == 200


def test_thumbnail_from_the_encrypted_footage(api: Api, server: str, card_file: Path) -> None:  # noqa: F811
    world = imported(api, server, card_file)
    h, recording_id = world["headers"], world["recording_id"]
    got = api.client.get(f"/api/v1/recordings/{recording_id}/thumbnail.jpg", headers=h)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["cache-control"] == "private, no-store"
    size = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "json", "-"],
        input=got.content,
        capture_output=True,
        check=True,
    )
    stream = json.loads(size.stdout)["streams"][0]
    assert (stream["width"], stream["height"]) == (320, 240)
    other = api.client.get(
        f"/api/v1/recordings/{recording_id}/thumbnail.jpg", headers=api.as_(api.account("trainer"))
    )
    assert other.status_code == 403
    with unit_of_work() as db:
        decisions = db.exec(select(AuditRecord).where(AuditRecord.object_type == "thumbnail")).all()
    assert [(r.action, r.outcome) for r in decisions] == [("view", "allowed"), ("view", "denied")]
    # The card's file name and the camera's time; a recording registered by hand keeps its own time.
    shown = api.client.get(f"/api/v1/recordings/{recording_id}", headers=h).json()
    assert shown["file_name"] == "MVI_0042.MP4"
    assert shown["filmed_at"].startswith("2026-11-19T09:30")
    by_hand = api.client.get(f"/api/v1/recordings/{world['recording']['id']}", headers=h).json()
    assert (by_hand["file_name"], by_hand["filmed_at"][:10]) == (None, "2026-11-20")


def test_no_capture_time_is_no_date(api: Api, server: str, tmp_path: Path) -> None:  # noqa: F811
    """A card file without the camera's time is not dated by its upload."""
    world = family_with_recording(api, api.account("trainer"))
    bare = make_video(
        tmp_path / "CLIP0001.MOV", seconds=2, extra=["-map_metadata", "-1", "-fflags", "+bitexact"]
    )
    uid = upload_id(tus_upload(server, world["headers"], bare, world["trajectory"]["id"]))
    assert verify_upload(uid) == "stored"
    listed = api.client.get(
        f"/api/v1/trajectories/{world['trajectory']['id']}/recordings", headers=world["headers"]
    ).json()["items"]
    card = next(r for r in listed if r["file_name"] == "CLIP0001.MOV")
    assert card["filmed_at"] is None


def test_a_damaged_source_gives_no_thumbnail_and_no_500(
    api: Api,
    server: str,  # noqa: F811
    card_file: Path,
) -> None:
    world = imported(api, server, card_file)
    with unit_of_work() as db:
        proxy = db.get(StoredObject, world["objects"][1])
        assert proxy is not None
        name = proxy.name
    backend = backend_from_settings(get_settings())
    data = bytearray(b"".join(backend.iter_bytes(name)))
    data[len(data) // 2] ^= 0x01  # one bit in the middle of the sealed bytes
    backend.put(name, [bytes(data)])
    got = api.client.get(
        f"/api/v1/recordings/{world['recording_id']}/thumbnail.jpg", headers=world["headers"]
    )
    assert got.status_code == 422, got.text
    assert (
        got.json()["code"] == "source_unreadable"
    )  # the stored chunk failed authentication: said so, in Dutch
    assert "beschadigd" in got.json()["detail"]
