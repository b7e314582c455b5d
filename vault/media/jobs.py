"""A live segment job, as Jellyfin runs them: one ffmpeg per viewing session and clip, started at the
requested segment and writing 4 s segments into a private tmpfs folder until the clip ends. It runs on a
Celery worker (`vault.media.live`, ADR 0007), which seals each whole segment into the object store and
paces ffmpeg to stay a few segments ahead of the viewer.

ffmpeg reads the decrypted source from the loopback range server for as long as the job lives; the key
stays in this process's memory, never on a command line.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from vault.errors import ServiceUnavailable, VaultError
from vault.media.ffmpeg import FfmpegFailed, Process
from vault.media.rangeserver import Read, register
from vault.media.scratch import scratch_dir, write_private
from vault.media.segment import SEGMENT_S, Source, segment_command, segment_count


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
        self._stack = ExitStack()
        self.dir = Path(tempfile.mkdtemp(prefix="seg-", dir=scratch_dir()))
        self._stack.callback(shutil.rmtree, self.dir, ignore_errors=True)
        try:
            self.source = register(spec.size, spec.read)
            self._stack.callback(self.source.close)
            mark = write_private(self.dir, "wm-", spec.watermark)
            self._list = self.dir / "list"
            argv = segment_command(
                Source(self.source.url, spec.interlaced, spec.has_audio, spec.container),
                first,
                clip_start_s=spec.clip_start_s,
                clip_end_s=spec.clip_end_s,
                watermark_file=mark,
                corner=spec.corner,
                ffmpeg=spec.ffmpeg,
                output=[
                    "-f",
                    "segment",
                    "-segment_time",
                    f"{SEGMENT_S}",
                    "-segment_format",
                    "mpegts",
                    "-segment_start_number",
                    str(first),
                    "-reset_timestamps",
                    "0",
                    "-segment_list",
                    str(self._list),
                    "-segment_list_type",
                    "flat",
                    str(self.dir / "%d.ts"),
                ],
            )
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

    @property
    def broken(self) -> bool:
        """Whether this job can never make what it has not made yet (and its last segment may be short)."""
        if self.source.failed is not None:
            return True
        code = self.proc.poll()
        return code is not None and code != 0

    def whole(self) -> list[int]:
        """Finished segments that are whole, in order: the muxer cut them on the grid (it has opened the
        next one) or ffmpeg ended well at the clip's end. None once the source failed or ffmpeg failed:
        a failing read cuts ffmpeg's input and it closes the segment it was writing as if the clip ended
        there, so from then on nothing more is handed out, not even a listed segment."""
        code = (
            self.proc.poll()
        )  # first the exit, then the list, then the source: each implies the next
        done = self.finished()
        if self.broken:
            return []
        return sorted(
            n for n in done if code == 0 or n + 1 in done or (self.dir / f"{n + 1}.ts").exists()
        )

    def take(self, n: int) -> bytes:
        """Segment n's bytes; its file is gone afterwards."""
        path = self.dir / f"{n}.ts"
        data = path.read_bytes()
        path.unlink()
        return data

    def pause(self, paused: bool) -> None:
        """Hold ffmpeg (SIGSTOP) while it is far enough ahead of the viewer; let it go on (SIGCONT)."""
        if self.proc.poll() is None:
            self.proc.proc.send_signal(signal.SIGSTOP if paused else signal.SIGCONT)

    def failure(self) -> FfmpegFailed:
        return FfmpegFailed("segments", self.proc.poll(), self.proc.stderr or "source unreadable")

    def stop(self) -> None:
        self._stack.close()
