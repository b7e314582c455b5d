"""Playable copies for the parents: MP4 H.264 + AAC, yuv420p, faststart, upright, progressive, no metadata.
Remuxed without re-encoding where the source already qualifies, transcoded otherwise."""

from __future__ import annotations

import subprocess
from pathlib import Path

from vault.errors import ServiceUnavailable
from vault.media.probe import ProbeResult


def qualifies(info: ProbeResult) -> bool:
    return (
        info.video_codec == "h264"
        and info.audio_codec in (None, "aac")
        and info.rotation == 0
        and not info.interlaced
    )


def convert_command(
    source_url: str, info: ProbeResult, target: Path, ffmpeg: str = "ffmpeg"
) -> list[str]:
    common = [
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-sn",
        "-dn",
        "-movflags",
        "+faststart",
    ]
    if qualifies(info):
        codecs = ["-c", "copy"]
    else:
        filters = ["yadif"] if info.interlaced else []
        filters.append("format=yuv420p")
        codecs = [
            "-vf",
            ",".join(filters),
            "-c:v",
            "libx264",
            "-preset",
            "medium",
            "-crf",
            "20",
            "-c:a",
            "aac",
            "-b:a",
            "160k",
            "-ac",
            "2",
        ]
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-i",
        source_url,
        *common,
        *codecs,
        "-metadata:s:v",
        "rotate=0",
        str(target),
    ]


def convert(
    source_url: str, info: ProbeResult, target: Path, ffmpeg: str = "ffmpeg", timeout: float = 3600
) -> bool:
    """Write the playable copy to `target`; returns True if it was remuxed (no re-encoding)."""
    result = subprocess.run(  # noqa: S603 - our own argv
        convert_command(source_url, info, target, ffmpeg),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise ServiceUnavailable(
            "Een opname kon niet worden omgezet.", "A recording could not be converted."
        )
    return qualifies(info)
