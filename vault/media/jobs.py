"""Live segment jobs, as Jellyfin runs them: one ffmpeg per viewing session and clip, started at the
requested segment and writing 4 s segments into a private tmpfs folder until the clip ends. Sequential
requests reuse it; a seek far ahead or behind restarts it; a viewer who stops asking loses it after a
short idle time; a cap per process answers "busy, retry" instead of overloading the machine.

ffmpeg reads the decrypted source from the loopback range server for as long as the job lives; the key
stays in this process's memory, never on a command line.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from vault.errors import ServiceUnavailable, VaultError
from vault.media.ffmpeg import FfmpegFailed, Process, log
from vault.media.rangeserver import Read, register
from vault.media.scratch import scratch_dir, write_private
from vault.media.segment import SEGMENT_S, Source, segment_command, segment_count

AHEAD = 3  # a request this many segments past the newest finished one waits; further is a seek
KEEP_BEHIND = 2  # finished segments kept for a player that asks again (hls.js retries)
IDLE_S = 30.0  # a job nobody asked anything for this long is stopped


class Busy(ServiceUnavailable):
    code = "busy"

    def __init__(self, retry_after: int = 3) -> None:
        super().__init__(
            f"De server is druk; probeer het over {retry_after} seconden opnieuw.",
            f"The server is busy; retry in {retry_after} seconds.",
            retry_after=retry_after,
        )


class SegmentFailed(ServiceUnavailable):
    """A passing failure (the segment took too long): the player may ask again."""

    code = "segment_failed"

    def __init__(self) -> None:
        super().__init__(
            "Het fragment kon niet worden gemaakt; probeer het opnieuw.",
            "The segment could not be made; retry.",
            retry_after=3,
        )


class Unplayable(VaultError):
    """This part of the footage can never be made (a stored chunk that fails authentication, footage
    ffmpeg cannot decode, a clip past the end of what is there). Not 503: retrying cannot help, and the
    player says so once instead of "busy" for ever."""

    status = 422
    code = "segment_unplayable"

    def __init__(self) -> None:
        super().__init__(
            "Dit deel van de opname kan niet worden afgespeeld: de opgeslagen beelden zijn beschadigd. "
            "Meld dit bij de beheerder.",
            "This part of the recording cannot be played: the stored footage is damaged. Tell the administrator.",
        )


@dataclass(frozen=True)
class Spec:
    """What a job renders: a source (size + decrypting reader), the clip, the viewer's watermark."""

    size: int
    read: Read
    interlaced: bool
    has_audio: bool
    clip_start_s: float
    clip_end_s: float
    watermark: str
    corner: str = "bottom-right"
    ffmpeg: str = "ffmpeg"
    container: str = "mov"


