"""How the export reads an original from the store: once, front to back, in large pieces (one ranged GET
each from S3), and the copy it makes is the one bare ffmpeg makes from the plaintext file. A camera MP4
with its index at the end, one with the index in front, and an AVCHD MPEG-TS, each from real MinIO."""

from __future__ import annotations

import errno
import subprocess
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import psutil
import pytest
from sqlmodel import Session, SQLModel

import vault.tables  # noqa: F401 - every table
from keys import HEADER_SIZE, Keyring, LocalMasterKey
from tests.support.store import make_s3
from vault.db import engine_for
from vault.export.package import FolderSink, Item, Package, RecordingFailed, write
from vault.keyring import SqlKeys
from vault.media import convert, probe
from vault.media.rangeserver import Read
from vault.recordings.models import Recording
from vault.settings import Settings
from vault.store import ObjectKind, ObjectStore

MiB = 2**20
LAYOUTS = {
    "index_at_the_end": ([], "mp4"),  # what most cameras and phones write
    "index_in_front": (["-movflags", "+faststart"], "mp4"),
    "avchd": (["-f", "mpegts"], "MTS"),
}


def source(path: Path, extra: list[str]) -> Path:
    """About 48 MiB of 720p camera footage (H.264/AAC), 40 s."""
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=25:duration=40",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=40",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-b:v",
            "10M",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            *extra,
            str(path),
        ],
        check=True,
        timeout=120,
    )
    return path


def packets(path: Path) -> list[tuple[int, int, int, str]]:
    """Every packet of every stream (stream, timestamp, size, MD5), whatever the order they are stored in."""
    out = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            "0",
            "-c",
            "copy",
            "-f",
            "framemd5",
            "-",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    rows = [line.split(",") for line in out.splitlines() if not line.startswith("#")]
    return sorted((int(r[0]), int(r[1]), int(r[4]), r[5].strip()) for r in rows)


def same_packets(made: Path, bare: Path) -> None:
    """The same packets; an audio timestamp may differ by a few ticks of 1/44100 s (an MPEG-TS read from a
    pipe rounds its 90 kHz clock differently), a fraction of a millisecond that never adds up."""
    ours, theirs = packets(made), packets(bare)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert (a[0], a[2], a[3]) == (b[0], b[2], b[3]), (a, b)
        assert abs(a[1] - b[1]) <= 10, (a, b)


def stored(
    video: Path, tmp_path: Path, s3_config: dict[str, str]
) -> tuple[uuid.UUID, ObjectStore, int, Read]:
    """`video` sealed into a fresh bucket of the real MinIO: (family, store, size, reader)."""
    engine = engine_for(f"sqlite:///{tmp_path / 'store.db'}")
    SQLModel.metadata.create_all(engine)
    family = uuid.uuid4()
    with Session(engine) as session:
        store = ObjectStore(
            session,
            make_s3(s3_config),
            Keyring(SqlKeys(session), LocalMasterKey.create(tmp_path / "master.key")),
        )
        with open(video, "rb") as f:
            row = store.put(family_id=family, kind=ObjectKind.original, source=f)
        session.commit()
        return family, store, *store.range_reader(row.id)


def package_of(family: uuid.UUID, size: int, read: Read) -> Package:
    recording = Recording(trajectory_id=uuid.uuid4(), recorded_at=datetime(2026, 9, 1, tzinfo=UTC))
    return Package(
        family, "FAM-1", uuid.uuid4(), [Item("01.mp4", recording, size, read)], None, [], {}
    )


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_original_is_read_once_front_to_back_in_large_pieces(
    layout: str, tmp_path: Path, s3_config: dict[str, str]
) -> None:
    extra, suffix = LAYOUTS[layout]
    video = source(tmp_path / f"camera.{suffix}", extra)
    family, _, size, read = stored(video, tmp_path, s3_config)

    reads: list[tuple[int, int]] = []

    def counted(offset: int, length: int) -> bytes:
        reads.append((offset, length))
        return read(offset, length)

    package = package_of(family, size, counted)
    folder = tmp_path / "USB" / package.folder_name
    write(package, FolderSink(folder), Settings())

    bare = tmp_path / "bare.mp4"
    convert(str(video), probe(str(video)), bare)
    same_packets(folder / "Opnames" / "01.mp4", bare)

    # ffprobe looks at the start (and the end, the index of an MP4 or the last timestamps of an MPEG-TS)
    # over the range server, a few MiB; then the conversion reads the whole file once more, in pieces of
    # several MiB: one GET each, not one per MiB, and nothing twice.
    assert sum(length for _, length in reads) < size + 16 * MiB, reads
    assert len(reads) < size / (2 * MiB) + 24, reads


@pytest.mark.parametrize("layout", ["index_at_the_end", "avchd"])
@pytest.mark.parametrize("where", [0.1, 0.5, 0.97])
def test_a_damaged_chunk_fails_the_recording_wherever_it_is(
    layout: str, where: float, tmp_path: Path, s3_config: dict[str, str]
) -> None:
    """Fed through a pipe, ffmpeg sees a damaged chunk only as the end of its input (and may exit 0): the
    recording still fails, named, and nothing of it stays in the package."""
    extra, suffix = LAYOUTS[layout]
    video = source(tmp_path / f"camera.{suffix}", extra)
    family, store, size, read = stored(video, tmp_path, s3_config)
    (row,) = [name for name, _ in store.backend.listing()]
    data = bytearray(b"".join(store.backend.iter_bytes(row)))
    at = HEADER_SIZE + int((len(data) - HEADER_SIZE) * where)
    data[at] ^= 1
    store.backend.put(row, [bytes(data)])

    folder = tmp_path / "USB" / "FAM-1"
    with pytest.raises(RecordingFailed) as failed:
        write(package_of(family, size, read), FolderSink(folder), Settings())
    assert failed.value.code == "recording_unreadable"
    assert "kan niet worden gelezen" in failed.value.message_nl
    assert not folder.exists()


class _FullStick(FolderSink):
    """A USB stick that is full after 8 MiB of the first recording."""

    def _open(self, name: str, compress: bool) -> BinaryIO:
        out = super()._open(name, compress)
        written = 0
        write = out.write

        def limited(data: bytes) -> int:
            nonlocal written
            written += len(data)
            if written > 8 * MiB:
                raise OSError(errno.ENOSPC, "No space left on device")
            return write(data)

        out.write = limited  # type: ignore[method-assign] # a file object that fails as a full disk does
        return out


def test_a_full_stick_stops_ffmpeg_and_every_reading_thread(
    tmp_path: Path, s3_config: dict[str, str]
) -> None:
    """ffmpeg's output is drained by a thread and its input fed by another: when the sink fails half way,
    the failure reaches the caller, nothing keeps running (no ffmpeg, no feed or drain thread), and the
    half-written package is gone."""
    video = source(tmp_path / "camera.mp4", [])
    family, _, size, read = stored(video, tmp_path, s3_config)
    before = {t.ident for t in threading.enumerate()}
    folder = tmp_path / "USB" / "FAM-1"
    with pytest.raises(OSError, match="No space"):
        write(package_of(family, size, read), _FullStick(folder), Settings())
    shared = (
        "feed-read",
        "range-server",
    )  # the process's reading pool and range server stay, by design
    left = [
        t.name
        for t in threading.enumerate()
        if t.ident not in before and not t.name.startswith(shared)
    ]
    assert left == []
    assert psutil.Process().children(recursive=True) == []
    assert not folder.exists()
