"""The one door to ffmpeg and ffprobe. Every run reads only its own input, in a camera container it names
explicitly, over the loopback range server (or a local file we wrote); it has a time limit scaled to the
footage; its stderr is kept (bounded, without the capability URL) for the log and the failure reason.

Input formats are an allow-list of what cameras write: MP4/MOV (QuickTime family), MPEG-TS (AVCHD .MTS)
and AVI. Playlists (HLS), concat lists, image sequences and every other demuxer that can open a second
resource are refused by ffmpeg itself (`-format_whitelist`), and the only protocols it may use are the
ones its input needs (`-protocol_whitelist`): http+tcp to 127.0.0.1 for the range server, pipe for a
source we feed it front to back (`vault.media.sequential`), or file.
"""

from __future__ import annotations

import logging
import re
import subprocess
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from vault.media.errors import MediaError

log = logging.getLogger("vault.media")

# Demuxer short names ffmpeg may open; the first is what `-f` gets for a container ffprobe reported.
INPUT_FORMATS = ("mov", "mpegts", "avi")
STDERR_LINES = 40
_URL = re.compile(r"https?://[^\s'\"]+")
_PATH = re.compile(r"(/[\w.@%+-]+){2,}")


def demuxer(container: str) -> str:
    """The `-f` name for a container as ffprobe names it ("mov,mp4,m4a,3gp,3g2,mj2" -> "mov")."""
    names = set(container.split(","))
    for name in INPUT_FORMATS:
        if name in names:
            return name
    raise MediaError("not_a_video", "geen videobestand van een camera", "not a camera video file")


def input_options(source: str, container: str | None = None) -> dict[str, str]:
    """The allow-lists for reading `source` (and, with `container`, the demuxer named, not guessed)."""
    if source.startswith("http://127.0.0.1:"):
        protocols = "http,tcp"
    elif source == "pipe:0":  # fed by us, front to back (vault.media.sequential)
        protocols = "pipe"
    elif "://" in source or source.startswith(("-", "|")) or ":" in source.split("/", 1)[0]:
        raise ValueError(
            "ffmpeg reads the loopback range server, its own stdin or a local file, nothing else"
        )
    else:
        protocols = "file"
    options = {"protocol_whitelist": protocols, "format_whitelist": ",".join(INPUT_FORMATS)}
    if container:
        options["f"] = demuxer(container)
        if (
            options["f"] == "mov"
        ):  # a fragmented MP4 (the proxy) is seekable only through its mfra index:
            options["use_mfra_for"] = (
                "pts"  # without it ffmpeg reads the whole file to find a late moment
            )
    return options


def input_args(source: str, container: str | None = None) -> list[str]:
    """`-i source` with the allow-lists in front, for an argv written out by hand."""
    return [
        arg for key, value in input_options(source, container).items() for arg in (f"-{key}", value)
    ] + ["-i", source]


def time_limit(duration_s: float, *, per_second: float = 3.0) -> float:
    """Seconds a job over `duration_s` of footage may take: generous, but never unbounded."""
    return 120.0 + per_second * max(0.0, min(duration_s, 6 * 3600.0))


def scrub(text: str) -> str:
    """ffmpeg's message without capability URLs or file paths (they are tokens or scratch names)."""
    return _PATH.sub("<pad>", _URL.sub("<bron>", text))


class FfmpegFailed(MediaError):
    """ffmpeg could not do its job on this footage; `detail` is its own (scrubbed, bounded) last words."""

    def __init__(self, what: str, returncode: int | None, detail: str) -> None:
        super().__init__(
            "damaged",
            "de opname is beschadigd of onleesbaar",
            "the recording is damaged or unreadable",
        )
        self.what, self.returncode, self.detail = what, returncode, detail

    def __str__(self) -> str:
        return f"{self.what}: ffmpeg exited with {self.returncode}: {self.detail}"


class TookTooLong(MediaError):
    def __init__(self, what: str) -> None:
        super().__init__(
            "too_long",
            "het verwerken duurde te lang; de opname is mogelijk beschadigd",
            "processing took too long; the recording may be damaged",
        )
        self.what = what


@dataclass
class Result:
    returncode: int
    stdout: bytes
    stderr: str


def run(argv: Sequence[str], *, what: str, timeout: float, check: bool = True) -> Result:
    """Run to the end with a time limit; stdout kept, stderr bounded and scrubbed; FfmpegFailed on failure."""
    try:
        done = subprocess.run(  # noqa: S603 - our argv, no secrets
            list(argv), capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        log.warning("%s: ffmpeg took longer than %.0f s and was stopped", what, timeout)
        raise TookTooLong(what) from None
    lines = done.stderr.decode(errors="replace").splitlines()
    result = Result(done.returncode, done.stdout, scrub("\n".join(lines[-STDERR_LINES:])))
    if check and done.returncode != 0:
        failure = FfmpegFailed(what, done.returncode, result.stderr)
        log.warning("%s", failure)
        raise failure
    return result


class Process:
    """A long-running ffmpeg (a proxy, a segment job): stderr drained by a thread into a bounded tail."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        what: str,
        stdout: int | None = subprocess.DEVNULL,
        stdin: int | None = subprocess.DEVNULL,
    ) -> None:
        self.what = what
        self.proc = subprocess.Popen(list(argv), stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)  # noqa: S603 - our argv
        self._tail: deque[str] = deque(maxlen=STDERR_LINES)
        self._reader = threading.Thread(
            target=self._drain, daemon=True, name=f"ffmpeg-stderr-{what}"
        )
        self._reader.start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None  # noqa: S101 - PIPE was asked for
        with self.proc.stderr:
            for line in self.proc.stderr:
                self._tail.append(line.decode(errors="replace").rstrip())

    @property
    def stderr(self) -> str:
        return scrub("\n".join(self._tail))

    def poll(self) -> int | None:
        return self.proc.poll()

    def wait(self, timeout: float | None = None) -> int:
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            log.warning(
                "%s: ffmpeg took longer than %.0f s and was stopped", self.what, timeout or 0
            )
            raise TookTooLong(self.what) from None
        self._reader.join(timeout=5)
        return code

    def check(self) -> None:
        """FfmpegFailed (logged) unless it ended with 0."""
        code = self.wait()
        if code != 0:
            failure = FfmpegFailed(self.what, code, self.stderr)
            log.warning("%s", failure)
            raise failure

    def kill(self) -> None:
        """Stop it (if it still runs) and close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