class Job:
    """One ffmpeg writing segments first, first+1, ... of a clip into its own 0700 tmpfs folder."""

    def __init__(self, spec: Spec, first: int) -> None:
        self.first, self.last = first, segment_count(spec.clip_end_s - spec.clip_start_s) - 1
        self.used = time.monotonic()
        self._stack = ExitStack()
        self.dir = Path(tempfile.mkdtemp(prefix="seg-", dir=scratch_dir()))
        self._stack.callback(shutil.rmtree, self.dir, ignore_errors=True)
        try:
            self.source = register(spec.size, spec.read)
            self._stack.callback(self.source.close)
            mark = write_private(self.dir, "wm-", spec.watermark)
            self._list = self.dir / "list"
            argv = segment_command(
                Source(self.source.url, spec.interlaced, spec.has_audio, spec.container), first,
                clip_start_s=spec.clip_start_s, clip_end_s=spec.clip_end_s,
                watermark_file=mark, corner=spec.corner, ffmpeg=spec.ffmpeg,
                output=["-f", "segment", "-segment_time", f"{SEGMENT_S}", "-segment_format", "mpegts",
                        "-segment_start_number", str(first), "-reset_timestamps", "0", "-segment_list", str(self._list),
                        "-segment_list_type", "flat", str(self.dir / "%d.ts")],
            )  # fmt: skip
            self.proc = Process(argv, what="segments")
            self._stack.callback(self.proc.kill)
        except BaseException:
            self._stack.close()
            raise

    def finished(self) -> set[int]:
        try:
            return {int(line.split(".")[0]) for line in self._list.read_text().split()}
        except FileNotFoundError:
            return set()

    def newest(self) -> int:
        return max(self.finished(), default=self.first - 1)

    def covers(self, n: int) -> bool:
        return self.first <= n and (n in self.finished() or n <= self.newest() + AHEAD)

    @property
    def broken(self) -> bool:
        """Whether this job can never make what it has not made yet (and its last segment may be short)."""
        if self.source.failed is not None:
            return True
        code = self.proc.poll()
        return code is not None and code != 0

    def get(self, n: int, timeout: float = 60) -> bytes:
        deadline = time.monotonic() + timeout
        while n not in self.finished():
            if self.proc.poll() is not None and n not in self.finished():
                break
            if time.monotonic() > deadline:
                raise SegmentFailed()
            time.sleep(0.02)
        # A source that failed cuts ffmpeg's input: it then closes the segment it was writing as if the
        # clip ended there. So once the source failed, nothing more is served, not even a listed segment.
        if self.broken:
            code = self.proc.poll()
            log.warning("%s", FfmpegFailed("segments", code, self.proc.stderr or "source unreadable"))
            raise Unplayable()
        if n not in self.finished():  # ffmpeg ended well, but the footage ends before this segment
            raise Unplayable()
        data = (self.dir / f"{n}.ts").read_bytes()
        for old in range(self.first, n - KEEP_BEHIND):
            (self.dir / f"{old}.ts").unlink(missing_ok=True)
        self.used = time.monotonic()
        return data

    def stop(self) -> None:
        self._stack.close()


class Jobs:
    """The live jobs of this process, keyed by (viewer, what they watch): one live job per viewer."""

    def __init__(self, limit: Callable[[], int]) -> None:
        self._limit = limit
        self._jobs: dict[tuple[str, str], Job] = {}
        self._lock = threading.Lock()
        self.started = (
            0  # ffmpeg jobs started by this process (reuse shows as fewer starts than segments)
        )
        threading.Thread(target=self._reaper, daemon=True, name="segment-job-reaper").start()

    def _reaper(self) -> None:
        # A viewer who closed the tab without a word still loses the job, and its segments.
        while True:
            time.sleep(IDLE_S / 6)
            self.live()

    def segment(self, key: tuple[str, str], n: int, spec: Callable[[], Spec]) -> bytes:
        with self._lock:
            self._reap()
            job = self._jobs.get(key)
            if job is not None and not job.covers(n):
                self._jobs.pop(key).stop()  # a seek: start again at n
                job = None
            if job is None:
                for other in [k for k in self._jobs if k[0] == key[0]]:
                    self._jobs.pop(other).stop()  # one live job per viewer: they moved on
                if len(self._jobs) >= self._limit():
                    # Until the job idle longest is reaped (a watching viewer keeps theirs).
                    idle = max(time.monotonic() - j.used for j in self._jobs.values())
                    raise Busy(max(1, int(IDLE_S - idle) + 1))
                job = self._jobs[key] = Job(spec(), n)
                self.started += 1
            job.used = time.monotonic()
        try:
            return job.get(n)
        except Unplayable:
            self.stop(key)  # asked again (it should not be), it starts afresh from the stored object
            raise

    def stop(self, key: tuple[str, str]) -> None:
        with self._lock:
            job = self._jobs.pop(key, None)
        if job is not None:
            job.stop()

    def live(self) -> int:
        with self._lock:
            self._reap()
            return len(self._jobs)

    def _reap(self) -> None:
        now = time.monotonic()
        for key, job in list(self._jobs.items()):
            done = job.proc.poll() is not None and job.newest() >= job.last
            if now - job.used > IDLE_S or (done and now - job.used > IDLE_S / 3):
                self._jobs.pop(key).stop()

    def stop_all(self) -> None:
        with self._lock:
            jobs, self._jobs = list(self._jobs.values()), {}
        for job in jobs:
            job.stop()
