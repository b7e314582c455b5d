"""The service's own S3 account (made by `beeldkluis store provision`) cannot hide a checkpoint: a DELETE in
the write-once bucket is refused outright; an overwrite adds a version, which verification reads."""

from __future__ import annotations

import secrets
import uuid
from io import BytesIO

import pytest
from minio import Minio
from minio.error import S3Error

from vault.settings import get_settings
from vault.store import backend_from_settings
from vault.store._provision import PROBE, provision, worm_delete_refused
from vault.store._s3 import S3Backend


def test_the_app_account_may_add_checkpoints_but_never_delete_them(
    s3_env: dict[str, str], s3_config: dict[str, str]
) -> None:
    settings = get_settings()
    root = backend_from_settings(settings)
    assert isinstance(root, S3Backend)
    assert not worm_delete_refused(
        root
    )  # root may delete: that is why the service must not run as root
    app_key, app_secret = f"bk-test-{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(24)
    provision(
        root,
        root_keys=(s3_config["access_key"], s3_config["secret_key"]),
        secure=False,
        app_access_key=app_key,
        app_secret_key=app_secret,
    )
    app = S3Backend(
        s3_config["endpoint"],
        app_key,
        app_secret,
        bucket=settings.bucket,
        worm_bucket=settings.worm_bucket,
    )
    app.ensure_ready()  # what every start does, as the app
    assert worm_delete_refused(app)
    app.put_worm("checkpoints/000000000001-1.json", b"{}")  # adding is allowed
    client: Minio = app.client
    with pytest.raises(S3Error) as denied:
        client.remove_object(settings.worm_bucket, "checkpoints/000000000001-1.json")
    assert denied.value.code == "AccessDenied"
    with pytest.raises(S3Error):
        client.remove_object(settings.worm_bucket, PROBE)
    # the footage bucket is the app's own: it may delete there (purges)
    client.put_object(settings.bucket, "original/aa/x", BytesIO(b"x"), 1)
    client.remove_object(settings.bucket, "original/aa/x")
