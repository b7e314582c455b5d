"""A recording streams from ffmpeg into the package: no whole recording waits in tmpfs (or anywhere) on
its way, and SHA256SUMS, made as the bytes were written, matches what the package holds."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import uuid
from pathlib import Path
from typing import Any, BinaryIO

import pytest
import pyzipper

from tests.support.api import Api
from tests.support.export import principal, recording_from_file
from tests.support.families import family_with_recording
from vault.db import unit_of_work
from vault.export.package import ZipSink, prepare, write
from vault.media import scratch
from vault.settings import get_settings
from vault.store import ObjectKind, open_store

pytestmark = pytest.mark.serial  # it measures the scratch space every process shares


def tmpfs_bytes() -> int:
    """What all of Beeldkluis's scratch space holds right now, in bytes."""
    return sum(p.stat().st_size for p in scratch.root().rglob("*") if p.is_file())


class Watched:
    """The package's output, noting at every write how much the scratch space holds."""

    def __init__(self, out: BinaryIO) -> None:
        self.out, self.peak = out, 0

    def write(self, data: bytes) -> int:
        self.peak = max(self.peak, tmpfs_bytes())
        return self.out.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)


def test_a_recording_streams_into_the_zip_and_sha256sums_match(api: Api, tmp_path: Path) -> None:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    video = tmp_path / "MVI_0100.MP4"  # about 20 MB: twenty times what the scratch space may hold
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=25:duration=20",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=20",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-b:v",
            "8M",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(video),
        ],
        check=True,
        timeout=120,
    )
    recording_from_file(world, video)
    settings = get_settings()
    with unit_of_work() as db:
        package = prepare(db, settings, principal(trainer.id), uuid.UUID(world["trajectory"]["id"]))
    before = tmpfs_bytes()
    with unit_of_work() as db:
        store = open_store(db, settings)
        with store.writer(family_id=package.family_id, kind=ObjectKind.export) as out:
            watched = Watched(out)  # type: ignore[arg-type]
            write(package, ZipSink(watched, package.folder_name, "pass"), settings)  # type: ignore[arg-type]
        object_id = out.object_id
    with unit_of_work() as db:
        zipped = b"".join(open_store(db, settings).iter_plaintext(object_id))

    with pyzipper.AESZipFile(io.BytesIO(zipped)) as z:
        z.setpassword(b"pass")
        top = z.namelist()[0].split("/")[0]
        files = {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}
    (recording,) = [data for name, data in files.items() if name.startswith("Opnames/")]
    assert len(recording) > 16 * 2**20
    assert watched.peak - before < 2**20  # never the recording, nor any large part of it

    sums = files.pop("SHA256SUMS").decode().splitlines()
    assert sorted(line.split("  ", 1)[1] for line in sums) == sorted(files)
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
    assert top == package.folder_name

    played = tmp_path / "played.mp4"
    played.write_bytes(recording)
    info = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(played)],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    )
    assert abs(float(info["format"]["duration"]) - 20) < 0.5
    assert {s["codec_name"] for s in info["streams"]} == {"h264", "aac"}
