"""HLS for review clips: a VOD playlist from the duration, and segment n rendered on request by ffmpeg with
the viewer's identity burned in. ffmpeg reads the decrypted source from the loopback range server; the
segment comes back through a pipe and never touches the disk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from vault.media.ffmpeg import FfmpegFailed, input_args, run
from vault.media.scratch import scratch_dir, write_private

SEGMENT_S = 4.0
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CORNERS = {
    "top-left": ("w*0.02", "h*0.02"),
    "top-right": ("w-tw-w*0.02", "h*0.02"),
    "bottom-left": ("w*0.02", "h-th-h*0.02"),
    "bottom-right": ("w-tw-w*0.02", "h-th-h*0.02"),
}


@dataclass(frozen=True)
class Source:
    url: str
    interlaced: bool = False
    has_audio: bool = True
    container: str = "mov"  # as ffprobe named it; the proxy is MP4


def playlist(duration_s: float, uri: str = "{n}.ts", segment_s: float = SEGMENT_S) -> str:
    """A VOD media playlist computed from the clip's duration alone."""
    count = max(1, math.ceil(duration_s / segment_s - 1e-9))
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{math.ceil(segment_s)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
    ]
    for n in range(count):
        length = min(segment_s, duration_s - n * segment_s) if duration_s > 0 else segment_s
        lines += [f"#EXTINF:{length:.3f},", uri.format(n=n)]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def segment_count(duration_s: float, segment_s: float = SEGMENT_S) -> int:
    return max(1, math.ceil(duration_s / segment_s - 1e-9))


def segment_command(
    source: Source,
    n: int,
    *,
    clip_start_s: float,
    clip_end_s: float,
    watermark_file: Path | None,
    corner: str = "bottom-right",
    ffmpeg: str = "ffmpeg",
    segment_s: float = SEGMENT_S,
    output: list[str] | None = None,
) -> list[str]:
    """ffmpeg's argv for segment n, or (with `output`) for segments n, n+1, ... to the clip's end.
    Keyframes are forced on the segment grid, so both produce the same segments."""
    start = clip_start_s + n * segment_s
    length = max(0.04, clip_end_s - start if output else min(segment_s, clip_end_s - start))
    # The job's first frame at 0, whatever the source's audio did to ffmpeg's input offset (ADR 0011, 8).
    filters = ["setpts=PTS-STARTPTS"]
    if source.interlaced:
        filters.append("yadif")
    filters.append("scale=-2:'min(720,ih)'")  # down, never up; ffmpeg has already rotated upright
    filters.append("fps=25")
    if watermark_file is not None:
        x, y = CORNERS[corner]
        filters.append(
            f"drawtext=textfile={watermark_file}:expansion=none:fontfile={FONT}:fontcolor=white@0.85:"
            f"fontsize=h/28:line_spacing=4:box=1:boxcolor=black@0.45:boxborderw=8:x={x}:y={y}"
        )
    argv = [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-ss",
        f"{start:.3f}",
        *input_args(source.url, source.container),
        "-t",
        f"{length:.3f}",
        "-map",
        "0:v:0",
        *(["-map", "0:a:0?"] if source.has_audio else []),
        "-vf",
        ",".join(filters),
        *(["-af", "asetpts=PTS-STARTPTS+1024/SR/TB"] if source.has_audio else []),
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-bf",
        "0",
        "-pix_fmt",
        "yuv420p",
        "-force_key_frames",
        f"expr:gte(t,n_forced*{segment_s})",
        "-fps_mode",
        "cfr",
        "-c:a",
        "aac",
        "-ac",
        "2",
        "-b:a",
        "128k",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-sn",
        "-dn",
        "-output_ts_offset",
        f"{n * segment_s:.3f}",
        "-muxdelay",
        "0",
        "-avoid_negative_ts",
        "disabled",
        *(output or ["-f", "mpegts", "pipe:1"]),
    ]
    return argv


def render_segment(
    source: Source,
    n: int,
    *,
    clip_start_s: float,
    clip_end_s: float,
    watermark: str | None,
    corner: str = "bottom-right",
    ffmpeg: str = "ffmpeg",
    timeout: float = 60,
) -> bytes:
    """Segment n as MPEG-TS bytes. The watermark text goes through a 0600 file in tmpfs, so any name is safe."""
    mark: Path | None = None
    try:
        if watermark is not None:
            mark = write_private(scratch_dir(), "wm-", watermark)
        argv = segment_command(
            source,
            n,
            clip_start_s=clip_start_s,
            clip_end_s=clip_end_s,
            watermark_file=mark,
            corner=corner,
            ffmpeg=ffmpeg,
        )
        result = run(argv, what=f"segment {n}", timeout=timeout)
        if not result.stdout:
            raise FfmpegFailed(f"segment {n}", result.returncode, "no output")
    finally:
        if mark is not None:
            mark.unlink(missing_ok=True)
    return result.stdout
