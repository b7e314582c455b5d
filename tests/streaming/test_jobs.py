"""The worker's live segment job: one ffmpeg from the requested segment on, segments on the 4 s grid, handed
out only when whole, held while far enough ahead, and nothing left in tmpfs when it stops."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vault.media.jobs import Job, Spec
from vault.media.live import watermark_text
from vault.media.scratch import scratch_dir


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 s with a keyframe only every 10 s, as some cameras do: segments must still start on the 4 s grid."""
    path = tmp_path_factory.mktemp("src") / "long-gop.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25:duration=30",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=30",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "250",
            "-c:a",
            "aac",
            "-shortest",
            str(path),
        ],
        check=True,
        timeout=120,
    )
    return path


def spec_of(path: Path, start: float = 0, end: float = 30) -> Spec:
    data = path.read_bytes()
    return Spec(
        len(data),
        lambda offset, length: data[offset : offset + length],
        False,
        True,
        start,
        end,
        "Ria\nGGD\nsessie 1",
    )


def frames(segment: bytes) -> list[dict[str, Any]]:
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "frame=key_frame,pts_time",
            "-of",
            "json",
            "-",
        ],
        input=segment,
        capture_output=True,
        check=True,
    )
    found: list[dict[str, Any]] = json.loads(out.stdout)["frames"]
    return found


def take(job: Job, n: int, timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while n not in job.whole():
        assert not job.broken
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return job.take(n)


def test_segments_on_the_grid_from_any_start(source: Path) -> None:
    job = Job(spec_of(source), 0)
    try:
        for n in (0, 1, 2):
            got = frames(take(job, n))
            assert got[0]["key_frame"] == 1
            assert float(got[0]["pts_time"]) == pytest.approx(4.0 * n, abs=0.1)
            assert len(got) == pytest.approx(100, abs=2)  # 4 s at 25 fps
    finally:
        job.stop()
    seek = Job(spec_of(source), 6)
    try:
        far = frames(take(seek, 6))
        assert float(far[0]["pts_time"]) == pytest.approx(24.0, abs=0.1)
        assert far[0]["key_frame"] == 1
    finally:
        seek.stop()


def test_the_last_short_segment_of_a_clip(source: Path) -> None:
    job = Job(spec_of(source, 3, 13), 2)  # 10 s clip: 4 + 4 + 2
    try:
        last = frames(take(job, 2))
        assert float(last[0]["pts_time"]) == pytest.approx(8.0, abs=0.1)
        assert len(last) == pytest.approx(50, abs=2)
        assert job.proc.wait(30) == 0
    finally:
        job.stop()


def test_a_paused_job_makes_nothing_and_a_stopped_one_leaves_nothing(source: Path) -> None:
    before = set(scratch_dir().iterdir())
    job = Job(spec_of(source), 0)
    try:
        take(job, 0)
        job.pause(True)
        time.sleep(0.3)  # what was in flight lands
        held = job.finished()
        time.sleep(1.5)
        assert job.finished() == held  # SIGSTOP: no CPU spent ahead of the viewer
        job.pause(False)
        take(job, max(held) + 1)
    finally:
        job.stop()
    assert (
        set(scratch_dir().iterdir()) - before == set()
    )  # its segments and watermark file are gone


def test_the_watermark_shows_dutch_time_and_names_its_zone() -> None:
    winter = datetime(2026, 1, 15, 9, 30, tzinfo=UTC).timestamp()
    summer = datetime(2026, 7, 15, 9, 30, tzinfo=UTC).timestamp()
    assert (
        watermark_text("Ria", "GGD", winter, "abcdef123456")
        == "Ria\nGGD\n15-01-2026 10:30 CET\nsessie abcdef12"
    )
    assert (
        watermark_text("Ria", "GGD", summer, "abcdef123456").split("\n")[2]
        == "15-07-2026 11:30 CEST"
    )
