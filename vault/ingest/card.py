"""Finding the footage on a mounted camera card, whatever the camera's folder layout."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

VIDEO = {".mp4", ".mov", ".mts", ".m2ts", ".avi", ".mkv", ".3gp", ".m4v"}
SKIP_DIRS = {
    ".trashes",
    ".spotlight-v100",
    ".fseventsd",
    "system volume information",
    "thmbnl",
    "clipinf",
    "playlist",
    "backup",
}
# GoPro chapters: GH01xxxx.MP4, GH02xxxx.MP4 (and GX for HEVC) are one recording split by size.
GOPRO = re.compile(r"^(G[HX])(\d{2})(\d{4})$", re.IGNORECASE)


@dataclass(frozen=True)
class CardFile:
    path: Path
    size: int
    group: str  # files of one spanned recording share a group
    part: int


class CardRemoved(OSError):
    """The card disappeared or became unreadable while reading it."""


def scan_card(root: Path) -> list[CardFile]:
    """Video files under `root` (DCIM/*, PRIVATE/AVCHD/BDMV/STREAM, PRIVATE/M4ROOT/CLIP, phone or plain
    folders), without thumbnails, low-resolution proxies, sidecars or hidden files; in recording order."""
    found: list[CardFile] = []
    try:
        for dirpath, dirnames, filenames in os.walk(root, onerror=_raise):
            dirnames[:] = sorted(
                d for d in dirnames if not d.startswith(".") and d.lower() not in SKIP_DIRS
            )
            for name in sorted(filenames):
                path = Path(dirpath, name)
                if name.startswith(".") or path.suffix.lower() not in VIDEO:
                    continue
                match = GOPRO.match(path.stem)
                group, part = (
                    (f"{match.group(1).upper()}{match.group(3)}", int(match.group(2)))
                    if match
                    else (path.stem, 1)
                )
                try:
                    size = path.stat().st_size
                except OSError:
                    size = (
                        0  # listed anyway: reading it fails by name, the rest of the card goes on
                    )
                found.append(CardFile(path, size, f"{path.parent.name}/{group}", part))
    except OSError as exc:
        raise CardRemoved(str(exc)) from exc
    return sorted(found, key=lambda f: (f.path.parent.as_posix(), f.group, f.part))


def _raise(error: OSError) -> None:
    raise error


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            while piece := f.read(4 * 1024 * 1024):
                digest.update(piece)
    except OSError as exc:
        raise CardRemoved(str(exc)) from exc
    return digest.hexdigest()
