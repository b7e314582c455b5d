"""Playable copies for the parents: MP4 H.264 + AAC, yuv420p, upright, progressive, no metadata.
Remuxed without re-encoding where the source already qualifies, transcoded otherwise.

The MP4 is fragmented (index first, a fragment per keyframe, an `mfra` index at the end; ADR 0009), so
ffmpeg writes it front to back into a pipe: the package hashes and stores it as it is made, and no whole
recording ever waits in a file. A `+faststart` MP4 cannot be written that way (ffmpeg must seek back
into the whole file to move its index to the front)."""

from __future__ import annotations

from pathlib import Path

from vault.media.ffmpeg import input_args, run, time_limit
from vault.media.probe import ProbeResult


def qualifies(info: ProbeResult) -> bool:
    return (
        info.video_codec == "h264"
        and info.audio_codec in (None, "aac")
        and info.rotation == 0
        and not info.interlaced
    )


def convert_command(
    source_url: str,
    info: ProbeResult,
    target: Path | str,
    ffmpeg: str = "ffmpeg",
    progress: Path | None = None,
) -> list[str]:
    """The argv writing the playable copy to `target`: a file, or "pipe:1" (stdout); with `progress`,
    ffmpeg also writes its final counts there (`out_time_us`: how long the copy it made lasts)."""
    report = ["-progress", str(progress), "-stats_period", "60"] if progress else []
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
        "+frag_keyframe+empty_moov+default_base_moof",
        "-min_frag_duration",
        "2000000",  # fragments of at least 2 s: a camera with short keyframe intervals gets no tiny ones
    ]
    if qualifies(info):
        codecs = ["-c", "copy"]
        if info.audio_codec == "aac" and "mpegts" in info.container.split(","):
            codecs += [
                "-bsf:a",
                "aac_adtstoasc",
            ]  # AAC in MPEG-TS is ADTS; the fragmented MP4 muxer wants it raw
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
        *input_args(source_url, info.container),
        *common,
        *codecs,
        "-metadata:s:v",
        "rotate=0",
        *report,
        "-f",
        "mp4",
        str(target),
    ]


def convert(
    source_url: str,
    info: ProbeResult,
    target: Path,
    ffmpeg: str = "ffmpeg",
    timeout: float | None = None,
) -> bool:
    """Write the playable copy to `target`; returns True if it was remuxed (no re-encoding). MediaError
    (naming what ffmpeg said, in the log) if it fails; the caller's `serve_range` block then also says
    whether the source itself could not be read."""
    try:
        run(
            convert_command(source_url, info, target, ffmpeg),
            what="convert",
            timeout=timeout or time_limit(info.duration_s, per_second=6.0),
        )
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return qualifies(info)
