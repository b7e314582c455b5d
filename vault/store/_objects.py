"""The encrypted object store: every blob sealed per object, keys wrapped per family, rows for accounting."""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import BinaryIO

from sqlalchemy import BigInteger
from sqlmodel import Field, Session, SQLModel, select

from keys import (
    HEADER_SIZE,
    Keyring,
    ObjectKey,
    Sealer,
    ciphertext_size,
    open_range,
    open_stream,
)
from vault.keyring.models import ObjectDekRow
from vault.store._backend import Backend, BlobNotFound
from vault.store._resumable import Progress, Resumable, ResumableWriter, drop_tails, tail_of

READ_PIECE = 1024 * 1024


class ObjectKind(StrEnum):
    original = "original"
    proxy = "proxy"
    evidence = "evidence"
    export = "export"
    segment = "segment"  # a watermarked review segment, minutes old at most (vault.media.live)
    anonymised = "anonymised"  # faces blurred, derived from an original (vault.anonymise)


class StoredObject(SQLModel, table=True):
    """Accounting for one stored blob. Names in storage are opaque; this row ties them to a family."""

    __tablename__ = "stored_object"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    family_id: uuid.UUID = Field(index=True)
    kind: str = Field(
        max_length=16
    )  # an ObjectKind; plain text keeps migrations free of enum types
    size: int = Field(sa_type=BigInteger)
    sha256: str = Field(max_length=64)
    ciphertext_size: int = Field(sa_type=BigInteger)
    backend: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def name(self) -> str:
        return object_name(self.kind, self.id)


def object_name(kind: str, object_id: uuid.UUID) -> str:
    return f"{kind}/{object_id.hex[:2]}/{object_id}"


def _pieces(source: Iterable[bytes] | BinaryIO) -> Iterator[bytes]:
    if hasattr(source, "read"):
        reader: BinaryIO = source  # type: ignore[assignment]  # hasattr does not narrow the union
        while piece := reader.read(READ_PIECE):
            yield piece
    else:
        yield from source


GRACE = timedelta(
    hours=24
)  # what a crash left is cleaned only once nothing can still be finishing it


@dataclass
class CheckReport:
    """Objects in storage without a row, rows whose object is missing or the wrong size, and what a crash
    leaves behind: object keys with no object, and uploads to storage begun and never finished (each
    older than the grace period)."""

    objects_without_rows: list[str] = field(default_factory=list)
    rows_without_objects: list[uuid.UUID] = field(default_factory=list)
    size_mismatches: list[uuid.UUID] = field(default_factory=list)
    keys_without_objects: list[uuid.UUID] = field(default_factory=list)
    unfinished_uploads: list[tuple[str, str]] = field(default_factory=list)  # (name, upload id)

    @property
    def clean(self) -> bool:
        return not (
            self.objects_without_rows
            or self.rows_without_objects
            or self.size_mismatches
            or self.keys_without_objects
            or self.unfinished_uploads
        )


class _Abort(Exception):
    """Raised inside the backend's put to make it discard what it has (abort the multipart upload)."""


_END = object()


class SealedWriter:
    """The write side of `ObjectStore.writer`: a file-like sink whose bytes are sealed here and stored by
    the backend's own streaming `put` in a helper thread (one file for the local store, 16 MiB parts for
    S3), through a short queue so memory stays bounded. Holds no database session, so a producer may
    run for long outside any transaction."""

    def __init__(self, backend: Backend, name: str, sealer: Sealer, object_id: uuid.UUID) -> None:
        self._sealer = sealer
        self._queue: queue.Queue[object] = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self._written = 0
        self.object_id = object_id
        self._thread = threading.Thread(target=self._run, args=(backend, name), daemon=True)
        self._thread.start()

    def _pieces(self) -> Iterator[bytes]:
        yield self._sealer.header
        while (item := self._queue.get()) is not _END:
            if isinstance(item, _Abort):
                raise item
            yield item  # type: ignore[misc]  # the queue holds bytes, _END or _Abort; the other two are handled above

    def _run(self, backend: Backend, name: str) -> None:
        try:
            self._written = backend.put(name, self._pieces())
        except BaseException as exc:  # noqa: BLE001 - handed to the producer's thread
            self._error = exc

    def _put(self, item: object) -> None:
        while True:
            if self._error is not None and not isinstance(self._error, _Abort):
                raise self._error
            try:
                self._queue.put(item, timeout=1)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    raise self._error or RuntimeError("store writer stopped") from None

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._sealer.plaintext_size

    @property
    def sha256(self) -> str:
        return self._sealer.sha256

    def write(self, data: bytes | bytearray | memoryview) -> int:
        chunks = self._sealer.update_chunks(data)
        if chunks:
            self._put(b"".join(chunks))
        return len(data)

    def flush(self) -> None:
        """Sealed chunks go out as they fill; nothing to do (zipfile calls this)."""

    def close(self) -> int:
        self._put(self._sealer.finish())
        self._put(_END)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._written

    def abort(self) -> None:
        """Make the backend discard what it has; never raises (it runs while another error unwinds)."""
        if self._thread.is_alive():
            with suppress(Exception):
                self._put(_Abort())
            self._thread.join(timeout=120)


