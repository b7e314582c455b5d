"""Object store helpers: a family id, deterministic bytes, a writer that fails, the real MinIO backend,
a stored chunk damaged."""

from __future__ import annotations

import hashlib
import uuid

import pytest

import vault.tables  # noqa: F401 - every table
from vault.db import unit_of_work
from vault.settings import get_settings
from vault.store import ObjectKind, ObjectStore, StoredObject, backend_from_settings
from vault.store._s3 import S3Backend

FAMILY = uuid.UUID("00000000-0000-4000-8000-00000000fa01")


MiB = 1024 * 1024


def pattern(size: int, seed: int = 7) -> bytes:
    """Deterministic, incompressible-looking bytes of any size."""
    out = bytearray()
    block = hashlib.sha256(seed.to_bytes(8, "big")).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 64
    return bytes(out[:size])


def write_then_fail(store: ObjectStore, size: int) -> uuid.UUID:
    """Write `size` bytes through a writer that then fails; returns the id the object would have had."""
    seen: list[uuid.UUID] = []
    with pytest.raises(OSError, match="geannuleerd"):  # noqa: PT012, SIM117 - the failure is inside the writer's block
        with store.writer(family_id=FAMILY, kind=ObjectKind.export) as out:
            seen.append(out.object_id)
            out.write(pattern(size))
            raise OSError("geannuleerd / cancelled")
    return seen[0]


def make_s3(s3_config: dict[str, str]) -> S3Backend:
    suffix = uuid.uuid4().hex[:10]
    backend = S3Backend(
        s3_config["endpoint"],
        s3_config["access_key"],
        s3_config["secret_key"],
        bucket=f"bk-{suffix}",
        worm_bucket=f"bk-worm-{suffix}",
        worm_days=1,
        timeout=5,
    )
    backend.ensure_ready()
    return backend


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
