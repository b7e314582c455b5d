"""Resumable uploads with a real tus client: encrypted on arrival, resumable, verified, bad files refused."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from pathlib import Path

import httpx
import pytest
from sqlmodel import select
from tusclient import client as tus

from tests.support.api import Api
from tests.support.families import family_with_recording
from tests.support.media import make_video, sources
from tests.support.tus import digest, tus_upload, upload_id
from vault.db import unit_of_work
from vault.ingest.models import Upload
from vault.ingest.tasks import verify_upload
from vault.recordings.models import Recording
from vault.store import StoredObject


@pytest.fixture
def trainer_world(api: Api) -> dict:  # type: ignore[type-arg]
    return family_with_recording(api, api.account("trainer"))


def test_a_standard_tus_client_uploads_and_the_server_verifies(
    api: Api, server: str, trainer_world: dict, videos: dict[str, Path]
) -> None:  # type: ignore[type-arg]
    url = tus_upload(
        server,
        trainer_world["headers"],
        videos["good"],
        trainer_world["trajectory"]["id"],
        chunk=50_000,
    )
    uid = upload_id(url)
    assert verify_upload(uid) == "stored"
    status = httpx.get(f"{server}/api/v1/uploads/{uid}", headers=trainer_world["headers"]).json()
    assert status["status"] == "stored"
    assert status["sha256"] == digest(videos["good"])
    with unit_of_work() as db:
        recording = db.get(Recording, uuid.UUID(status["recording_id"]))
        assert recording is not None
        probe = json.loads(recording.probe)
        assert probe["video_codec"] == "h264"
        assert probe["has_location"] is True
        assert "device" not in probe
        assert "52.36" not in recording.probe
        assert (
            recording.recorded_at.strftime("%Y-%m-%d %H:%M") == "2026-11-20 10:00"
        )  # from the file's metadata
        stored = db.get(StoredObject, recording.original_object_id)
        assert stored is not None
        assert stored.sha256 == digest(videos["good"])
    raw = b"".join(open_raw(stored.family_id, stored))
    assert videos["good"].read_bytes()[1000:1064] not in raw


def open_raw(family_id: uuid.UUID, stored: StoredObject):  # type: ignore[no-untyped-def]
    from vault.settings import get_settings
    from vault.store import backend_from_settings

    return backend_from_settings(get_settings()).iter_bytes(stored.name)


@pytest.mark.parametrize(
    ("name", "reason"), [("truncated", "bestand is afgebroken"), ("jpeg", "geen videobestand")]
)
def test_bad_files_are_refused_with_a_dutch_reason(
    api: Api, server: str, trainer_world: dict, videos: dict[str, Path], name: str, reason: str
) -> None:  # type: ignore[type-arg]
    url = tus_upload(
        server, trainer_world["headers"], videos[name], trainer_world["trajectory"]["id"]
    )
    assert verify_upload(upload_id(url)) == "rejected"
    status = httpx.get(
        f"{server}/api/v1/uploads/{upload_id(url)}", headers=trainer_world["headers"]
    ).json()
    assert status["reason"] == reason
    with unit_of_work() as db:
        assert db.exec(select(StoredObject).where(StoredObject.kind == "original")).all() == []


def test_interrupted_upload_resumes_after_a_restart(
    api: Api, server: str, trainer_world: dict, videos: dict[str, Path]
) -> None:  # type: ignore[type-arg]
    path = videos["big"]
    data = path.read_bytes()
    h = {**trainer_world["headers"], "Tus-Resumable": "1.0.0"}
    meta = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in {
            "trajectory": trainer_world["trajectory"]["id"],
            "sha256": digest(path),
        }.items()
    )
    created = httpx.post(
        f"{server}/api/v1/uploads",
        headers={**h, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
    )
    assert created.status_code == 201, created.text
    location = server + created.headers["Location"]
    first = httpx.patch(
        location,
        headers={**h, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        content=data[: 20 * 1024 * 1024],
    )
    assert first.status_code == 204
    offset = int(httpx.head(location, headers=h).headers["Upload-Offset"])
    assert (
        offset == 20 * 1024 * 1024
    )  # all it acknowledged is stored: parts, tail and carry (ADR 0010)
    wrong = httpx.patch(
        location,
        headers={**h, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        content=b"x",
    )
    assert wrong.status_code == 409
    rest = httpx.patch(
        location,
        headers={
            **h,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
        content=data[offset:],
        timeout=60,
    )
    assert rest.status_code == 204
    assert verify_upload(upload_id(location)) == "stored"
    with unit_of_work() as db:
        upload = db.get(Upload, upload_id(location))
        assert upload is not None
        assert upload.sha256 == digest(path)


def test_checksum_mismatch_loses_nothing_stored(
    api: Api, server: str, trainer_world: dict, videos: dict[str, Path]
) -> None:  # type: ignore[type-arg]
    data = videos["good"].read_bytes()
    h = {**trainer_world["headers"], "Tus-Resumable": "1.0.0"}
    meta = f"trajectory {base64.b64encode(trainer_world['trajectory']['id'].encode()).decode()}"
    location = (
        server
        + httpx.post(
            f"{server}/api/v1/uploads",
            headers={**h, "Upload-Length": str(len(data)), "Upload-Metadata": meta},
        ).headers["Location"]
    )
    bad = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()
    refused = httpx.patch(
        location,
        headers={
            **h,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": f"sha256 {bad}",
        },
        content=data,
    )
    assert refused.status_code == 460
    assert httpx.head(location, headers=h).headers["Upload-Offset"] == "0"
    good = base64.b64encode(hashlib.sha256(data).digest()).decode()
    accepted = httpx.patch(
        location,
        headers={
            **h,
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Checksum": f"sha256 {good}",
        },
        content=data,
    )
    assert accepted.status_code == 204
    assert verify_upload(upload_id(location)) == "stored"


def test_termination_options_and_refusals(api: Api, server: str, trainer_world: dict) -> None:  # type: ignore[type-arg]
    h = {**trainer_world["headers"], "Tus-Resumable": "1.0.0"}
    caps = httpx.options(f"{server}/api/v1/uploads", headers=h)
    assert "checksum" in caps.headers["Tus-Extension"]
    assert "termination" in caps.headers["Tus-Extension"]
    meta = f"trajectory {base64.b64encode(trainer_world['trajectory']['id'].encode()).decode()}"
    location = (
        server
        + httpx.post(
            f"{server}/api/v1/uploads",
            headers={**h, "Upload-Length": "1000", "Upload-Metadata": meta},
        ).headers["Location"]
    )
    assert httpx.delete(location, headers=h).status_code == 204
    assert httpx.head(location, headers=h).status_code == 404
    other = api.as_(api.account("trainer"))
    refused = httpx.post(
        f"{server}/api/v1/uploads",
        headers={**other, "Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": meta},
    )
    assert refused.status_code == 403
    too_big = httpx.post(
        f"{server}/api/v1/uploads",
        headers={**h, "Upload-Length": str(10**13), "Upload-Metadata": meta},
    )
    assert too_big.status_code == 413


def test_a_large_upload_goes_to_minio_in_parallel_parts_intact(
    s3_env: dict[str, str],
    api: Api,
    server: str,
    trainer_world: dict,
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    """One PATCH of ~50 MiB (tus clients' default): four parts, three stored at a time, recorded in order."""
    video = make_video(
        tmp_path / "GX010001.MP4",
        12,
        extra=["-s", "1280x720", "-vf", "noise=alls=80:allf=t+u", "-b:v", "40M"],
    )
    assert video.stat().st_size > 3 * 16 * 1024 * 1024
    c = tus.TusClient(f"{server}/api/v1/uploads", headers=trainer_world["headers"])
    with open(video, "rb") as stream:
        uploader = c.uploader(
            file_stream=stream,
            metadata={
                "trajectory": trainer_world["trajectory"]["id"],
                "filename": video.name,
                "sha256": digest(video),
            },
        )
        uploader.upload()
    uid = upload_id(str(uploader.url))
    with unit_of_work() as db:
        upload = db.get(Upload, uid)
        assert upload is not None
        assert len(json.loads(upload.etags)) == 4
        row = db.get(StoredObject, upload.object_id)
        assert row is not None
        assert (row.backend, row.size) == ("s3", video.stat().st_size)
    assert (
        verify_upload(uid) == "stored"
    )  # read back through the decrypting reader: the same SHA-256


def test_probe_records_rotation_codec_and_interlacing(
    api: Api, server: str, trainer_world: dict, tmp_path: Path
) -> None:  # type: ignore[type-arg]
    _, hevc, mts = sources(tmp_path)
    probes = {}
    for path in (hevc, mts):
        uid = upload_id(
            tus_upload(server, trainer_world["headers"], path, trainer_world["trajectory"]["id"])
        )
        assert verify_upload(uid) == "stored"
        status = httpx.get(
            f"{server}/api/v1/uploads/{uid}", headers=trainer_world["headers"]
        ).json()
        recording = httpx.get(
            f"{server}/api/v1/recordings/{status['recording_id']}", headers=trainer_world["headers"]
        ).json()
        probes[path.suffix] = (
            json.loads(recording["probe"])
            if isinstance(recording["probe"], str)
            else recording["probe"]
        )
    assert probes[".mov"]["video_codec"] == "hevc"
    assert probes[".mov"]["rotation"] in (90, 270)
    assert probes[".MTS"]["container"].startswith("mpegts")
    assert probes[".MTS"]["interlaced"] is True
    assert "device" not in json.dumps(probes)