class ObjectStore:
    """Put, read ranges of, and delete encrypted objects. Flushes only; the caller's unit of work commits."""

    def __init__(self, session: Session, backend: Backend, keyring: Keyring) -> None:
        self.session = session
        self.backend = backend
        self.keyring = keyring
        self._keys: dict[
            uuid.UUID, ObjectKey
        ] = {}  # unwrapped DEKs of this unit of work, in memory only

    # Writing -----------------------------------------------------------------------------------

    def put(
        self,
        *,
        family_id: uuid.UUID,
        kind: ObjectKind,
        source: Iterable[bytes] | BinaryIO,
        object_id: uuid.UUID | None = None,
    ) -> StoredObject:
        """Seal and store a stream of any size with bounded memory; the SHA-256 of the plaintext is kept."""
        object_id = object_id or uuid.uuid4()
        key = self.keyring.new_object_key(family_id, object_id)
        sealer = Sealer(key, family_id=family_id, object_id=object_id)

        def ciphertext() -> Iterator[bytes]:
            yield sealer.header
            for piece in _pieces(source):
                yield from sealer.update_chunks(piece)
            yield sealer.finish()

        name = object_name(kind, object_id)
        written = self.backend.put(name, ciphertext())
        row = StoredObject(
            id=object_id,
            family_id=family_id,
            kind=kind,
            size=sealer.plaintext_size,
            sha256=sealer.sha256,
            ciphertext_size=written,
            backend=self.backend.kind,
        )
        self.session.add(row)
        self.session.flush()
        return row

    @contextmanager
    def writer(self, *, family_id: uuid.UUID, kind: ObjectKind) -> Iterator[SealedWriter]:
        """A new object written push-style (for producers such as a ZIP writer): sealed on the way and
        stored by the backend's streaming put; visible only when the block ends without error, else
        discarded and its key shredded."""
        object_id = uuid.uuid4()
        key = self.keyring.new_object_key(family_id, object_id)
        name = object_name(kind, object_id)
        out = SealedWriter(
            self.backend, name, Sealer(key, family_id=family_id, object_id=object_id), object_id
        )
        try:
            yield out
            written = out.close()
        except BaseException:
            out.abort()
            self.keyring.shred_object(object_id)
            raise
        self.session.add(
            StoredObject(
                id=object_id,
                family_id=family_id,
                kind=kind,
                size=out.tell(),
                sha256=out.sha256,
                ciphertext_size=written,
                backend=self.backend.kind,
            )
        )
        self.session.flush()

    # Resumable writing (tus): state between requests in the caller's row and in storage ---------

    def begin_upload(self, *, family_id: uuid.UUID, kind: ObjectKind) -> Resumable:
        """A new object to be received over many requests (ADR 0010): its key is made now, its parts
        go to a multipart upload begun now; the caller keeps what this returns in its own row."""
        object_id = uuid.uuid4()
        key = self.keyring.new_object_key(family_id, object_id)
        sealer = Sealer(key, family_id=family_id, object_id=object_id, hash_plaintext=False)
        name = object_name(kind, object_id)
        return Resumable(object_id, family_id, name, self.backend.start_upload(name), sealer.header)

    def resume_upload(self, spec: Resumable, progress: Progress) -> ResumableWriter:
        """A writer that goes on from `progress`, in any process; its key is unwrapped now."""
        return ResumableWriter(
            self.backend, self.keyring.object_key(spec.object_id), spec, progress
        )

    def discard_upload(self, name: str, upload_id: str, object_id: uuid.UUID) -> None:
        """Give up a resumable object: its parts, its tail objects and its key."""
        self.backend.abort_upload(name, upload_id)
        drop_tails(self.backend, name)
        self.shred_key(object_id)

    # Reading -----------------------------------------------------------------------------------

    def range_reader(self, object_id: uuid.UUID) -> tuple[int, Callable[[int, int], bytes]]:
        """(size, read(offset, length)) for one object, with its key unwrapped now: the reader needs no
        database afterwards, so long work (a transcode) holds no transaction open.

        The header is fetched by the reader and kept by it (one small ranged GET per reader) only once
        it authenticated: there is no process-wide cache, so a header changed in storage is read afresh
        by the next reader, and a refused one is fetched again on the next read (a restored object is
        served again without a restart)."""
        row = self.get(object_id)
        key = self._key(row)
        name, size, family_id, backend = row.name, row.size, row.family_id, self.backend
        trusted: list[bytes] = []  # the authenticated header, once there is one

        def read(offset: int, length: int) -> bytes:
            header = trusted[0] if trusted else backend.get_range(name, 0, HEADER_SIZE)
            data = open_range(
                key,
                family_id=family_id,
                object_id=object_id,
                header=header,
                read=lambda o, n: backend.get_range(name, o, n),
                plaintext_size=size,
                start=offset,
                end=offset + length,
            )
            if not trusted:
                trusted.append(header)  # open_range checked its key commitment before anything else
            return data

        return size, read

    def get(self, object_id: uuid.UUID) -> StoredObject:
        row = self.session.get(StoredObject, object_id)
        if row is None:
            raise BlobNotFound(str(object_id))
        return row

    def _key(self, row: StoredObject) -> ObjectKey:
        key = self._keys.get(row.id)
        if key is None:
            key = self._keys[row.id] = self.keyring.object_key(
                row.id
            )  # raises KeyDestroyed once shredded
        return key

    def open_range(self, object_id: uuid.UUID, start: int, end: int) -> bytes:
        """Plaintext bytes [start, end) (end exclusive, clamped), from one ranged GET of whole chunks."""
        return self.range_reader(object_id)[1](start, end - start)

    def iter_plaintext(self, object_id: uuid.UUID) -> Iterator[bytes]:
        """The whole plaintext as a stream, every chunk authenticated before it is released."""
        row = self.get(object_id)
        key = self.keyring.object_key(row.id)
        return open_stream(
            key, family_id=row.family_id, object_id=row.id, source=self.backend.iter_bytes(row.name)
        )

    # Forgetting --------------------------------------------------------------------------------

    def delete(self, object_id: uuid.UUID) -> int:
        """Remove every stored version, then shred the object's key and drop its row."""
        row = self.get(object_id)
        removed = self.backend.delete(row.name)
        self.keyring.shred_object(row.id)
        self._keys.pop(row.id, None)
        self.session.delete(row)
        self.session.flush()
        return removed

    def shred_key(self, object_id: uuid.UUID) -> None:
        """Destroy an object's key (and this instance's cached copy) without touching storage."""
        self.keyring.shred_object(object_id)
        self._keys.pop(object_id, None)

    def shred_family(self, family_id: uuid.UUID) -> None:
        """Destroy every key of a family (and every cached copy here)."""
        self.keyring.shred_family(family_id)
        self._keys.clear()

    # Consistency -------------------------------------------------------------------------------

    def check(
        self,
        *,
        grace: timedelta = GRACE,
        keep_keys: Iterable[uuid.UUID] = (),
        keep_uploads: Iterable[str] = (),
    ) -> CheckReport:
        """`keep_keys` and `keep_uploads` are in use by someone else (the keys and storage upload ids
        of resumable uploads still going on), whatever their age."""
        report = CheckReport()
        cutoff = datetime.now(UTC) - grace
        rows = {row.name: row for row in self.session.exec(select(StoredObject))}
        seen: set[str] = set()
        kept = set(keep_keys)
        going = {str(object_id) for object_id in kept}
        for name, size in self.backend.listing():
            seen.add(name)
            if (base := tail_of(name)) is not None and base.rsplit("/", 1)[-1] in going:
                continue  # the tail of a resumable upload still going on
            row = rows.get(name)
            if row is None:
                report.objects_without_rows.append(name)
            elif size != row.ciphertext_size or size != ciphertext_size(row.size):
                report.size_mismatches.append(row.id)
        report.rows_without_objects = [row.id for name, row in rows.items() if name not in seen]
        with_rows = {row.id for row in rows.values()}
        report.keys_without_objects = [
            dek.object_id
            for dek in self.session.exec(select(ObjectDekRow))
            if dek.object_id not in with_rows
            and dek.object_id not in kept
            and _aware(dek.created_at) <= cutoff
        ]
        busy = set(keep_uploads)
        report.unfinished_uploads = [
            (name, upload_id)
            for name, upload_id, begun in self.backend.incomplete_uploads()
            if upload_id not in busy and _aware(begun) <= cutoff
        ]
        return report

    def repair(
        self, report: CheckReport, *, grace: timedelta = GRACE, keep_keys: Iterable[uuid.UUID] = ()
    ) -> None:
        """Clean what `check` found a crash left: abort unfinished uploads, shred keys without objects,
        and delete objects without rows whose key is gone or older than the grace period (a put still
        finishing has a fresh key). Rows without objects and size mismatches stay for a person."""
        for name, upload_id in report.unfinished_uploads:
            self.backend.abort_upload(name, upload_id)
        for object_id in report.keys_without_objects:
            self.shred_key(object_id)
        cutoff, kept = datetime.now(UTC) - grace, set(keep_keys)
        for name in report.objects_without_rows:
            tail = tail_of(name)  # the tail of a resumable upload no longer going on (ADR 0010)
            try:
                object_id = uuid.UUID((tail or name).rsplit("/", 1)[-1])
            except ValueError:
                continue  # not an object of ours: left for a person
            if object_id in kept:
                continue
            dek = self.session.get(ObjectDekRow, object_id)
            if dek is None or _aware(dek.created_at) <= cutoff:
                self.backend.delete(name)
                if tail is None:  # a tail's key is its object's, which may well be stored
                    self.shred_key(object_id)
        self.session.flush()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
