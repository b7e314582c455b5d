"""The S3 backend (MinIO or any S3): the only module that imports `minio`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO

import urllib3
from minio import Minio
from minio.commonconfig import ENABLED, GOVERNANCE, Filter
from minio.datatypes import Part
from minio.deleteobjects import DeleteObject
from minio.error import S3Error
from minio.lifecycleconfig import (
    AbortIncompleteMultipartUpload,
    LifecycleConfig,
    NoncurrentVersionExpiration,
    Rule,
)
from minio.objectlockconfig import COMPLIANCE, DAYS, ObjectLockConfig
from minio.retention import Retention
from minio.versioningconfig import VersioningConfig

from vault.store._backend import (
    PART_SIZE,
    BlobNotFound,
    BlobVersion,
    FullParts,
    SourceFailed,
    StoreUnavailable,
    WormViolation,
    check_name,
)

READ_PIECE = 1024 * 1024
_DOWN = (urllib3.exceptions.HTTPError, OSError)
_FAILED = (*_DOWN, S3Error)


_MISSING = ("NoSuchKey", "NoSuchObject", "ResourceNotFound", "NoSuchVersion")


def _unavailable(exc: Exception) -> StoreUnavailable:
    return StoreUnavailable(getattr(exc, "code", None) or type(exc).__name__)


def _translate(exc: S3Error, name: str) -> Exception:
    """A missing object is BlobNotFound; anything else the server refuses (credentials, policy) is a 503."""
    return BlobNotFound(name) if exc.code in _MISSING else _unavailable(exc)


class S3Backend:
    """Versioned bucket for ciphertext, object-locked bucket for checkpoints and certificates."""

    kind = "s3"

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        *,
        bucket: str,
        worm_bucket: str,
        secure: bool = False,
        region: str = "us-east-1",
        worm_days: int = 5 * 366,
        worm_mode: str = COMPLIANCE,
        timeout: float = 10.0,
    ) -> None:
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(timeout, 3.0), read=timeout * 6),
            retries=urllib3.Retry(
                total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]
            ),
            maxsize=16,
        )
        self._client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
        )
        self.bucket = bucket
        self.worm_bucket = worm_bucket
        self._worm_days = worm_days
        self._worm_mode = worm_mode
        self.endpoint = endpoint

    def __repr__(self) -> str:
        return f"S3Backend(endpoint={self.endpoint!r}, bucket={self.bucket!r})"

    @property
    def client(self) -> Minio:
        """The S3 client (provisioning and the start-up check of the write-once bucket use it)."""
        return self._client

    # Setup and health --------------------------------------------------------------------------

    def ensure_ready(self) -> None:
        try:
            if not self._client.bucket_exists(self.bucket):
                self._client.make_bucket(self.bucket)
            self._client.set_bucket_versioning(self.bucket, VersioningConfig(ENABLED))
            # Parts of an upload that died are invisible but still occupy space: abort them after a day.
            # (MinIO accepts the abort rule only beside an expiration action; a noncurrent version,
            # left by an accidental overwrite, is kept 30 days as an undo window and then expires.)
            self._client.set_bucket_lifecycle(
                self.bucket,
                LifecycleConfig(
                    [
                        Rule(
                            ENABLED,
                            rule_filter=Filter(prefix=""),
                            rule_id="abort-stale-multipart",
                            abort_incomplete_multipart_upload=AbortIncompleteMultipartUpload(1),
                            noncurrent_version_expiration=NoncurrentVersionExpiration(30),
                        )
                    ]
                ),
            )
            if not self._client.bucket_exists(self.worm_bucket):
                self._client.make_bucket(self.worm_bucket, object_lock=True)
                self._client.set_object_lock_config(
                    self.worm_bucket, ObjectLockConfig(self._worm_mode, self._worm_days, DAYS)
                )
        except _FAILED as exc:
            raise _unavailable(exc) from exc

    def check(self) -> str:
        try:
            if not self._client.bucket_exists(self.bucket):
                raise StoreUnavailable(f"bucket {self.bucket} is missing")
        except S3Error as exc:
            raise StoreUnavailable(exc.code) from exc
        except _DOWN as exc:
            raise _unavailable(exc) from exc
        return f"{self.endpoint}/{self.bucket}"

    # Objects -----------------------------------------------------------------------------------

    def put(self, name: str, data: Iterable[bytes]) -> int:
        reader = FullParts(data)
        try:
            # Unknown length: minio-py runs a multipart upload of PART_SIZE parts and aborts it
            # (no orphaned parts) if anything fails before completion.
            self._client.put_object(self.bucket, check_name(name), reader, -1, part_size=PART_SIZE)  # type: ignore[arg-type]  # minio's stubs want a BinaryIO; it only calls read() on the parts reader
        except SourceFailed as exc:
            raise exc.original from None
        except S3Error as exc:
            raise _unavailable(exc) from exc
        except _DOWN as exc:
            raise _unavailable(exc) from exc
        return reader.total

    def get_range(self, name: str, offset: int, length: int) -> bytes:
        if length <= 0:
            return b""
        try:
            response = self._client.get_object(
                self.bucket, check_name(name), offset=offset, length=length
            )
        except S3Error as exc:
            if exc.code == "InvalidRange":
                return b""
            raise _translate(exc, name) from exc
        except _DOWN as exc:
            raise _unavailable(exc) from exc
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def iter_bytes(self, name: str) -> Iterator[bytes]:
        try:
            response = self._client.get_object(self.bucket, check_name(name))
        except S3Error as exc:
            raise _translate(exc, name) from exc
        except _DOWN as exc:
            raise _unavailable(exc) from exc
        try:
            yield from response.stream(READ_PIECE)
        finally:
            response.close()
            response.release_conn()

    def size(self, name: str) -> int:
        try:
            return int(self._client.stat_object(self.bucket, check_name(name)).size or 0)
        except S3Error as exc:
            raise _translate(exc, name) from exc
        except _DOWN as exc:
            raise _unavailable(exc) from exc

    def versions(self, name: str) -> list[BlobVersion]:
        try:
            return [
                BlobVersion(
                    o.object_name or name,
                    o.version_id,
                    int(o.size or 0),
                    bool(o.is_delete_marker),
                )
                for o in self._client.list_objects(
                    self.bucket, prefix=check_name(name), include_version=True
                )
                if o.object_name == name
            ]
        except _FAILED as exc:
            raise _unavailable(exc) from exc

    def delete(self, name: str) -> int:
        # Under versioning a plain delete only adds a marker; remove every version explicitly.
        versions = self.versions(name)
        if not versions:
            return 0
        try:
            errors = list(
                self._client.remove_objects(
                    self.bucket, [DeleteObject(v.name, v.version_id) for v in versions]
                )
            )
        except _FAILED as exc:
            raise _unavailable(exc) from exc
        if errors:
            raise StoreUnavailable(f"{len(errors)} versions could not be deleted")
        return len(versions)

    def listing(self, prefix: str = "") -> Iterator[tuple[str, int]]:
        try:
            for o in self._client.list_objects(self.bucket, prefix=prefix, recursive=True):
                if o.object_name:
                    yield o.object_name, int(o.size or 0)
        except _FAILED as exc:
            raise _unavailable(exc) from exc

    # Resumable uploads (S3 multipart; minio-py exposes these steps only as private methods) -------

    def start_upload(self, name: str) -> str:
        try:
            return str(self._client._create_multipart_upload(self.bucket, check_name(name), {}))
        except _FAILED as exc:
            raise _unavailable(exc) from exc

    def put_part(self, name: str, upload_id: str, number: int, data: bytes) -> str:
        try:
            return str(
                self._client._upload_part(
                    self.bucket, check_name(name), data, None, upload_id, number
                )
            )
        except S3Error as exc:
            if exc.code == "NoSuchUpload":
                raise BlobNotFound(f"upload {upload_id}") from exc
            raise _unavailable(exc) from exc
        except _DOWN as exc:
            raise _unavailable(exc) from exc

    def complete_upload(self, name: str, upload_id: str, etags: list[str]) -> int:
        parts = [Part(number, etag) for number, etag in enumerate(etags, start=1)]
        try:
            self._client._complete_multipart_upload(self.bucket, check_name(name), upload_id, parts)
        except _FAILED as exc:
            raise _unavailable(exc) from exc
        return self.size(name)

    def abort_upload(self, name: str, upload_id: str) -> None:
        try:
            self._client._abort_multipart_upload(self.bucket, check_name(name), upload_id)
        except S3Error as exc:
            if exc.code != "NoSuchUpload":
                raise _unavailable(exc) from exc
        except _DOWN as exc:
            raise _unavailable(exc) from exc

    def incomplete_uploads(self) -> Iterator[tuple[str, str, datetime]]:
        key_marker = upload_id_marker = None
        try:
            while True:
                result = self._client._list_multipart_uploads(
                    self.bucket, key_marker=key_marker, upload_id_marker=upload_id_marker
                )
                for upload in result.uploads:
                    if upload.object_name and upload.upload_id and upload.initiated_time:
                        yield upload.object_name, upload.upload_id, upload.initiated_time
                if not result.is_truncated or not result.uploads:
                    return
                key_marker = result.uploads[-1].object_name
                upload_id_marker = result.uploads[-1].upload_id
        except _FAILED as exc:
            raise _unavailable(exc) from exc

    def abort_stale_uploads(self, older_than: timedelta) -> int:
        """Abort multipart uploads begun before now - older_than (a put whose abort could not reach the
        server, or a resumable upload given up on). MinIO ignores the lifecycle abort rule and only
        sweeps after its own expiry, so this runs from the maintenance schedule. Returns the count."""
        cutoff = datetime.now(UTC) - older_than
        aborted = 0
        try:
            result = self._client._list_multipart_uploads(self.bucket)
            for upload in result.uploads:
                if upload.initiated_time and upload.initiated_time <= cutoff and upload.upload_id:
                    self._client._abort_multipart_upload(
                        self.bucket, upload.object_name, upload.upload_id
                    )
                    aborted += 1
        except _FAILED as exc:
            raise _unavailable(exc) from exc
        return aborted

    # Write-once area ---------------------------------------------------------------------------

    def put_worm(self, name: str, data: bytes) -> None:
        check_name(name)
        try:
            try:
                self._client.stat_object(self.worm_bucket, name)
            except S3Error as exc:
                if exc.code not in _MISSING:
                    raise _unavailable(exc) from exc
            else:
                raise WormViolation(name)
            until = datetime.now(UTC) + timedelta(days=self._worm_days)
            self._client.put_object(
                self.worm_bucket,
                name,
                BytesIO(data),
                len(data),
                retention=Retention(self._worm_mode, until),
            )
        except _DOWN as exc:
            raise _unavailable(exc) from exc

    def get_worm(self, name: str, version_id: str | None = None) -> bytes:
        try:
            response = self._client.get_object(
                self.worm_bucket, check_name(name), version_id=version_id
            )
        except S3Error as exc:
            raise _translate(exc, name) from exc
        except _DOWN as exc:
            raise _unavailable(exc) from exc
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def worm_names(self, prefix: str = "") -> Iterator[str]:
        try:
            for o in self._client.list_objects(self.worm_bucket, prefix=prefix, recursive=True):
                if o.object_name:
                    yield o.object_name
        except _FAILED as exc:
            raise _unavailable(exc) from exc

    def worm_versions(self, prefix: str = "") -> list[BlobVersion]:
        """S3 lists the versions of one name newest first; they are returned oldest first."""
        found: dict[str, list[BlobVersion]] = {}
        try:
            for o in self._client.list_objects(
                self.worm_bucket, prefix=prefix, recursive=True, include_version=True
            ):
                if o.object_name:
                    found.setdefault(o.object_name, []).append(
                        BlobVersion(
                            o.object_name, o.version_id, int(o.size or 0), bool(o.is_delete_marker)
                        )
                    )
        except _FAILED as exc:
            raise _unavailable(exc) from exc
        return [v for name in sorted(found) for v in reversed(found[name])]


__all__ = ["GOVERNANCE", "COMPLIANCE", "S3Backend"]
