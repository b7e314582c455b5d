"""tus never strands an upload: bad metadata and malformed headers are a clear 4xx on creation, an
empty file is refused as empty, and a final PATCH whose finishing fails leaves the upload either
resumable or clearly failed, with nothing left behind in storage."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import select

from tests.support.api import Api, free_port
from tests.support.families import family_with_recording
from tests.support.tus import digest
from vault.db import get_engine, unit_of_work
from vault.ingest.models import Upload
from vault.ingest.tasks import verify_upload
from vault.keyring import ObjectDekRow
from vault.settings import get_settings
from vault.store import StoredObject, open_store


@pytest.fixture
def world(api: Api) -> dict:  # type: ignore[type-arg]
    return family_with_recording(api, api.account("trainer"))


def b64(value: bytes | str) -> str:
    return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()


def metadata(**fields: str) -> str:
    return ",".join(f"{k} {b64(v)}" for k, v in fields.items())


def create(server: str, world: dict, length: int, meta: str) -> httpx.Response:  # type: ignore[type-arg]
    return httpx.post(
        f"{server}/api/v1/uploads",
        headers={
            **world["headers"],
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(length),
            "Upload-Metadata": meta,
        },
    )


def assert_problem(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["detail"]
    assert body["detail"] != body["detail_en"]
    for word in words:
        assert word in body["detail"], body
        assert word in body["detail_en"], body


def uploads_left() -> list[Upload]:
    with unit_of_work() as db:
        return list(db.exec(select(Upload)).all())


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"situation": "een situatie die langer is dan tweeëndertig tekens"}, "situation"),
        ({"situation": "bad"}, "situation"),
        ({"recorded_at": "gisteren"}, "recorded_at"),
        ({"sha256": "abc"}, "sha256"),
        ({"filename": "x" * 2000}, "filename"),
    ],
)
def test_bad_metadata_is_a_400_naming_the_field(
    api: Api,
    server: str,
    world: dict,
    raw: dict[str, str],
    field: str,  # type: ignore[type-arg]
) -> None:
    meta = metadata(trajectory=world["trajectory"]["id"], **raw)
    assert_problem(create(server, world, 1000, meta), 400, field)
    assert uploads_left() == []


@pytest.mark.parametrize(
    "meta",
    [
        "trajectory !!!not-base64!!!",
        "filename " + b64(b"\xff\xfe caf\xe9"),  # not UTF-8
        "trajectory",  # a key without its value, where the trajectory is required
    ],
)
def test_malformed_upload_metadata_is_a_400(api: Api, server: str, world: dict, meta: str) -> None:  # type: ignore[type-arg]
    if meta.startswith("filename"):
        meta = f"trajectory {b64(world['trajectory']['id'])},{meta}"
    response = create(server, world, 1000, meta)
    assert_problem(response, 400, "Upload-Metadata" if "trajectory " in meta else "trajectory")
    assert uploads_left() == []


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", ""])
def test_malformed_upload_length_is_a_400(api: Api, server: str, world: dict, length: str) -> None:  # type: ignore[type-arg]
    response = httpx.post(
        f"{server}/api/v1/uploads",
        headers={
            **world["headers"],
            "Tus-Resumable": "1.0.0",
            "Upload-Length": length,
            "Upload-Metadata": metadata(trajectory=world["trajectory"]["id"]),
        },
    )
    assert_problem(response, 400, "Upload-Length")


def test_an_empty_file_is_refused_as_empty(api: Api, server: str, world: dict) -> None:  # type: ignore[type-arg]
    response = create(server, world, 0, metadata(trajectory=world["trajectory"]["id"]))
    assert_problem(response, 400)
    assert "leeg" in response.json()["detail"]
    assert "empty" in response.json()["detail_en"]
    assert uploads_left() == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Upload-Offset": "abc"},
        {"Upload-Offset": "-1"},
        {"Upload-Offset": "0", "Upload-Checksum": "sha256 %%%not-base64"},
        {"Upload-Offset": "0", "Upload-Checksum": "sha256"},
    ],
)
def test_malformed_patch_headers_are_a_400(
    api: Api,
    server: str,
    world: dict,
    headers: dict[str, str],  # type: ignore[type-arg]
) -> None:
    created = create(server, world, 10, metadata(trajectory=world["trajectory"]["id"]))
    location = server + created.headers["Location"]
    h = {
        **world["headers"],
        "Tus-Resumable": "1.0.0",
        "Content-Type": "application/offset+octet-stream",
    }
    response = httpx.patch(location, headers={**h, **headers}, content=b"0123456789")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    head = httpx.head(location, headers=h)
    assert head.headers["Upload-Offset"] == "0"  # nothing was taken in
    fine = httpx.patch(location, headers={**h, "Upload-Offset": "0"}, content=b"0123456789")
    assert fine.status_code == 204


def test_a_finish_that_fails_leaves_the_upload_clearly_failed_and_nothing_behind(
    api: Api,
    server: str,
    world: dict,
    videos: dict[str, Path],  # type: ignore[type-arg]
) -> None:
    """The database refuses the recording after the object was completed: the upload is not left
    `uploading` with HEAD saying it is complete; it is refused with a reason, its object deleted and
    its key shredded."""
    data = videos["good"].read_bytes()
    meta = metadata(
        trajectory=world["trajectory"]["id"], filename="MVI_0001.MP4", sha256=digest(videos["good"])
    )
    location = server + create(server, world, len(data), meta).headers["Location"]
    engine = get_engine()
    with engine.begin() as conn:  # a real database fault, not a mock: inserting a recording fails
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER no_recordings BEFORE INSERT ON recording "
                "BEGIN SELECT RAISE(ABORT, 'no recordings today'); END"
            )
        else:
            conn.execute(
                text("ALTER TABLE recording ADD CONSTRAINT no_recordings CHECK (false) NOT VALID")
            )
    h = {**world["headers"], "Tus-Resumable": "1.0.0"}
    response = httpx.patch(
        location,
        headers={**h, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        content=data,
    )
    assert response.status_code == 503, response.text
    assert "opnieuw" in response.json()["detail"]
    uid = uuid.UUID(location.rsplit("/", 1)[-1])
    status = httpx.get(location, headers=h).json()
    assert status["status"] == "rejected"
    assert status["reason"]
    assert httpx.head(location, headers=h).status_code in (404, 410)  # a tus client starts afresh
    with unit_of_work() as db:
        upload = db.get(Upload, uid)
        assert upload is not None
        assert db.get(StoredObject, upload.object_id) is None
        assert db.get(ObjectDekRow, upload.object_id) is None  # key shredded
        store = open_store(db, get_settings())
        assert list(store.backend.listing()) == []
        assert store.check().clean
    assert verify_upload(uid) == "rejected"
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER no_recordings")
        else:
            conn.execute(text("ALTER TABLE recording DROP CONSTRAINT no_recordings"))
    # The same file again, now that the database accepts it: a new upload, stored.
    again = server + create(server, world, len(data), meta).headers["Location"]
    done = httpx.patch(
        again,
        headers={**h, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        content=data,
    )
    assert done.status_code == 204
    assert verify_upload(uuid.UUID(again.rsplit("/", 1)[-1])) == "stored"


def test_the_store_down_at_the_final_patch_leaves_the_upload_resumable(
    s3_env: dict[str, str],
    api: Api,
    server: str,
    world: dict,
    videos: dict[str, Path],
    minio_control,  # type: ignore[no-untyped-def, type-arg]
) -> None:
    data = videos["good"].read_bytes()
    meta = metadata(trajectory=world["trajectory"]["id"], sha256=digest(videos["good"]))
    location = server + create(server, world, len(data), meta).headers["Location"]
    h = {**world["headers"], "Tus-Resumable": "1.0.0"}
    patch = {**h, "Content-Type": "application/offset+octet-stream"}
    half = len(data) // 2
    assert (
        httpx.patch(
            location, headers={**patch, "Upload-Offset": "0"}, content=data[:half]
        ).status_code
        == 204
    )
    minio_control.stop()
    try:
        failed = httpx.patch(
            location,
            headers={**patch, "Upload-Offset": str(half)},
            content=data[half:],
            timeout=120,
        )
        assert failed.status_code == 503, failed.text
        assert "opslag" in failed.json()["detail"]
    finally:
        minio_control.start()
    offset = int(httpx.head(location, headers=h).headers["Upload-Offset"])
    assert offset < len(data)  # not reported complete: the client sends the rest again
    assert httpx.get(location, headers=h).json()["status"] == "uploading"
    rest = httpx.patch(
        location,
        headers={**patch, "Upload-Offset": str(offset)},
        content=data[offset:],
        timeout=120,
    )
    assert rest.status_code == 204, rest.text
    assert verify_upload(uuid.UUID(location.rsplit("/", 1)[-1])) == "stored"


def test_a_second_patch_meanwhile_is_refused_and_the_server_stays_responsive(
    api: Api,
    server: str,
    world: dict,  # type: ignore[type-arg]
) -> None:
    """While one PATCH streams its body, a second PATCH of the same upload gets 423 (tus clients retry
    it) and HEAD answers at once: nothing waits on a lock on the event loop."""
    import threading

    created = create(server, world, 2000, metadata(trajectory=world["trajectory"]["id"]))
    location = server + created.headers["Location"]
    h = {**world["headers"], "Tus-Resumable": "1.0.0"}
    patch = {**h, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
    release, sent = threading.Event(), threading.Event()

    def slow() -> object:
        yield b"a" * 1000
        sent.set()
        release.wait(30)
        yield b"b" * 1000

    results: list[httpx.Response] = []
    first = threading.Thread(
        target=lambda: results.append(
            httpx.patch(location, headers=patch, content=slow(), timeout=60)
        )
    )
    first.start()
    try:
        assert sent.wait(10)
        second = httpx.patch(location, headers=patch, content=b"c" * 2000, timeout=5)
        assert second.status_code == 423, second.text
        assert httpx.head(location, headers=h, timeout=5).status_code == 200
    finally:
        release.set()
        first.join(60)
    assert results[0].status_code == 204, results[0].text
    assert httpx.get(location, headers=h).json()["status"] == "verifying"


def test_a_broker_down_at_the_last_byte_loses_nothing(
    api: Api,
    server: str,
    world: dict,
    videos: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[type-arg]
) -> None:
    """The recording is committed before its verification is queued: a broker that is down then is
    no 500 for bytes that are safe; the upload waits `verifying` and `store check --repair` (or the
    hourly sweep) queues it again."""
    from vault.worker import celery_app, configure

    monkeypatch.setenv("BEELDKLUIS_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")
    get_settings.cache_clear()
    configure(celery_app, get_settings())
    data = videos["good"].read_bytes()
    meta = metadata(trajectory=world["trajectory"]["id"], sha256=digest(videos["good"]))
    location = server + create(server, world, len(data), meta).headers["Location"]
    h = {**world["headers"], "Tus-Resumable": "1.0.0"}
    done = httpx.patch(
        location,
        headers={**h, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        content=data,
        timeout=120,
    )
    assert done.status_code == 204, done.text
    assert httpx.get(location, headers=h).json()["status"] == "verifying"
    monkeypatch.delenv("BEELDKLUIS_BROKER_URL")  # the broker is back
    get_settings.cache_clear()
    configure(celery_app, get_settings())
    assert verify_upload(uuid.UUID(location.rsplit("/", 1)[-1])) == "stored"
