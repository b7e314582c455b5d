"""One small JPEG from a recording, made by ffmpeg from the decrypted bytes on the loopback range server
and handed back through a pipe: no file, not even in tmpfs, and nothing stored."""

from __future__ import annotations

import logging
import subprocess
import threading

from vault.errors import VaultError

WIDTH = 320  # about the width the pages show; never scaled up
MAX_BYTES = 2 * 1024 * 1024
log = logging.getLogger(__name__)
_SLOTS = threading.BoundedSemaphore(
    2
)  # a page of thumbnails never starts dozens of ffmpegs at once


class ThumbnailFailed(VaultError):
    status = 422
    code = "thumbnail_failed"

    def __init__(self) -> None:
        super().__init__(
            "Er kon geen beeld uit deze opname worden gehaald.",
            "No picture could be taken from this recording.",
        )


def render_thumbnail(
    source_url: str,
    at_s: float,
    *,
    interlaced: bool = False,
    ffmpeg: str = "ffmpeg",
    timeout: float = 30,
) -> bytes:
    """The frame at `at_s` of `source_url` (our loopback range server) as a JPEG about WIDTH px wide."""
    filters = (["yadif"] if interlaced else []) + [f"scale='min({WIDTH},iw)':-2"]
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-protocol_whitelist", "http,tcp",
            "-ss", f"{max(at_s, 0):.3f}", "-i", source_url, "-map", "0:v:0", "-frames:v", "1",
            "-vf", ",".join(filters), "-an", "-sn", "-dn", "-map_metadata", "-1",
            "-c:v", "mjpeg", "-q:v", "5", "-f", "image2pipe", "pipe:1"]  # fmt: skip
    try:
        with _SLOTS:
            done = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)  # noqa: S603 - our argv, our loopback URL
    except subprocess.TimeoutExpired:
        log.warning("thumbnail: ffmpeg took longer than %s s", timeout)
        raise ThumbnailFailed() from None
    jpeg = done.stdout
    if done.returncode != 0 or not jpeg.startswith(b"\xff\xd8") or len(jpeg) > MAX_BYTES:
        said = done.stderr.decode(errors="replace").replace(source_url, "<bron>")[-500:]
        log.warning("thumbnail: ffmpeg exited %s: %s", done.returncode, said)  # no path, no token
        raise ThumbnailFailed()
    return jpeg
