"""The encrypted object store on a local directory and on real MinIO: round trips, ranges, forgetting."""

from __future__ import annotations

import hashlib
import os
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from keys import CHUNK_SIZE, KeyDestroyed
from tests.support.store import FAMILY, MiB, pattern, write_then_fail
from vault.store import BlobNotFound, ObjectKind, ObjectStore


def pieces(data: bytes, size: int = 100_003) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * MiB + 17])
def test_round_trip(store: ObjectStore, size: int) -> None:
    data = pattern(size)
    row = store.put(family_id=FAMILY, kind=ObjectKind.original, source=pieces(data))
    assert row.size == size
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(store.iter_plaintext(row.id)) == data
    assert store.open_range(row.id, 0, size) == data
    assert store.check().clean


def test_round_trip_100_mib_from_a_file(store: ObjectStore, tmp_path: Path) -> None:
    size = 100 * MiB
    digest = hashlib.sha256()
    path = tmp_path / "source.bin"  # test input only; the store itself never writes plaintext
    with open(path, "wb") as out:
        for i in range(0, size, 4 * MiB):
            block = pattern(4 * MiB, seed=i)
            digest.update(block)
            out.write(block)
    with open(path, "rb") as source:
        row = store.put(family_id=FAMILY, kind=ObjectKind.original, source=source)
    assert row.size == size
    assert row.sha256 == digest.hexdigest()
    again = hashlib.sha256()
    for piece in store.iter_plaintext(row.id):
        again.update(piece)
    assert again.hexdigest() == digest.hexdigest()
    middle = 50 * MiB + 12345
    assert (
        store.open_range(row.id, middle, middle + 1000)
        == pattern(4 * MiB, seed=48 * MiB)[middle - 48 * MiB : middle - 48 * MiB + 1000]
    )


def test_random_ranges_match_the_plaintext(store: ObjectStore) -> None:
    rng = random.Random(20261124)
    for size in (1, CHUNK_SIZE, 5 * CHUNK_SIZE + 99):
        plain = pattern(size, seed=size)
        row = store.put(family_id=FAMILY, kind=ObjectKind.original, source=[plain])
        edges = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, size - 1, size]
        for _ in range(60):
            start = rng.choice([rng.randint(0, size), *[e for e in edges if 0 <= e <= size]])
            end = rng.choice([rng.randint(start, size + 10), size, size + 5, start])
            assert store.open_range(row.id, start, end) == plain[start:end], (size, start, end)


def test_delete_forgets_and_shreds(store: ObjectStore) -> None:
    row = store.put(family_id=FAMILY, kind=ObjectKind.proxy, source=[b"x" * 1000])
    name = row.name
    assert store.delete(row.id) >= 1
    assert store.backend.versions(name) == []
    with pytest.raises(BlobNotFound):
        store.open_range(row.id, 0, 10)
    with pytest.raises(KeyDestroyed, match="vernietigd"):
        store.keyring.object_key(row.id)
    assert store.check().clean


def test_store_check_finds_both_kinds_of_inconsistency(store: ObjectStore) -> None:
    kept = store.put(family_id=FAMILY, kind=ObjectKind.original, source=[b"kept"])
    lost = store.put(family_id=FAMILY, kind=ObjectKind.original, source=[b"lost"])
    store.backend.delete(lost.name)
    stray = f"original/ab/{uuid.uuid4()}"
    store.backend.put(stray, [b"not ours"])
    report = store.check()
    assert report.rows_without_objects == [lost.id]
    assert report.objects_without_rows == [stray]
    assert kept.id not in report.rows_without_objects


def test_interrupted_put_leaves_nothing(store: ObjectStore) -> None:
    def dying() -> Iterator[bytes]:
        yield pattern(20 * MiB)  # past the first 16 MiB part, so a multipart upload is under way
        raise OSError("kaart verwijderd / card pulled")

    with pytest.raises(OSError, match="kaart"):
        store.put(family_id=FAMILY, kind=ObjectKind.original, source=dying())
    store.session.rollback()
    assert list(store.backend.listing()) == []
    assert store.check().clean


def test_names_in_storage_are_opaque(store: ObjectStore) -> None:
    row = store.put(family_id=FAMILY, kind=ObjectKind.evidence, source=[b"scan"])
    ((name, _size),) = list(store.backend.listing())
    assert name == row.name
    assert str(FAMILY) not in name
    assert FAMILY.hex not in name


def test_local_store_refuses_paths_outside_its_root(tmp_path: Path) -> None:
    from vault.store import LocalBackend

    backend = LocalBackend(tmp_path / "root")
    backend.ensure_ready()
    for bad in ("../escape", "/etc/passwd", "original/../../x", "a/../../b"):
        with pytest.raises(ValueError, match="invalid object name|escapes"):
            backend.put(bad, [b"x"])
    assert not (tmp_path / "escape").exists()


def test_worm_records_cannot_be_overwritten(store: ObjectStore) -> None:
    from vault.store import WormViolation

    store.backend.put_worm("checkpoints/000000000001.json", b"{}")
    with pytest.raises(WormViolation):
        store.backend.put_worm("checkpoints/000000000001.json", b'{"forged": true}')
    assert store.backend.get_worm("checkpoints/000000000001.json") == b"{}"
    assert list(store.backend.worm_names("checkpoints/")) == ["checkpoints/000000000001.json"]


def test_no_plaintext_reaches_the_store(store: ObjectStore) -> None:
    marker = b"KIND-IN-BAD-" + os.urandom(8).hex().encode()
    plain = (marker + b" ") * 20_000
    row = store.put(family_id=FAMILY, kind=ObjectKind.original, source=[plain])
    raw = b"".join(store.backend.iter_bytes(row.name))
    assert marker not in raw
    assert str(FAMILY).encode() not in raw
    assert FAMILY.bytes not in raw


def test_writer_round_trip_in_parts(store: ObjectStore) -> None:
    data = pattern(40 * MiB + 5)  # three parts of the multipart upload behind the writer
    with store.writer(family_id=FAMILY, kind=ObjectKind.export) as out:
        for piece in pieces(data, 3 * MiB + 1):
            out.write(piece)
        assert out.tell() == len(data)
    row = store.get(out.object_id)
    assert (row.size, row.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert b"".join(store.iter_plaintext(row.id)) == data
    size, read = store.range_reader(row.id)
    assert size == len(data)
    assert read(20 * MiB - 3, 7) == data[20 * MiB - 3 : 20 * MiB + 4]
    assert store.check().clean


def test_writer_that_fails_leaves_nothing_and_no_key(store: ObjectStore) -> None:
    object_id = write_then_fail(store, 20 * MiB)
    assert list(store.backend.listing()) == []
    with pytest.raises(KeyDestroyed):
        store.keyring.object_key(object_id)
    assert store.check().clean
