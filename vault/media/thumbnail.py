"""One small JPEG from a recording, made by ffmpeg from the decrypted bytes on the loopback range server
and handed back through a pipe: no file, not even in tmpfs, and nothing stored."""

from __future__ import annotations

import threading

from vault.media.errors import MediaError
from vault.media.ffmpeg import input_args, run

WIDTH = 320  # about the width the pages show; never scaled up
MAX_BYTES = 2 * 1024 * 1024
_SLOTS = threading.BoundedSemaphore(
    2
)  # a page of thumbnails never starts dozens of ffmpegs at once


def thumbnail_failed() -> MediaError:
    return MediaError(
        "thumbnail_failed",
        "Er kon geen beeld uit deze opname worden gehaald.",
        "No picture could be taken from this recording.",
    )


def render_thumbnail(
    source_url: str,
    at_s: float,
    *,
    container: str = "mov",
    interlaced: bool = False,
    ffmpeg: str = "ffmpeg",
    timeout: float = 30,
) -> bytes:
    """The frame at `at_s` of `source_url` (our loopback range server) as a JPEG about WIDTH px wide."""
    filters = (["yadif"] if interlaced else []) + [f"scale='min({WIDTH},iw)':-2"]
    argv = [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-ss",
        f"{max(at_s, 0):.3f}",
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
        "5",
        "-f",
        "image2pipe",
        "pipe:1",
    ]
    with _SLOTS:
        try:
            jpeg = run(argv, what="thumbnail", timeout=timeout).stdout
        except MediaError:
            raise thumbnail_failed() from None
    if not jpeg.startswith(b"\xff\xd8") or len(jpeg) > MAX_BYTES:
        raise thumbnail_failed()
    return jpeg
