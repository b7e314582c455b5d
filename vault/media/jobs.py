"""Live segment jobs, as Jellyfin runs them: one ffmpeg per viewing session and clip, started at the
requested segment and writing 4 s segments into a private tmpfs folder until the clip ends. Sequential
requests reuse it; a seek far ahead or behind restarts it; a viewer who stops asking loses it after a
short idle time; a cap per process answers "busy, retry" instead of overloading the machine.

ffmpeg reads the decrypted source from the loopback range server for as long as the job lives; the key
stays in this process's memory, never on a command line.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from vault.errors import ServiceUnavailable
from vault.media.rangeserver import Read, serve_range
from vault.media.segment import (
    SEGMENT_S,
    Source,
    scratch_dir,
    segment_command,
    segment_count,
    write_private,
)

AHEAD = 3  # a request this many segments past the newest finished one waits; further is a seek
KEEP_BEHIND = 2  # finished segments kept for a player that asks again (hls.js retries)
IDLE_S = 30.0  # a job nobody asked anything for this long is stopped


class Busy(ServiceUnavailable):
    code = "busy"

    def __init__(self) -> None:
        super().__init__(
            "De server is druk; probeer het over enkele seconden opnieuw.",
            "The server is busy; retry in a few seconds.",
            retry_after=3,
        )


class SegmentFailed(ServiceUnavailable):
    code = "segment_failed"

    def __init__(self) -> None:
        super().__init__(
            "Het fragment kon niet worden gemaakt; probeer het opnieuw.",
            "The segment could not be made; retry.",
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


class Job:
    """One ffmpeg writing segments first, first+1, ... of a clip into its own 0700 tmpfs folder."""

    def __init__(self, spec: Spec, first: int) -> None:
        self.first, self.last = first, segment_count(spec.clip_end_s - spec.clip_start_s) - 1
        self.used = time.monotonic()
        self._stack = ExitStack()
        self.dir = Path(tempfile.mkdtemp(prefix="bk-seg-", dir=scratch_dir()))
        self._stack.callback(shutil.rmtree, self.dir, ignore_errors=True)
        try:
            url = self._stack.enter_context(serve_range(spec.size, spec.read))
            mark = write_private(self.dir, "wm-", spec.watermark)
            self._list = self.dir / "list"
            argv = segment_command(
                Source(url, spec.interlaced, spec.has_audio), first, clip_start_s=spec.clip_start_s, clip_end_s=spec.clip_end_s,
                watermark_file=mark, corner=spec.corner, ffmpeg=spec.ffmpeg,
                output=["-f", "segment", "-segment_time", f"{SEGMENT_S}", "-segment_format", "mpegts",
                        "-segment_start_number", str(first), "-reset_timestamps", "0", "-segment_list", str(self._list),
                        "-segment_list_type", "flat", str(self.dir / "%d.ts")],
            )  # fmt: skip
            quiet = subprocess.DEVNULL
            self.proc = subprocess.Popen(argv, stdin=quiet, stdout=quiet, stderr=quiet)  # noqa: S603 - our argv, no secrets
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

    def get(self, n: int, timeout: float = 60) -> bytes:
        deadline = time.monotonic() + timeout
        while n not in self.finished():
            if self.proc.poll() is not None and n not in self.finished():
                raise SegmentFailed()
            if time.monotonic() > deadline:
                raise SegmentFailed()
            time.sleep(0.02)
        data = (self.dir / f"{n}.ts").read_bytes()
        for old in range(self.first, n - KEEP_BEHIND):
            (self.dir / f"{old}.ts").unlink(missing_ok=True)
        self.used = time.monotonic()
        return data

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._stack.close()


class Jobs:
    """The live jobs of this process, keyed by (viewing session, clip)."""

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
                    self._jobs.pop(
                        other
                    ).stop()  # one live job per viewing session: the viewer moved on
                if len(self._jobs) >= self._limit():
                    raise Busy()
                job = self._jobs[key] = Job(spec(), n)
                self.started += 1
            job.used = time.monotonic()
        return job.get(n)

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
