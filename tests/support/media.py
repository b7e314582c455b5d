"""Small real videos, made with ffmpeg: a plain MP4, and the mixed sources of a real family."""

from __future__ import annotations

import subprocess
from pathlib import Path


def make_video(path: Path, seconds: int = 3, *, extra: list[str] | None = None) -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=320x240:rate=25:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            *(extra or []),
            str(path),
        ],
        check=True,
        timeout=120,
    )
    return path


def sources(tmp: Path) -> list[Path]:
    mp4 = make_video(tmp / "a.mp4", 3, extra=["-metadata", "location=+52.3676+004.9041/"])
    plain, hevc = tmp / "b-unrotated.mov", tmp / "b.mov"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25:duration=3",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=3",
            "-c:v",
            "libx265",
            "-x265-params",
            "log-level=error",
            "-tag:v",
            "hvc1",
            "-c:a",
            "aac",
            "-shortest",
            str(plain),
        ],
        check=True,
        timeout=120,
    )
    # A phone held upright: the rotation is a display matrix, which ffmpeg 5 writes only on a stream copy.
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(plain),
            "-c",
            "copy",
            "-metadata:s:v:0",
            "rotate=90",
            str(hevc),
        ],
        check=True,
        timeout=60,
    )
    mts = tmp / "c.MTS"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=50:duration=3",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=3",
            "-vf",
            "tinterlace=interleave_top",
            "-flags",
            "+ilme+ildct",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-shortest",
            "-f",
            "mpegts",
            str(mts),
        ],
        check=True,
        timeout=120,
    )
    return [mp4, hevc, mts]
