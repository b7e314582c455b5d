"""A camera card as the ingest CLI finds it: files under DCIM, some of them unreadable."""

from __future__ import annotations

import shutil
from pathlib import Path


def card_with(tmp_path: Path, files: dict[str, Path | bytes | None]) -> Path:
    folder = tmp_path / "card" / "DCIM" / "100CANON"
    folder.mkdir(parents=True)
    for name, source in files.items():
        if source is None:  # a directory entry whose file cannot be read
            (folder / name).symlink_to(tmp_path / "gone" / name)
        elif isinstance(source, bytes):
            (folder / name).write_bytes(source)
        else:
            shutil.copy(source, folder / name)
    return tmp_path / "card"
