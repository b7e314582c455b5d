"""The encrypted object store: our ciphertext format on a local directory or on S3 (MinIO)."""

from __future__ import annotations

from vault.settings import Settings, StoreBackend
from vault.store._backend import (
    PART_SIZE,
    Backend,
    BlobNotFound,
    BlobVersion,
    StoreUnavailable,
    WormViolation,
)
from vault.store._local import LocalBackend


def backend_from_settings(settings: Settings) -> Backend:
    if settings.store is StoreBackend.s3:
        from vault.store._s3 import S3Backend

        return S3Backend(
            settings.s3_endpoint,
            settings.s3_access_key.get_secret_value(),
            settings.s3_secret_key.get_secret_value(),
            bucket=settings.bucket,
            worm_bucket=settings.worm_bucket,
            secure=settings.s3_secure,
            region=settings.s3_region,
            worm_days=settings.worm_retention_days,
        )
    return LocalBackend(settings.store_dir)


__all__ = [
    "PART_SIZE",
    "Backend",
    "BlobNotFound",
    "BlobVersion",
    "LocalBackend",
    "StoreUnavailable",
    "WormViolation",
    "backend_from_settings",
]
