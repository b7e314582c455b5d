"""Resumable writes: one object received over many requests, perhaps each by another process (ADR 0010).

Between requests nothing lives in a process: the owner of the upload keeps a `Resumable` (names and the
object header) and a `Progress` (stored parts, their etags, the tail) in its own database row, and the
ciphertext is in the object store: numbered parts of a multipart upload, and below the smallest part a
short-lived *tail* object `<name>.tail-<committed>` that the next request puts in front of what it
seals (as tusd's S3 store keeps its "incomplete part"). Only whole sealed chunks are ever stored; the
plaintext of an unfinished chunk is dropped at the end of a request and sent again by the client, so no
plaintext is ever at rest and a key never leaves the process that unwrapped it.
"""

from __future__ import annotations

import re
import uuid
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace

from keys import CHUNK_SIZE, ObjectKey, Sealer, open_stream
from vault.store._backend import PART_SIZE, Backend, StoreUnavailable

MIN_PART = 5 * 1024 * 1024  # S3's smallest part but the last: less is kept as the tail object
PARALLEL_PARTS = 3  # parts stored at a time while the next one is sealed (as minio-py's own put)
TAIL = re.compile(r"^(?P<name>.+)\.(tail|carry)-[0-9]{1,19}$")


def tail_name(name: str, committed: int) -> str:
    return f"{name}.tail-{committed}"


def carry_name(name: str, committed: int) -> str:
    return f"{name}.carry-{committed}"


def _carry_id(object_id: uuid.UUID) -> uuid.UUID:
    """The carry is sealed as an object of its own (own salt, so its own stream key) under this id."""
    return uuid.uuid5(object_id, "carry")


def tail_of(name: str) -> str | None:
    """The object a tail object belongs to, or None for any other name."""
    found = TAIL.match(name)
    return found["name"] if found else None


@dataclass(frozen=True)
class Resumable:
    """What never changes while an object is received: where it goes, and its header (no key material)."""

    object_id: uuid.UUID
    family_id: uuid.UUID
    name: str
    upload_id: str  # the backend's multipart upload
    header: bytes


@dataclass(frozen=True)
class Progress:
    """What is stored so far: `committed` plaintext bytes. All but the last `carry` of them are sealed
    into whole chunks, in the parts (`etags`, in order) and in the tail object of `tail` ciphertext
    bytes (0: no tail); the last `carry` (at most one chunk the sealer held back) are sealed apart, in
    a carry object of their own, and sealed into the object's stream by the next request."""

    committed: int = 0
    etags: tuple[str, ...] = field(default_factory=tuple)
    tail: int = 0
    carry: int = 0

    @property
    def sealed(self) -> int:
        return self.committed - self.carry


