"""Behaviour that only a real S3 server shows: versions, object lock, multipart, a server that dies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from minio import Minio

from tests.support.store import FAMILY, MiB, pattern, write_then_fail
from vault.store import ObjectKind, ObjectStore, StoreUnavailable
from vault.store._s3 import S3Backend


def client(s3_config: dict[str, str]) -> Minio:
    return Minio(
        s3_config["endpoint"], s3_config["access_key"], s3_config["secret_key"], secure=False
    )


def test_delete_removes_every_version(s3_store: ObjectStore, s3_config: dict[str, str]) -> None:
    backend = s3_store.backend
    assert isinstance(backend, S3Backend)
    row = s3_store.put(family_id=FAMILY, kind=ObjectKind.original, source=[b"v1"])
    backend.put(row.name, [b"v2 overwrites, v1 stays as a version"])
    assert len(backend.versions(row.name)) == 2
    s3_store.delete(row.id)
    left = list(
        client(s3_config).list_objects(backend.bucket, prefix=row.name, include_version=True)
    )
    assert left == []


def test_versioning_and_stale_upload_rule_are_set(
    s3_backend: S3Backend, s3_config: dict[str, str]
) -> None:
    c = client(s3_config)
    assert c.get_bucket_versioning(s3_backend.bucket).status == "Enabled"
    rules = c.get_bucket_lifecycle(s3_backend.bucket).rules
    assert any(r.noncurrent_version_expiration for r in rules)
    assert c.get_object_lock_config(s3_backend.worm_bucket).mode in ("COMPLIANCE", "GOVERNANCE")


def test_worm_bucket_refuses_deletion(s3_backend: S3Backend, s3_config: dict[str, str]) -> None:
    from minio.error import S3Error

    s3_backend.put_worm("certificates/x.json", b"{}")
    c = client(s3_config)
    (obj,) = list(
        c.list_objects(s3_backend.worm_bucket, prefix="certificates/", include_version=True)
    )
    with pytest.raises(S3Error):
        c.remove_object(s3_backend.worm_bucket, "certificates/x.json", version_id=obj.version_id)
    assert s3_backend.get_worm("certificates/x.json") == b"{}"


def test_interrupted_multipart_upload_leaves_no_parts(
    s3_store: ObjectStore, s3_config: dict[str, str]
) -> None:
    def dying() -> Iterator[bytes]:
        yield pattern(40 * MiB)
        raise OSError("card pulled")

    with pytest.raises(OSError, match="card pulled"):
        s3_store.put(family_id=FAMILY, kind=ObjectKind.original, source=dying())
    backend = s3_store.backend
    assert isinstance(backend, S3Backend)
    uploads = client(s3_config)._list_multipart_uploads(backend.bucket)
    assert list(uploads.uploads) == []
    assert list(backend.listing()) == []


def test_minio_killed_mid_upload_then_retry(s3_store: ObjectStore, minio_control: Any) -> None:
    data = pattern(40 * MiB)

    def killing() -> Iterator[bytes]:
        yield data[: 20 * MiB]
        minio_control.stop()
        yield data[20 * MiB :]

    object_id = uuid.uuid4()
    with pytest.raises(StoreUnavailable) as caught:
        s3_store.put(
            family_id=FAMILY, kind=ObjectKind.original, source=killing(), object_id=object_id
        )
    assert caught.value.status == 503
    assert "niet bereikbaar" in caught.value.message_nl
    s3_store.session.rollback()
    minio_control.start()
    row = s3_store.put(
        family_id=FAMILY, kind=ObjectKind.original, source=[data], object_id=object_id
    )
    assert b"".join(s3_store.iter_plaintext(row.id)) == data
    assert s3_store.check().clean


def test_wrong_credentials_are_a_clear_503(s3_config: dict[str, str]) -> None:
    backend = S3Backend(
        s3_config["endpoint"],
        "nobody",
        "wrong-secret-1234",
        bucket="bk-none",
        worm_bucket="bk-none-w",
    )
    with pytest.raises(StoreUnavailable):
        backend.check()


def test_no_metadata_names_the_family(s3_store: ObjectStore, s3_config: dict[str, str]) -> None:
    row = s3_store.put(family_id=FAMILY, kind=ObjectKind.original, source=[b"frame"])
    backend = s3_store.backend
    assert isinstance(backend, S3Backend)
    stat = client(s3_config).stat_object(backend.bucket, row.name)
    described = repr(dict(stat.metadata or {})) + repr(stat.object_name)
    assert str(FAMILY) not in described
    assert FAMILY.hex not in described


def test_stale_uploads_are_swept(s3_backend: S3Backend, s3_config: dict[str, str]) -> None:
    from datetime import timedelta

    name = f"original/aa/{uuid.uuid4()}"
    upload_id = s3_backend.start_upload(name)
    s3_backend.put_part(name, upload_id, 1, b"x" * 1024)
    assert s3_backend.abort_stale_uploads(timedelta(hours=1)) == 0
    assert s3_backend.abort_stale_uploads(timedelta(0)) == 1
    uploads = client(s3_config)._list_multipart_uploads(s3_backend.bucket)
    assert list(uploads.uploads) == []


def test_writer_aborted_leaves_no_parts(s3_store: ObjectStore, s3_config: dict[str, str]) -> None:
    write_then_fail(s3_store, 40 * MiB)
    backend = s3_store.backend
    assert isinstance(backend, S3Backend)
    assert list(client(s3_config)._list_multipart_uploads(backend.bucket).uploads) == []
    assert list(backend.listing()) == []
