"""A still: one frame of a fragment as a JPEG with the viewer's watermark, made by ffmpeg from the decrypted
bytes on the loopback range server and handed back through a pipe. Only the watermark text passes through
a 0600 file in tmpfs (vault/media/scratch.py); the picture is never written anywhere, and never stored."""

from __future__ import annotations

import threading
from datetime import datetime

from vault.i18n import LOCAL
from vault.media.errors import MediaError
from vault.media.ffmpeg import input_args, run
from vault.media.scratch import scratch_dir, write_private
from vault.media.segment import CORNERS, FONT

HEIGHT = 720  # as the review clips; never scaled up
MAX_BYTES = 4 * 1024 * 1024
_SLOTS = threading.BoundedSemaphore(2)  # a page of stills never starts dozens of ffmpegs at once


def watermark_text(name: str, organisation: str, started: float, viewer: str) -> str:
    """Who watches, for which organisation, since when (Dutch time, its zone named: CET or CEST, as
    every page shows it), and the viewing session: what a photographed screen gives away."""
    moment = datetime.fromtimestamp(started, LOCAL)
    return f"{name}\n{organisation}\n{moment:%d-%m-%Y %H:%M} {moment.tzname()}\nsessie {viewer[:8]}"


def still_failed() -> MediaError:
    return MediaError(
        "still_failed",
        "Er kon geen stilstaand beeld uit dit fragment worden gehaald.",
        "No still could be taken from this fragment.",
    )


def still_command(
    source_url: str,
    at_s: float,
    *,
    watermark_file: str | None,
    container: str = "mov",
    interlaced: bool = False,
    corner: str = "bottom-right",
    ffmpeg: str = "ffmpeg",
) -> list[str]:
    """ffmpeg's argv for the frame that is showing at `at_s` (an accurate input seek: the first frame
    decoded at or after it), as a JPEG on stdout."""
    filters = (["yadif"] if interlaced else []) + [f"scale=-2:'min({HEIGHT},ih)'"]
    if watermark_file is not None:
        x, y = CORNERS[corner]
        filters.append(
            f"drawtext=textfile={watermark_file}:expansion=none:fontfile={FONT}:fontcolor=white@0.85:"
            f"fontsize=h/28:line_spacing=4:box=1:boxcolor=black@0.45:boxborderw=8:x={x}:y={y}"
        )
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-ss",
        f"{max(at_s, 0):.6f}",
        *input_args(source_url, container),
        "-map",
        "0:v:0",
        "-frames:v",
        "1",
        "-vf",
        ",".join(filters),
        "-an",
        "-sn",
        "-dn",
        "-map_metadata",
        "-1",
        "-c:v",
        "mjpeg",
        "-q:v",
        "3",
        "-f",
        "image2pipe",
        "pipe:1",
    ]


def render_still(
    source_url: str,
    at_s: float,
    *,
    watermark: str,
    container: str = "mov",
    interlaced: bool = False,
    corner: str = "bottom-right",
    ffmpeg: str = "ffmpeg",
    timeout: float = 30,
) -> bytes:
    """The frame at `at_s` of `source_url` (our loopback range server) as a watermarked JPEG."""
    mark = write_private(scratch_dir(), "wm-", watermark)
    try:
        argv = still_command(
            source_url,
            at_s,
            watermark_file=str(mark),
            container=container,
            interlaced=interlaced,
            corner=corner,
            ffmpeg=ffmpeg,
        )
        with _SLOTS:
            try:
                jpeg = run(argv, what="still", timeout=timeout).stdout
            except MediaError:
                raise still_failed() from None
    finally:
        mark.unlink(missing_ok=True)
    if not jpeg.startswith(b"\xff\xd8") or len(jpeg) > MAX_BYTES:
        raise still_failed()
    return jpeg