class ResumableWriter:
    """One request's turn at a resumable object: `write` plaintext, then `checkpoint` (the request ends
    before the object does) or `finish`; `close` always. Holds no database session; the caller records
    the `Progress` it returns (and `durable` on the way) in its own row."""

    def __init__(
        self, backend: Backend, key: ObjectKey, spec: Resumable, progress: Progress
    ) -> None:
        self._backend, self._spec, self._start, self._key = backend, spec, progress, key
        self._sealer = Sealer.resume(
            key,
            family_id=spec.family_id,
            object_id=spec.object_id,
            header=spec.header,
            next_index=progress.sealed // CHUNK_SIZE,
        )
        self._pending = bytearray()
        self._recent = (
            bytearray()
        )  # the last plaintext written: what the sealer holds back is its end
        if progress.tail:
            self._pending += backend.get_range(
                tail_name(spec.name, progress.sealed), 0, progress.tail
            )
            if len(self._pending) != progress.tail:
                raise StoreUnavailable("the tail of a resumable upload is incomplete")
        elif not progress.etags:
            self._pending += spec.header
        self._pool = ThreadPoolExecutor(PARALLEL_PARTS, thread_name_prefix="part")
        self._in_flight: deque[tuple[Future[str], int]] = deque()
        self.durable = replace(
            progress, committed=progress.sealed, carry=0
        )  # stored, may be recorded
        self.offset = progress.sealed  # plaintext taken, with the part of a chunk held back
        if progress.carry:
            sealed = b"".join(backend.iter_bytes(carry_name(spec.name, progress.committed)))
            held = b"".join(
                open_stream(
                    key,
                    family_id=spec.family_id,
                    object_id=_carry_id(spec.object_id),
                    source=[sealed],
                )
            )
            if len(held) != progress.carry:
                raise StoreUnavailable("the carry of a resumable upload is incomplete")
            self.write(held)

    def write(self, data: bytes | bytearray) -> None:
        """Seal `data`; full parts are stored in the background, at most PARALLEL_PARTS at a time."""
        for chunk in self._sealer.update_chunks(data):  # one copy each, no join first
            self._pending += chunk
        self.offset += len(data)
        self._recent = (self._recent + data[-CHUNK_SIZE:])[-CHUNK_SIZE:]
        if len(self._pending) >= PART_SIZE:
            self._cut()

    def _cut(self) -> None:
        data, committed = self._pending, self._sealer.next_index * CHUNK_SIZE
        self._pending = bytearray()  # handed over whole, not copied
        number = len(self.durable.etags) + len(self._in_flight) + 1
        spec = self._spec
        put = self._pool.submit(self._backend.put_part, spec.name, spec.upload_id, number, data)  # type: ignore[arg-type]  # put_part only reads the buffer; a bytearray avoids a copy of each part
        self._in_flight.append((put, committed))
        while len(self._in_flight) >= PARALLEL_PARTS:
            self._settle()

    def _settle(self) -> None:
        """Record the oldest part once stored: strictly in order, so `durable` covers parts that all exist."""
        put, committed = self._in_flight.popleft()
        self.durable = Progress(committed, (*self.durable.etags, put.result()), 0)

    def checkpoint(self) -> Progress:
        """End this turn before the object is complete: store what is sealed (as a part when it is large
        enough, else as the tail object) and the plaintext the sealer holds back, sealed apart as the
        carry; return the progress for the caller to record. No plaintext is ever stored."""
        if self.offset == self._start.committed:
            return self._start  # nothing new: what is stored stays as it is
        if len(self._pending) >= MIN_PART:
            self._cut()
        while self._in_flight:
            self._settle()
        sealed = self._sealer.next_index * CHUNK_SIZE
        if self._pending and (sealed, len(self._pending)) != (self._start.sealed, self._start.tail):
            self._backend.put(tail_name(self._spec.name, sealed), [bytes(self._pending)])
        self.durable = replace(self.durable, committed=sealed, tail=len(self._pending))
        held = self._sealer.pending
        if held:
            spec = self._spec
            carry = Sealer(
                self._key,
                family_id=spec.family_id,
                object_id=_carry_id(spec.object_id),
                hash_plaintext=False,
            )
            blob = (
                carry.header + b"".join(carry.update_chunks(self._recent[-held:])) + carry.finish()
            )
            self._backend.put(carry_name(spec.name, self.offset), [blob])
            self.durable = replace(self.durable, committed=self.offset, carry=held)
        return self.durable

    def finish(self) -> tuple[int, Progress]:
        """Seal the last chunk, store the last part and join the parts into the object; returns its
        ciphertext size and the final progress. Tail objects are removed once the object is complete."""
        self._pending += self._sealer.finish()
        while self._in_flight:
            self._settle()
        spec, etags = self._spec, self.durable.etags
        etag = self._backend.put_part(
            spec.name, spec.upload_id, len(etags) + 1, bytes(self._pending)
        )
        size = self._backend.complete_upload(spec.name, spec.upload_id, [*etags, etag])
        self.durable = Progress(self._sealer.plaintext_size, (*etags, etag), 0)
        drop_tails(self._backend, spec.name)
        return size, self.durable

    def drop_superseded_tail(self) -> None:
        """Once the caller recorded a newer progress: remove the tail and carry this turn started from
        (a crash before this leaves them to `drop_tails` at the end, or to `store check --repair`)."""
        start, now, name = self._start, self.durable, self._spec.name
        if start.tail and (start.sealed, start.tail) != (now.sealed, now.tail):
            self._backend.delete(tail_name(name, start.sealed))
        if start.carry and start.committed != now.committed:
            self._backend.delete(carry_name(name, start.committed))

    def close(self) -> None:
        """Let parts still being stored end (after a failure they are simply stored again later)."""
        wait([put for put, _ in self._in_flight])
        self._in_flight.clear()
        self._pool.shutdown(wait=True)


def drop_tails(backend: Backend, name: str) -> None:
    for found, _size in list(backend.listing(name + ".")):
        if tail_of(found) == name:
            backend.delete(found)
