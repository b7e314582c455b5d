"""The header of an object is trusted only once it authenticated, and never across readers: an object
whose header changes in storage is read afresh (and refused), and one whose genuine header comes back
is served again, in the same process, without a restart."""

from __future__ import annotations

import pytest

from keys import HEADER_SIZE, TamperedError
from tests.support.store import FAMILY, pattern
from vault.store import ObjectKind, ObjectStore


def raw(store: ObjectStore, name: str) -> bytes:
    return b"".join(store.backend.iter_bytes(name))


def replace(store: ObjectStore, name: str, data: bytes) -> None:
    """Overwrite the stored ciphertext (on S3 a new latest version), as an attacker or bit rot would."""
    store.backend.put(name, [data])


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_a_header_changed_in_storage_is_refused_by_a_running_process(store: ObjectStore) -> None:
    plain = pattern(200_000)
    row = store.put(family_id=FAMILY, kind=ObjectKind.original, source=[plain])
    assert store.open_range(row.id, 0, 100) == plain[:100]  # the header was read (and once, cached)
    genuine = raw(store, row.name)
    replace(store, row.name, flip(genuine, 90))  # inside the key commitment
    with pytest.raises(TamperedError):
        store.open_range(row.id, 0, 100)
    with pytest.raises(TamperedError):
        store.range_reader(row.id)[1](70_000, 10)


def test_a_restored_header_is_served_again_by_a_process_that_saw_it_damaged(
    store: ObjectStore,
) -> None:
    plain = pattern(200_000)
    row = store.put(family_id=FAMILY, kind=ObjectKind.original, source=[plain])
    genuine = raw(store, row.name)
    replace(store, row.name, flip(genuine, HEADER_SIZE - 1))
    size, read = store.range_reader(row.id)
    with pytest.raises(TamperedError):
        read(0, 100)
    replace(store, row.name, genuine)  # restored from a backup
    assert read(0, 100) == plain[:100]  # the same reader: a refused header was never kept
    assert store.open_range(row.id, 100_000, 100_010) == plain[100_000:100_010]


def test_a_reader_keeps_its_authenticated_header(store: ObjectStore) -> None:
    """One ranged GET for the header per reader, not per read: a long transcode costs no more."""
    plain = pattern(300_000)
    row = store.put(family_id=FAMILY, kind=ObjectKind.original, source=[plain])
    calls: list[tuple[int, int]] = []
    get_range = store.backend.get_range

    def counting(name: str, offset: int, length: int) -> bytes:
        calls.append((offset, length))
        return get_range(name, offset, length)

    store.backend.get_range = counting  # type: ignore[method-assign]  # the test counts the backend's range reads by replacing the method
    _, read = store.range_reader(row.id)
    for start in (0, 70_000, 140_000, 210_000):
        assert read(start, 1000) == plain[start : start + 1000]
    assert sum(1 for offset, length in calls if (offset, length) == (0, HEADER_SIZE)) == 1
