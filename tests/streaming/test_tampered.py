"""A stored chunk that no longer authenticates, watched through every consumer that reads footage: the
proxy and the review stream (downloads and the parents' package: tests/export). None of them may make
something short of it and call it done."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from vault.db import unit_of_work
from vault.domain.models import SupervisionLink
from vault.ingest.tasks import verify_upload
from vault.media import SourceUnreadable
from vault.media.tasks import make_proxy
from vault.recordings.models import Recording
from vault.settings import get_settings
from vault.store import StoredObject, backend_from_settings

from ..api.conftest import Api
from ..api.test_consent_flow import consent_body
from ..api.test_resources import family_with_recording
from ..ingest.conftest import make_video
from ..ingest.test_tus import tus_upload, upload_id


@pytest.fixture
def database_url(fresh_postgres: str) -> str:
    """End to end on production's database only: the embedded SQLite default runs the same paths in
    the API and web tests, and each of these runs takes tens of seconds."""
    return fresh_postgres


CHUNK = 65536 + 16  # a sealed chunk: 64 KiB of ciphertext and its GCM tag (docs/object-format.md)
HEADER = 113


def tamper(object_id: uuid.UUID, at_fraction: float) -> None:
    """Flip one byte in the sealed chunk at `at_fraction` of the object, as a failing disk or an attacker."""
    backend = backend_from_settings(get_settings())
    with unit_of_work() as db:
        row = db.get(StoredObject, object_id)
        assert row is not None
        name = row.name
    data = bytearray(b"".join(backend.iter_bytes(name)))
    chunks = (len(data) - HEADER) // CHUNK
    at = HEADER + int(chunks * at_fraction) * CHUNK + 100
    data[at] ^= 0x01
    backend.put(name, [bytes(data)])


def watchable(api: Api, server: str, tmp_path: Path, seconds: int = 12) -> dict:  # type: ignore[type-arg]
    """A recording (12 s) with a clip, its family's consent for supervision, and an opleider who may watch."""
    trainer, opleider = api.account("trainer"), api.account("opleider")
    with unit_of_work() as db:
        db.add(
            SupervisionLink(
                trainee_id=trainer.id, opleider_id=opleider.id, confirmed_at=datetime.now(UTC)
            )
        )
    world = family_with_recording(api, trainer)
    video = make_video(tmp_path / "MVI_0200.MP4", seconds)
    url = tus_upload(server, world["headers"], video, world["trajectory"]["id"])
    assert verify_upload(upload_id(url)) == "stored"
    status = httpx.get(f"{server}/api/v1/uploads/{upload_id(url)}", headers=world["headers"]).json()
    clip = httpx.post(f"{server}/api/v1/recordings/{status['recording_id']}/clips", headers=world["headers"],
                      json={"start_s": 0, "end_s": seconds, "title": "Samen spelen"}).json()  # fmt: skip
    api.client.post(f"/api/v1/families/{world['family']['id']}/consents", headers=world["headers"],
                    json=consent_body(world, "supervision")).raise_for_status()  # fmt: skip
    with unit_of_work() as db:
        recording = db.get(Recording, uuid.UUID(status["recording_id"]))
        assert recording is not None
        assert recording.original_object_id is not None
        original = recording.original_object_id
    return {"recording_id": uuid.UUID(status["recording_id"]), "clip_id": clip["id"], "ho": api.as_(opleider),
            "server": server, "original": original, "video": video, "opleider": opleider}  # fmt: skip


@pytest.fixture
def tampered(api: Api, server: str, stream_worker: None, tmp_path: Path) -> dict:  # type: ignore[type-arg]
    world = watchable(api, server, tmp_path)
    tamper(world["original"], 0.6)
    return world


def test_a_tampered_original_makes_no_proxy(tampered: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(SourceUnreadable):
        make_proxy(tampered["recording_id"])
    with unit_of_work() as db:
        recording = db.get(Recording, tampered["recording_id"])
        assert recording is not None
        assert recording.proxy_object_id is None
        assert [r.kind for r in db.exec(StoredObject.__table__.select())] == ["original"]  # type: ignore[attr-defined]


def test_a_tampered_original_is_never_streamed_short_and_says_so_once(tampered: dict) -> None:  # type: ignore[type-arg]
    t = tampered
    opened = httpx.post(f"{t['server']}/api/v1/clips/{t['clip_id']}/stream", headers=t["ho"])
    assert opened.status_code == 200, opened.text
    base = t["server"] + opened.json()["playlist"].rsplit("/", 1)[0]
    answers = [httpx.get(f"{base}/{n}.ts", timeout=60) for n in range(3)]
    # Segments before the damage may play; from the damaged one on, a distinct, final answer in Dutch.
    assert [a.status_code for a in answers][-1] == 422
    for a in answers:
        if a.status_code == 200:
            assert len(a.content) > 10_000
        else:
            assert a.status_code == 422
            assert a.json()["code"] == "segment_unplayable"
            assert "beschadigd" in a.json()["detail"]
            assert "retry-after" not in a.headers
