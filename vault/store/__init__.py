"""The encrypted object store: our ciphertext format on a local directory or on S3 (MinIO)."""

from __future__ import annotations

from sqlmodel import Session

from vault.keyring import keyring_from_settings
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
from vault.store._objects import (
    CheckReport,
    ObjectKind,
    ObjectStore,
    SealedWriter,
    StoredObject,
    object_name,
)
from vault.store._resumable import Progress, Resumable, ResumableWriter


def open_store(session: Session, settings: Settings) -> ObjectStore:
    """The encrypted store for one unit of work, on the configured backend and key provider."""
    return ObjectStore(
        session, backend_from_settings(settings), keyring_from_settings(session, settings)
    )


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
    "SealedWriter",
    "Progress",
    "Resumable",
    "ResumableWriter",
    "PART_SIZE",
    "Backend",
    "BlobNotFound",
    "BlobVersion",
    "CheckReport",
    "LocalBackend",
    "ObjectKind",
    "ObjectStore",
    "StoredObject",
    "object_name",
    "open_store",
    "StoreUnavailable",
    "WormViolation",
    "backend_from_settings",
]
