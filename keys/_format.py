"""The chunked object format: AES-256-GCM in 64 KiB chunks with a committing, header-bound stream key.

Layout and rationale: docs/object-format.md. Every function here fails closed with TamperedError.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys._errors import TamperedError
from keys._secret import ObjectKey

MAGIC = b"BKLD"
VERSION = 1
ALG_AES_256_GCM = 1
CHUNK_SIZE = 65536
TAG_SIZE = 16
SALT_SIZE = 32
PREFIX_SIZE = 7
COMMITMENT_SIZE = 32
HKDF_LABEL = b"beeldkluis/object/v1"

# magic(4) version(1) algorithm(1) chunk_size(4) object_id(16) dek_id(16) salt(32) prefix(7)
_FIELDS = struct.Struct(">4sBBI16s16s32s7s")
HEADER_SIZE = _FIELDS.size + COMMITMENT_SIZE  # 113
_SEALED_CHUNK = CHUNK_SIZE + TAG_SIZE
_READ_PIECE = 1024 * 1024


@dataclass(frozen=True)
class Header:
    object_id: uuid.UUID
    dek_id: uuid.UUID
    salt: bytes
    nonce_prefix: bytes
    commitment: bytes
    raw: bytes


def parse_header(data: bytes) -> Header:
    """Parse and check the fixed header (magic, version, algorithm, chunk size). No key needed."""
    if len(data) < HEADER_SIZE:
        raise TamperedError("header te kort / header too short")
    magic, version, alg, chunk, oid, did, salt, prefix = _FIELDS.unpack_from(data)
    if magic != MAGIC:
        raise TamperedError("geen Beeldkluis-object / not a Beeldkluis object")
    if version != VERSION or alg != ALG_AES_256_GCM or chunk != CHUNK_SIZE:
        raise TamperedError("onbekende versie of parameters / unknown version or parameters")
    return Header(
        uuid.UUID(bytes=oid),
        uuid.UUID(bytes=did),
        salt,
        prefix,
        bytes(data[_FIELDS.size : HEADER_SIZE]),
        bytes(data[:HEADER_SIZE]),
    )


def _derive(
    key: ObjectKey, fields: bytes, salt: bytes, family_id: uuid.UUID
) -> tuple[bytes, bytes]:
    okm = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=salt, info=HKDF_LABEL + fields + family_id.bytes
    ).derive(key.secret)
    return okm[:32], okm[32:]


_NONCE_TAIL = struct.Struct(">IB")
_AAD_TAIL = struct.Struct(">QB")


class _Cipher:
    """The per-object stream cipher after the header has been checked."""

    def __init__(self, stream_key: bytes, prefix: bytes, object_id: uuid.UUID) -> None:
        self._aead = AESGCM(stream_key)
        self._prefix = prefix
        self._object_id = object_id.bytes

    def _nonce_aad(self, index: int, final: bool) -> tuple[bytes, bytes]:
        if index >= 2**32:
            raise ValueError("object too large for the chunk counter")
        flag = 1 if final else 0
        return self._prefix + _NONCE_TAIL.pack(index, flag), self._object_id + _AAD_TAIL.pack(
            index, flag
        )

    def seal(self, index: int, final: bool, plaintext: bytes | memoryview) -> bytes:
        nonce, aad = self._nonce_aad(index, final)
        return self._aead.encrypt(nonce, plaintext, aad)

    def open(self, index: int, final: bool, sealed: bytes | memoryview) -> bytes:
        nonce, aad = self._nonce_aad(index, final)
        try:
            return self._aead.decrypt(nonce, sealed, aad)
        except InvalidTag:
            raise TamperedError(f"blok {index} / chunk {index}") from None


def _open_header(
    key: ObjectKey, header: bytes, family_id: uuid.UUID, object_id: uuid.UUID
) -> _Cipher:
    parsed = parse_header(header)
    if parsed.object_id != object_id:
        raise TamperedError("ander object / different object")
    if parsed.dek_id != key.dek_id:
        raise TamperedError("andere sleutel / different key")
    stream_key, commitment = _derive(key, header[: _FIELDS.size], parsed.salt, family_id)
    if not hmac.compare_digest(commitment, parsed.commitment):
        raise TamperedError("sleutelbinding klopt niet / key commitment mismatch")
    return _Cipher(stream_key, parsed.nonce_prefix, object_id)


# Sizes --------------------------------------------------------------------------------------------


def chunk_count(plaintext_size: int) -> int:
    return max(1, -(-plaintext_size // CHUNK_SIZE))


def ciphertext_size(plaintext_size: int) -> int:
    if plaintext_size < 0:
        raise ValueError("negative size")
    return HEADER_SIZE + plaintext_size + TAG_SIZE * chunk_count(plaintext_size)


def plaintext_size(ciphertext_size_: int) -> int:
    body = ciphertext_size_ - HEADER_SIZE
    if body < TAG_SIZE:
        raise TamperedError("object te kort / object too short")
    chunks = -(-body // _SEALED_CHUNK)
    size = body - TAG_SIZE * chunks
    if size < 0 or ciphertext_size(size) != ciphertext_size_:
        raise TamperedError("onmogelijke grootte / impossible size")
    return size


def cipher_range(start: int, end: int, plaintext_size: int) -> tuple[int, int]:
    """Absolute ciphertext offsets [from, to) of the whole chunks covering plaintext [start, end)."""
    end = min(end, plaintext_size)
    if start < 0 or start >= end:
        raise ValueError("empty or negative range")
    first, last = start // CHUNK_SIZE, (end - 1) // CHUNK_SIZE
    lo = HEADER_SIZE + first * _SEALED_CHUNK
    hi = min(HEADER_SIZE + (last + 1) * _SEALED_CHUNK, ciphertext_size(plaintext_size))
    return lo, hi


# Sealing ------------------------------------------------------------------------------------------


class Sealer:
    """Incremental writer of one object: `header`, then `update()` pieces, then `finish()`.

    Memory stays at one chunk whatever the size. Keeps the plaintext SHA-256 and size on the way.
    """

    def __init__(
        self,
        key: ObjectKey,
        *,
        family_id: uuid.UUID,
        object_id: uuid.UUID,
        hash_plaintext: bool = True,
        _salt: bytes | None = None,
        _prefix: bytes | None = None,
    ) -> None:
        salt = _salt if _salt is not None else os.urandom(SALT_SIZE)
        prefix = _prefix if _prefix is not None else os.urandom(PREFIX_SIZE)
        fields = _FIELDS.pack(
            MAGIC,
            VERSION,
            ALG_AES_256_GCM,
            CHUNK_SIZE,
            object_id.bytes,
            key.dek_id.bytes,
            salt,
            prefix,
        )
        stream_key, commitment = _derive(key, fields, salt, family_id)
        self.header = fields + commitment
        self._cipher = _Cipher(stream_key, prefix, object_id)
        self._index = 0
        self._buffer = bytearray()
        self._hash: hashlib._Hash | None = hashlib.sha256() if hash_plaintext else None
        self._size = 0
        self._finished = False

    @classmethod
    def resume(
        cls,
        key: ObjectKey,
        *,
        family_id: uuid.UUID,
        object_id: uuid.UUID,
        header: bytes,
        next_index: int,
    ) -> Sealer:
        """Continue an object whose header and first `next_index` chunks were already written.

        Used by resumable uploads after a restart; the plaintext hash of the earlier chunks is unknown,
        so `sha256` is unavailable on a resumed sealer.
        """
        self = cls.__new__(cls)
        self.header = bytes(header[:HEADER_SIZE])
        self._cipher = _open_header(key, self.header, family_id, object_id)
        self._index = next_index
        self._buffer = bytearray()
        self._hash = None
        self._size = next_index * CHUNK_SIZE
        self._finished = False
        return self

    @property
    def plaintext_size(self) -> int:
        return self._size

    @property
    def sha256(self) -> str:
        if self._hash is None:
            raise RuntimeError(
                "this sealer keeps no hash of the whole plaintext (resumed, or hashing off)"
            )
        return self._hash.hexdigest()

    @property
    def next_index(self) -> int:
        """Index of the next chunk to be sealed (chunks before it are out)."""
        return self._index

    @property
    def pending(self) -> int:
        """Plaintext bytes held back (at most one chunk) until more data or finish()."""
        return len(self._buffer)

    def update(self, data: bytes | bytearray | memoryview) -> bytes:
        """Ciphertext of every chunk completed by `data` (may be empty)."""
        return b"".join(self.update_chunks(data))

    def update_chunks(self, data: bytes | bytearray | memoryview) -> list[bytes]:
        """Like update(), as a list of sealed chunks (saves a copy on the hot path)."""
        if self._finished:
            raise RuntimeError("sealer already finished")
        view = memoryview(data).cast("B")
        self._size += len(view)
        if self._hash is not None:
            self._hash.update(view)
        out: list[bytes] = []
        # Top up a held-back partial chunk first; a full chunk goes out only when more data follows.
        if self._buffer:
            take = CHUNK_SIZE - len(self._buffer)
            self._buffer += view[:take]
            view = view[take:]
            if len(view) == 0:
                return out
            out.append(self._cipher.seal(self._index, False, bytes(self._buffer)))
            self._index += 1
            self._buffer.clear()
        while len(view) > CHUNK_SIZE:
            out.append(self._cipher.seal(self._index, False, view[:CHUNK_SIZE]))
            self._index += 1
            view = view[CHUNK_SIZE:]
        self._buffer += view
        return out

    def finish(self) -> bytes:
        """Seal the final chunk (empty only for an empty object)."""
        if self._finished:
            raise RuntimeError("sealer already finished")
        self._finished = True
        sealed = self._cipher.seal(self._index, True, bytes(self._buffer))
        self._index += 1
        self._buffer.clear()
        return sealed


def _pieces(source: Iterable[bytes] | BinaryIO) -> Iterator[bytes]:
    read = getattr(source, "read", None)
    if read is not None:
        while piece := read(_READ_PIECE):
            yield piece
    else:
        yield from source


def seal(
    key: ObjectKey,
    *,
    family_id: uuid.UUID,
    object_id: uuid.UUID,
    source: Iterable[bytes] | BinaryIO,
) -> Iterator[bytes]:
    """Header, then the sealed chunks of `source`, with bounded memory whatever the size."""
    sealer = Sealer(key, family_id=family_id, object_id=object_id, hash_plaintext=False)
    yield sealer.header
    for piece in _pieces(source):
        yield from sealer.update_chunks(piece)
    yield sealer.finish()


# Opening ------------------------------------------------------------------------------------------


def open_range(
    key: ObjectKey,
    *,
    family_id: uuid.UUID,
    object_id: uuid.UUID,
    header: bytes,
    read: Callable[[int, int], bytes],
    plaintext_size: int,
    start: int,
    end: int,
) -> bytes:
    """Plaintext [start, end) (end exclusive, clamped to the size) from one read of the covering chunks.

    Each chunk is authenticated whole before any byte of it is released; a range that reaches the
    last chunk authenticates it as the final chunk, so truncation is caught.
    """
    cipher = _open_header(key, header, family_id, object_id)
    end = min(end, plaintext_size)
    if start < 0:
        raise ValueError("negative offset")
    if start >= end:
        return b""
    lo, hi = cipher_range(start, end, plaintext_size)
    data = memoryview(read(lo, hi - lo))
    if len(data) != hi - lo:
        raise TamperedError("object afgekapt / object truncated")
    first = start // CHUNK_SIZE
    last_of_object = chunk_count(plaintext_size) - 1
    pieces = []
    offset = 0
    index = first
    while offset < len(data):
        sealed = data[offset : offset + _SEALED_CHUNK]
        pieces.append(cipher.open(index, index == last_of_object, sealed))
        offset += len(sealed)
        index += 1
    skip = start - first * CHUNK_SIZE
    plain = b"".join(
        pieces
    )  # one copy; ranges on chunk boundaries (ffmpeg's, mostly) need no second
    if skip == 0 and len(plain) == end - start:
        return plain
    return plain[skip : skip + (end - start)]


def open_stream(
    key: ObjectKey, *, family_id: uuid.UUID, object_id: uuid.UUID, source: Iterable[bytes]
) -> Iterator[bytes]:
    """Decrypt a whole object from a stream of ciphertext pieces, one authenticated chunk at a time.

    A chunk is known to be non-final only once a byte after it has arrived; the last one is opened
    as final. Pieces are read through views, so only a chunk straddling two pieces is copied.
    """
    rest = b""
    cipher: _Cipher | None = None
    index = 0
    for piece in source:
        view = memoryview(piece)
        if cipher is None:
            if len(rest) + len(view) < HEADER_SIZE:
                rest += bytes(view)
                continue
            take = HEADER_SIZE - len(rest)
            cipher = _open_header(key, rest + bytes(view[:take]), family_id, object_id)
            view, rest = view[take:], b""
        if rest:
            need = _SEALED_CHUNK - len(rest)
            if len(view) <= need:
                rest += bytes(view)
                continue
            yield cipher.open(index, False, rest + bytes(view[:need]))
            index += 1
            view, rest = view[need:], b""
        offset = 0
        while len(view) - offset > _SEALED_CHUNK:
            yield cipher.open(index, False, view[offset : offset + _SEALED_CHUNK])
            index += 1
            offset += _SEALED_CHUNK
        rest = bytes(view[offset:])
    if cipher is None:
        raise TamperedError("header ontbreekt / header missing")
    if len(rest) < TAG_SIZE:
        raise TamperedError("laatste blok ontbreekt / final chunk missing")
    last = cipher.open(index, True, rest)
    if last:
        yield last
