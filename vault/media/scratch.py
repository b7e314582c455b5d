"""Scratch space for the moments a file is unavoidable (a watermark text, live HLS segments, ffmpeg's
progress report). Plaintext may pass through it, so:

- it is tmpfs (`/dev/shm`) where there is one, so nothing reaches a disk;
- each process has its own 0700 folder, `<root>/<pid>-<random>`, holding an exclusive lock on a file in
  it for as long as it lives (the kernel drops the lock when the process dies, however it dies);
- `sweep()` removes every folder whose lock can be taken: its owner is gone. The API and the worker call
  it when they start, and each process calls it when it makes its own folder, so what a SIGKILL left
  behind does not outlive the next start.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import tempfile
import threading
from pathlib import Path

LOCK = ".lock"
_mine: tuple[int, Path] | None = None  # (pid, folder): a forked child makes its own
_lock = threading.Lock()


def root() -> Path:
    shm = Path("/dev/shm")  # noqa: S108 - tmpfs, private folders below
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
    folder = base / f"beeldkluis-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def sweep() -> int:
    """Remove the scratch folders of processes that are gone; returns how many."""
    removed = 0
    for folder in root().iterdir():
        if not folder.is_dir() or (_mine is not None and folder == _mine[1]):
            continue
        try:
            fd = os.open(folder / LOCK, os.O_RDWR)
        except FileNotFoundError:
            fd = None  # made but never locked (its owner died at once), or half removed
        except OSError:
            continue
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # alive
        finally:
            if fd is not None:
                os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def scratch_dir() -> Path:
    """This process's private scratch folder (made, and the dead swept, on first use)."""
    global _mine
    with _lock:
        if _mine is not None and _mine[0] == os.getpid() and _mine[1].is_dir():
            return _mine[1]
        folder = root() / f"{os.getpid()}-{secrets.token_hex(6)}"
        folder.mkdir(mode=0o700)
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held (fd left open) until this process ends
        _mine = (os.getpid(), folder)
    sweep()
    return folder


def write_private(folder: Path, prefix: str, text: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=prefix, dir=folder)  # 0600, random name
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return Path(name)
