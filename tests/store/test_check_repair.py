"""`beeldkluis store check` finds what a crash leaves behind, on real MinIO, and `--repair` cleans it:
an abandoned multipart upload, an object key with no object, an object with no row, an import that
stopped half-way and one that waits for verification that never came."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import httpx
from minio import Minio
from typer.testing import CliRunner

from tests.support.api import Api
from tests.support.families import family_with_recording
from vault.cli import app
from vault.db import unit_of_work
from vault.ingest.models import Upload
from vault.ingest.tasks import verify_upload
from vault.keyring import ObjectDekRow
from vault.settings import get_settings
from vault.store import ObjectKind, ObjectStore, object_name, open_store
from vault.store._s3 import S3Backend


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["store", "check", *args], env={"LANG": "nl_NL.UTF-8"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_check_reports_and_repair_cleans_what_a_crash_left(
    s3_env: dict[str, str],
    api: Api,  # noqa: F811
    server: str,  # noqa: F811
    s3_config: dict[str, str],
    videos: dict[str, Path],  # noqa: F811
) -> None:
    world = family_with_recording(api, api.account("trainer"))
    h = {**world["headers"], "Tus-Resumable": "1.0.0"}
    trajectory = base64.b64encode(world["trajectory"]["id"].encode()).decode()

    def create(length: int) -> str:
        response = httpx.post(
            f"{server}/api/v1/uploads",
            headers={
                **h,
                "Upload-Length": str(length),
                "Upload-Metadata": f"trajectory {trajectory}",
            },
        )
        assert response.status_code == 201, response.text
        return server + response.headers["Location"]

    # An import that stopped half-way (its parts and key in use until it is given up) ...
    halfway = create(10_000)
    patch = {**h, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
    assert httpx.patch(halfway, headers=patch, content=b"x" * 100).status_code == 204
    # ... and one whose verification was never run (the broker was down, the worker was killed).
    data = videos["good"].read_bytes()
    waiting = create(len(data))
    assert httpx.patch(waiting, headers=patch, content=data).status_code == 204
    with unit_of_work() as db:
        store = open_store(db, get_settings())
        backend = store.backend
        assert isinstance(backend, S3Backend)
        family = uuid.UUID(world["family"]["id"])
        # A multipart upload begun and abandoned (a worker killed while storing a proxy) ...
        lost = object_name(ObjectKind.proxy, uuid.uuid4())
        lost_upload = backend.start_upload(lost)
        backend.put_part(lost, lost_upload, 1, b"ciphertext" * 100)
        # ... a key whose object was never stored ...
        keyless = uuid.uuid4()
        store.keyring.new_object_key(family, keyless)
        # ... and an object stored whose row was never committed.
        stray = uuid.uuid4()
        backend.put(object_name(ObjectKind.proxy, stray), [b"ciphertext"])
        live = db.get(Upload, uuid.UUID(halfway.rsplit("/", 1)[-1]))
        assert live is not None
        live_key, live_upload = live.object_id, live.backend_upload_id

    code, out = check()
    assert code == 1
    assert f"Object zonder registratie: {object_name(ObjectKind.proxy, stray)}" in out
    assert (
        "Sleutel zonder object" not in out
    )  # younger than the grace period: may still be finishing
    assert "Onafgemaakte upload" not in out

    code, out = check("--grace-hours", "0")
    assert code == 1
    assert f"Sleutel zonder object: {keyless}" in out
    assert f"Onafgemaakte upload in de opslag: {lost} ({lost_upload})" in out
    assert "Upload zonder voortgang sinds" in out
    assert halfway.rsplit("/", 1)[-1] in out
    assert f"op controle: {waiting.rsplit('/', 1)[-1]}" in out
    assert str(live_key) not in out.replace(
        halfway.rsplit("/", 1)[-1], ""
    )  # its key is not an orphan

    code, out = check("--repair", "--grace-hours", "0")
    assert "Opgeruimd" in out
    assert "Traceback" not in out
    minio = Minio(
        s3_config["endpoint"], s3_config["access_key"], s3_config["secret_key"], secure=False
    )
    assert list(minio._list_multipart_uploads(backend.bucket).uploads) == []
    assert live_upload not in [u for _, u, _ in backend.incomplete_uploads()]
    with unit_of_work() as db:
        assert db.get(ObjectDekRow, keyless) is None
        assert db.get(ObjectDekRow, live_key) is None
        given_up = db.get(Upload, uuid.UUID(halfway.rsplit("/", 1)[-1]))
        assert given_up is not None
        assert given_up.status == "rejected"
        assert "opnieuw" in given_up.reason
    assert [name for name, _ in backend.listing() if name.startswith("proxy/")] == []
    # The verification queued again runs (here in this process, as the worker would) and stores it.
    assert verify_upload(uuid.UUID(waiting.rsplit("/", 1)[-1])) == "stored"
    code, out = check("--grace-hours", "0")
    assert (code, out.strip()) == (0, "Opslag is consistent."), out


def test_the_hourly_sweep_cleans_only_what_is_older_than_a_day(api: Api) -> None:  # noqa: F811
    """The beat schedule's task (`vault.store_sweep`) is `store check --repair` with a day's grace."""
    from datetime import UTC, datetime, timedelta

    from vault.tasks import store_sweep
    from vault.worker import celery_app

    assert "vault.store_sweep" in {e["task"] for e in celery_app.conf.beat_schedule.values()}
    family = uuid.uuid4()
    old, new = uuid.uuid4(), uuid.uuid4()
    with unit_of_work() as db:
        keyring = open_store(db, get_settings()).keyring
        keyring.new_object_key(family, old)
        keyring.new_object_key(family, new)
        row = db.get(ObjectDekRow, old)
        assert row is not None
        row.created_at = datetime.now(UTC) - timedelta(days=2)
        db.add(row)
    assert store_sweep() is True
    with unit_of_work() as db:
        assert db.get(ObjectDekRow, old) is None
        assert db.get(ObjectDekRow, new) is not None  # may still be finishing


def test_both_backends_list_unfinished_uploads(store: ObjectStore) -> None:
    """An upload begun and left is listed (by name and id) until it is completed or aborted, and a
    key without an object is found once it is older than the grace period."""
    from datetime import timedelta

    backend = store.backend
    name = object_name(ObjectKind.original, uuid.uuid4())
    left = backend.start_upload(name)
    backend.put_part(name, left, 1, b"x" * 1024)
    done_name = object_name(ObjectKind.original, uuid.uuid4())
    done = backend.start_upload(done_name)
    backend.complete_upload(done_name, done, [backend.put_part(done_name, done, 1, b"y" * 10)])
    assert [(n, u) for n, u, _ in backend.incomplete_uploads()] == [(name, left)]
    keyless = uuid.uuid4()
    store.keyring.new_object_key(uuid.uuid4(), keyless)
    assert store.check().keys_without_objects == []  # fresh: it may still be finishing
    report = store.check(grace=timedelta(0), keep_uploads=[left])
    assert report.unfinished_uploads == []  # in use by a resumable upload
    assert report.keys_without_objects == [keyless]
    report = store.check(grace=timedelta(0))
    assert report.unfinished_uploads == [(name, left)]
    store.repair(report, grace=timedelta(0))
    assert list(backend.incomplete_uploads()) == []
    assert report.objects_without_rows == [done_name]
    assert list(backend.listing()) == []  # no row and no key: unreadable by anyone, deleted
