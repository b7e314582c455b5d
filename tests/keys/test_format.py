"""The object format: round trips of every size shape, random ranges, and every tampering fails closed."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keys import (
    CHUNK_SIZE,
    HEADER_SIZE,
    TAG_SIZE,
    ObjectKey,
    Sealer,
    TamperedError,
    cipher_range,
    ciphertext_size,
    open_range,
    open_stream,
    plaintext_size,
    seal,
)

FAMILY = uuid.UUID("0f0f0f0f-0000-4000-8000-000000000001")
OBJECT = uuid.UUID("0f0f0f0f-0000-4000-8000-000000000002")
SEALED = CHUNK_SIZE + TAG_SIZE
KEY = ObjectKey(uuid.UUID("0f0f0f0f-0000-4000-8000-000000000003"), bytes(range(32)))
SIZES = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * 1024 * 1024 + 5]


def sealed(data: bytes, piece: int = 4099, key: ObjectKey = KEY, obj: uuid.UUID = OBJECT) -> bytes:
    return b"".join(
        seal(
            key,
            family_id=FAMILY,
            object_id=obj,
            source=[data[i : i + piece] for i in range(0, len(data), piece)],
        )
    )


def opened(
    cipher: bytes, key: ObjectKey = KEY, family: uuid.UUID = FAMILY, obj: uuid.UUID = OBJECT
) -> bytes:
    return b"".join(
        open_stream(
            key,
            family_id=family,
            object_id=obj,
            source=[cipher[i : i + 10007] for i in range(0, len(cipher), 10007)],
        )
    )


def ranged(cipher: bytes, size: int, start: int, end: int, key: ObjectKey = KEY) -> bytes:
    return open_range(
        key,
        family_id=FAMILY,
        object_id=OBJECT,
        header=cipher[:HEADER_SIZE],
        read=lambda o, n: cipher[o : o + n],
        plaintext_size=size,
        start=start,
        end=end,
    )


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_and_sizes(size: int) -> None:
    data = os.urandom(size)
    cipher = sealed(data)
    assert len(cipher) == ciphertext_size(size)
    assert plaintext_size(len(cipher)) == size
    assert opened(cipher) == data
    assert ranged(cipher, size, 0, size) == data


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(0, 5 * CHUNK_SIZE + 3), piece=st.integers(1, 3 * CHUNK_SIZE), data=st.data()
)
def test_any_piece_sizes_and_ranges(size: int, piece: int, data: st.DataObject) -> None:
    plain = os.urandom(size)
    cipher = sealed(plain, piece=piece)
    assert opened(cipher) == plain
    start = data.draw(st.integers(0, size))
    end = data.draw(st.integers(start, size + 3))
    assert ranged(cipher, size, start, end) == plain[start:end]


def test_one_read_covers_exactly_the_needed_chunks() -> None:
    size = 10 * CHUNK_SIZE + 5
    plain = os.urandom(size)
    cipher = sealed(plain)
    reads: list[tuple[int, int]] = []

    def read(offset: int, length: int) -> bytes:
        reads.append((offset, length))
        return cipher[offset : offset + length]

    got = open_range(
        KEY,
        family_id=FAMILY,
        object_id=OBJECT,
        header=cipher[:HEADER_SIZE],
        read=read,
        plaintext_size=size,
        start=3 * CHUNK_SIZE + 10,
        end=4 * CHUNK_SIZE + 20,
    )
    assert got == plain[3 * CHUNK_SIZE + 10 : 4 * CHUNK_SIZE + 20]
    assert reads == [(HEADER_SIZE + 3 * SEALED, 2 * SEALED)]
    assert cipher_range(0, 1, size) == (HEADER_SIZE, HEADER_SIZE + SEALED)


def test_resumed_sealer_continues_the_same_object() -> None:
    plain = os.urandom(5 * CHUNK_SIZE + 77)
    first = Sealer(KEY, family_id=FAMILY, object_id=OBJECT)
    head = first.header + first.update(
        plain[: 3 * CHUNK_SIZE + 1]
    )  # emits 3 chunks, holds 1 byte back
    assert first.next_index == 3
    assert first.pending == 1
    again = Sealer.resume(
        KEY, family_id=FAMILY, object_id=OBJECT, header=first.header, next_index=3
    )
    tail = again.update(plain[3 * CHUNK_SIZE :]) + again.finish()
    assert opened(head + tail) == plain


# Tampering ----------------------------------------------------------------------------------------

PLAIN = os.urandom(4 * CHUNK_SIZE + 100)
CIPHER = sealed(PLAIN)


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def chunks(cipher: bytes) -> list[bytes]:
    body = cipher[HEADER_SIZE:]
    return [body[i : i + SEALED] for i in range(0, len(body), SEALED)]


@pytest.mark.parametrize(
    "tampered",
    [
        pytest.param(flip(CIPHER, 0), id="magic"),
        pytest.param(flip(CIPHER, 20), id="object-id-in-header"),
        pytest.param(flip(CIPHER, 50), id="salt"),
        pytest.param(flip(CIPHER, 76), id="nonce-prefix"),
        pytest.param(flip(CIPHER, 100), id="commitment"),
        pytest.param(flip(CIPHER, HEADER_SIZE + 5), id="chunk-byte"),
        pytest.param(flip(CIPHER, HEADER_SIZE + SEALED - 1), id="chunk-tag"),
        pytest.param(flip(CIPHER, len(CIPHER) - 1), id="final-tag"),
        pytest.param(CIPHER[:-1], id="truncated-last-chunk"),
        pytest.param(CIPHER[: HEADER_SIZE + 4 * SEALED], id="dropped-final-chunk"),
        pytest.param(
            CIPHER[:HEADER_SIZE]
            + b"".join([chunks(CIPHER)[1], chunks(CIPHER)[0], *chunks(CIPHER)[2:]]),
            id="reordered",
        ),
        pytest.param(CIPHER[:HEADER_SIZE], id="header-only"),
        pytest.param(CIPHER[:50], id="short-header"),
    ],
)
def test_tampering_fails_closed(tampered: bytes) -> None:
    with pytest.raises(TamperedError):
        opened(tampered)


def test_chunk_spliced_from_another_object_fails() -> None:
    other_id = uuid.uuid4()
    other = sealed(PLAIN, obj=other_id)
    spliced = CIPHER[:HEADER_SIZE] + chunks(other)[0] + b"".join(chunks(CIPHER)[1:])
    with pytest.raises(TamperedError):
        opened(spliced)


def test_wrong_family_wrong_key_and_wrong_object_fail() -> None:
    with pytest.raises(TamperedError, match="sleutelbinding|commitment"):
        opened(CIPHER, family=uuid.uuid4())
    with pytest.raises(TamperedError, match="andere sleutel"):
        opened(CIPHER, key=ObjectKey(uuid.uuid4(), os.urandom(32)))
    with pytest.raises(TamperedError, match="sleutelbinding"):
        opened(CIPHER, key=ObjectKey(KEY.dek_id, os.urandom(32)))
    with pytest.raises(TamperedError, match="ander object"):
        opened(CIPHER, obj=uuid.uuid4())


def test_ranges_authenticate_before_releasing_and_catch_truncation() -> None:
    size = len(PLAIN)
    bad = flip(CIPHER, HEADER_SIZE + 2 * SEALED + 3)
    with pytest.raises(TamperedError):
        ranged(bad, size, 2 * CHUNK_SIZE, 2 * CHUNK_SIZE + 1)
    assert ranged(bad, size, 0, 10) == PLAIN[:10]  # other chunks still read
    with pytest.raises(TamperedError):
        ranged(CIPHER[:-10], size, size - 5, size)
    # A suffix range checks the final flag: a non-final chunk presented as last fails.
    cut = CIPHER[: HEADER_SIZE + 4 * SEALED]
    with pytest.raises(TamperedError):
        ranged(cut, 4 * CHUNK_SIZE, 4 * CHUNK_SIZE - 3, 4 * CHUNK_SIZE)


def test_impossible_sizes_are_refused() -> None:
    for bad in (0, HEADER_SIZE, HEADER_SIZE + 15, HEADER_SIZE + 16 + CHUNK_SIZE + 1):
        with pytest.raises(TamperedError):
            plaintext_size(bad)


def test_memory_stays_bounded_while_sealing() -> None:
    def endless() -> Iterator[bytes]:
        block = os.urandom(1024 * 1024)
        for _ in range(64):
            yield block

    sealer = Sealer(KEY, family_id=FAMILY, object_id=OBJECT)
    for block in endless():
        sealer.update(block)
        assert sealer.pending <= CHUNK_SIZE
    assert sealer.plaintext_size == 64 * 1024 * 1024


def test_keys_never_print() -> None:
    assert KEY.secret.hex() not in repr(KEY)
    assert str(KEY.secret) not in str(KEY)
