"""The raw blob backend interface: opaque names in, ciphertext bytes out. Knows nothing of keys or families."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from vault.errors import NotFound, ServiceUnavailable

# Object names are opaque: a kind prefix and a UUID. Nothing that could name a family or a file.
NAME = re.compile(r"^[a-z]{1,16}/[0-9a-f]{2}/[0-9a-f-]{36}$|^[a-z0-9][a-z0-9._/-]{0,200}$")

PART_SIZE = 16 * 1024 * 1024


class StoreUnavailable(ServiceUnavailable):
    code = "store_unavailable"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "De opslag is niet bereikbaar; er is niets opgeslagen. Probeer het later opnieuw.",
            "The object store is unavailable; nothing was stored. Please try again later.",
        )
        self.detail = detail


class BlobNotFound(NotFound):
    code = "object_not_found"

    def __init__(self, name: str) -> None:
        super().__init__("Object niet gevonden.", "Object not found.")
        self.name = name


class WormViolation(Exception):
    """An attempt to overwrite or delete a write-once record."""


@dataclass(frozen=True)
class BlobVersion:
    name: str
    version_id: str | None
    size: int
    is_delete_marker: bool = False


def check_name(name: str) -> str:
    if not NAME.match(name) or ".." in name or name.startswith("/"):
        raise ValueError(f"invalid object name: {name!r}")
    return name


class Backend(Protocol):
    """What the encrypted store needs of a place to keep bytes."""

    kind: str

    def ensure_ready(self) -> None:
        """Create buckets/directories, enable versioning and the write-once area."""

    def check(self) -> str:
        """Return a short status detail or raise StoreUnavailable."""

    def put(self, name: str, data: Iterable[bytes]) -> int:
        """Store a stream; the object becomes visible only when complete. Returns bytes written."""

    def get_range(self, name: str, offset: int, length: int) -> bytes:
        """Exactly `length` bytes from `offset` (fewer only at the end of the object)."""

    def iter_bytes(self, name: str) -> Iterator[bytes]:
        """The whole object as a stream of pieces."""

    def size(self, name: str) -> int:
        """Size in bytes, BlobNotFound if absent."""

    def delete(self, name: str) -> int:
        """Delete every version of the object; returns how many versions were removed."""

    def versions(self, name: str) -> list[BlobVersion]:
        """Every stored version (and delete marker) of `name`."""

    def listing(self, prefix: str = "") -> Iterator[tuple[str, int]]:
        """(name, size) of current objects under a prefix."""

    # Resumable uploads: parts survive a restart of the process that sends them.

    def start_upload(self, name: str) -> str:
        """Begin a resumable upload; returns its id."""

    def put_part(self, name: str, upload_id: str, number: int, data: bytes) -> str:
        """Store part `number` (1-based; every part but the last at least 5 MiB); returns its etag."""

    def complete_upload(self, name: str, upload_id: str, etags: list[str]) -> int:
        """Join the parts in order into a visible object; returns its size."""

    def abort_upload(self, name: str, upload_id: str) -> None:
        """Discard the parts of an upload that will not complete."""

    def incomplete_uploads(self) -> Iterator[tuple[str, str, datetime]]:
        """(name, upload id, when begun) of every upload begun and neither completed nor aborted."""

    def put_worm(self, name: str, data: bytes) -> None:
        """Write once into the object-locked area; WormViolation if it exists."""

    def get_worm(self, name: str, version_id: str | None = None) -> bytes:
        """Read a write-once record (its current version, or the version given)."""

    def worm_names(self, prefix: str = "") -> Iterator[str]:
        """Names in the object-locked area."""

    def worm_versions(self, prefix: str = "") -> list[BlobVersion]:
        """Every version and delete marker in the object-locked area under a prefix, oldest first per name.

        An honest write-once record has exactly one version; anything else was done to it afterwards."""


class SourceFailed(Exception):
    """Reading the plaintext source failed (a pulled card, a dropped client); carries the original error."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


class FullParts:
    """A file-like reader over an iterable of byte pieces that returns full parts on `read(n)`.

    minio-py concatenates whatever `read` returns, which is quadratic for small pieces; this gathers a
    whole part in one bytearray instead.
    """

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self._pieces = iter(pieces)
        self._buffer = bytearray()
        self._done = False
        self.total = 0

    def read(self, n: int = -1) -> bytes:
        while not self._done and (n < 0 or len(self._buffer) < n):
            try:
                piece = next(self._pieces)
            except StopIteration:
                self._done = True
                break
            except Exception as exc:  # noqa: BLE001 - the caller re-raises the original
                # Kept apart from network errors, so a pulled card is not reported as a store outage.
                raise SourceFailed(exc) from exc
            self._buffer += piece
        if n < 0 or n >= len(self._buffer):
            out = bytes(self._buffer)
            self._buffer.clear()
        else:
            out = bytes(self._buffer[:n])
            del self._buffer[:n]
        self.total += len(out)
        return out
