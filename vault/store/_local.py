"""The embedded default backend: a local directory holding the same ciphertext as S3 would."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from vault.store._backend import (
    BlobNotFound,
    BlobVersion,
    StoreUnavailable,
    WormViolation,
    check_name,
)

READ_PIECE = 1024 * 1024


class LocalBackend:
    """Objects as files under `root/objects`, write-once records under `root/worm`; never outside root."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._objects = self.root / "objects"
        self._worm = self.root / "worm"
        self._tmp = self.root / "tmp"

    def _path(self, base: Path, name: str) -> Path:
        path = (base / check_name(name)).resolve()
        if not path.is_relative_to(base):
            raise ValueError(f"path escapes the store root: {name!r}")
        return path

    def ensure_ready(self) -> None:
        for folder in (self._objects, self._worm, self._tmp):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # A put that died half-way leaves a temp file; it was never visible, so it may go.
        # Resumable uploads (upload-* folders) stay until completed or aborted.
        for stale in self._tmp.glob("*.part"):
            stale.unlink(missing_ok=True)

    def check(self) -> str:
        if not self._objects.is_dir() or not os.access(self._objects, os.W_OK):
            raise StoreUnavailable(f"{self._objects} is not a writable directory")
        return str(self.root)

    def put(self, name: str, data: Iterable[bytes]) -> int:
        target = self._path(self._objects, name)
        tmp = self._tmp / f"{uuid.uuid4()}.part"
        written = 0
        try:
            with open(tmp, "xb") as out:
                for piece in data:
                    out.write(piece)
                    written += len(piece)
                out.flush()
                os.fsync(out.fileno())
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return written

    def get_range(self, name: str, offset: int, length: int) -> bytes:
        path = self._path(self._objects, name)
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                return f.read(length)
        except FileNotFoundError:
            raise BlobNotFound(name) from None

    def iter_bytes(self, name: str) -> Iterator[bytes]:
        path = self._path(self._objects, name)
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed by the generator below
        except FileNotFoundError:
            raise BlobNotFound(name) from None
        with f:
            while piece := f.read(READ_PIECE):
                yield piece

    def size(self, name: str) -> int:
        try:
            return self._path(self._objects, name).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(name) from None

    def delete(self, name: str) -> int:
        path = self._path(self._objects, name)
        try:
            path.unlink()
        except FileNotFoundError:
            return 0
        return 1

    def versions(self, name: str) -> list[BlobVersion]:
        path = self._path(self._objects, name)
        return [BlobVersion(name, None, path.stat().st_size)] if path.exists() else []

    def _walk(self, base: Path, prefix: str) -> Iterator[tuple[str, int]]:
        for dirpath, _dirs, files in os.walk(base):
            for file in files:
                path = Path(dirpath, file)
                name = path.relative_to(base).as_posix()
                if name.startswith(prefix):
                    yield name, path.stat().st_size

    def listing(self, prefix: str = "") -> Iterator[tuple[str, int]]:
        return self._walk(self._objects, prefix)

    def _upload_dir(self, upload_id: str) -> Path:
        if not upload_id.isalnum():
            raise ValueError(f"invalid upload id: {upload_id!r}")
        return self._tmp / f"upload-{upload_id}"

    def start_upload(self, name: str) -> str:
        check_name(name)
        upload_id = uuid.uuid4().hex
        folder = self._upload_dir(upload_id)
        folder.mkdir(mode=0o700)
        (folder / "name").write_text(name)  # so an abandoned upload can be listed by its object
        return upload_id

    def put_part(self, name: str, upload_id: str, number: int, data: bytes) -> str:
        folder = self._upload_dir(upload_id)
        if not folder.is_dir():
            raise BlobNotFound(f"upload {upload_id}")
        part = folder / f"{number:05d}"
        tmp = folder / f"{number:05d}.tmp"
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, part)
        return hashlib.md5(data, usedforsecurity=False).hexdigest()

    def complete_upload(self, name: str, upload_id: str, etags: list[str]) -> int:
        folder = self._upload_dir(upload_id)
        parts = [folder / f"{n:05d}" for n in range(1, len(etags) + 1)]

        def pieces() -> Iterator[bytes]:
            for part in parts:
                with open(part, "rb") as f:
                    while piece := f.read(READ_PIECE):
                        yield piece

        size = self.put(name, pieces())
        shutil.rmtree(folder, ignore_errors=True)
        return size

    def abort_upload(self, name: str, upload_id: str) -> None:
        shutil.rmtree(self._upload_dir(upload_id), ignore_errors=True)

    def incomplete_uploads(self) -> Iterator[tuple[str, str, datetime]]:
        for folder in sorted(self._tmp.glob("upload-*")):
            try:
                name = (folder / "name").read_text() if (folder / "name").exists() else ""
                begun = datetime.fromtimestamp(folder.stat().st_mtime, UTC)
            except FileNotFoundError:  # completed or aborted meanwhile
                continue
            yield name, folder.name.removeprefix("upload-"), begun

    def put_worm(self, name: str, data: bytes) -> None:
        path = self._path(self._worm, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:
            raise WormViolation(name) from None
        with os.fdopen(fd, "wb") as out:
            out.write(data)

    def get_worm(self, name: str, version_id: str | None = None) -> bytes:
        if version_id is not None:
            raise BlobNotFound(f"{name} ({version_id})")  # a directory keeps one version per name
        try:
            return self._path(self._worm, name).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(name) from None

    def worm_names(self, prefix: str = "") -> Iterator[str]:
        return (name for name, _size in self._walk(self._worm, prefix))

    def worm_versions(self, prefix: str = "") -> list[BlobVersion]:
        return [
            BlobVersion(name, None, size) for name, size in sorted(self._walk(self._worm, prefix))
        ]

    def destroy(self) -> None:
        """Remove everything (tests and throwaway stores only)."""
        shutil.rmtree(self.root, ignore_errors=True)
