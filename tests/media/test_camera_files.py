"""The media seam against files cameras write and files that only pretend: what is accepted decodes to
the end, what is refused is refused for a reason, and ffmpeg never reaches anything but its input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vault.media import MediaError, SourceUnreadable, convert, decodes, probe, serve_range
from vault.media.scratch import root, scratch_dir, sweep

from .camera import bad, good


class Honeypot:
    """A loopback HTTP server that counts every request: ffmpeg must never call it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        pot = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                pot.hits.append(self.path)
                self.send_error(404)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture(scope="module")
def honeypot() -> Iterator[Honeypot]:
    pot = Honeypot()
    yield pot
    pot.httpd.shutdown()
    pot.httpd.server_close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, honeypot: Honeypot) -> dict[str, object]:
    root_dir = tmp_path_factory.mktemp("camera")
    return {"good": good(root_dir), "bad": bad(root_dir, ssrf_url=honeypot.url)}


def served_(path: Path):  # type: ignore[no-untyped-def]
    """The file as the workers see stored footage: over the loopback range server, from memory."""
    data = path.read_bytes()
    return serve_range(len(data), lambda offset, length: data[offset : offset + length])


@pytest.mark.parametrize("name", ["gopro", "iphone", "hevc10", "avchd", "moov_at_end"])
def test_camera_files_decode_to_the_end(corpus: dict, name: str) -> None:  # type: ignore[type-arg]
    path = corpus["good"][name]
    with served_(path) as url:
        info = probe(url)
        decoded = decodes(url, info)
    assert decoded.frames >= 60
    assert decoded.seconds >= info.duration_s - 0.5
    if name == "avchd":
        assert info.container == "mpegts"
        assert info.interlaced
    if name == "hevc10":
        assert info.video_codec == "hevc"
    if name == "iphone":  # the camera's local time, with its offset, and the place it knows
        assert info.creation_time is not None
        assert info.creation_time.isoformat() == "2026-11-20T11:15:00+01:00"
        assert info.has_location
        assert info.variable_frame_rate
    if name == "gopro":
        assert info.has_location
        assert info.creation_time is not None


def check(path: Path, *, served: bool) -> None:
    if not served:
        decodes(str(path), probe(str(path)))
        return
    with served_(path) as url:
        decodes(url, probe(url))


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("cut_mid_mdat", "damaged"),
        ("no_frames_mov", "no_frames"),
        ("no_frames_mts", "no_frames"),
        ("hls_playlist", "not_a_video"),
        ("ffconcat", "not_a_video"),
        ("declares_two_hours", "damaged"),
    ],
)
def test_files_without_playable_footage_are_refused(
    corpus: dict, honeypot: Honeypot, name: str, code: str
) -> None:  # type: ignore[type-arg]
    path, expected = corpus["bad"][name]
    assert expected == code
    for source in ("file", "served"):
        with pytest.raises(MediaError) as refused:
            check(path, served=source == "served")
        # MPEG-TS has no index: from a file ffprobe finds no duration at all ("afgebroken") first.
        assert refused.value.code == code or (name, refused.value.code) == (
            "no_frames_mts",
            "truncated",
        )
        assert refused.value.message_nl  # a reason a trainer can read
    assert honeypot.hits == []  # no playlist entry, no concat line was ever fetched


def test_ffmpeg_only_reads_loopback_its_own_stdin_or_a_local_file() -> None:
    from vault.media.ffmpeg import input_args

    for source in (
        "http://example.org/x.mp4",
        "https://127.0.0.1:1/x",
        "concat:a|b",
        "pipe:1",
        "pipe:3",
        "subfile:x",
        "-i",
    ):
        with pytest.raises(ValueError, match="loopback"):
            input_args(source)
    assert input_args("http://127.0.0.1:5/t", "mpegts")[:4] == [
        "-protocol_whitelist",
        "http,tcp",
        "-format_whitelist",
        "mov,mpegts,avi",
    ]
    # Its stdin, which only the export feeds (vault.media.sequential): the pipe protocol and nothing else.
    assert input_args("pipe:0", "mpegts")[:4] == [
        "-protocol_whitelist",
        "pipe",
        "-format_whitelist",
        "mov,mpegts,avi",
    ]


def test_a_read_that_fails_midway_fails_the_conversion(corpus: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    """ffmpeg takes a cut connection for the end of the file and exits 0: the range server must say so."""
    data = corpus["good"]["gopro"].read_bytes()
    info = probe(str(corpus["good"]["gopro"]))

    def read(offset: int, length: int) -> bytes:
        if offset + length > len(data) // 2:
            raise ValueError("chunk failed authentication")
        return data[offset : offset + length]

    target = tmp_path / "out.mp4"
    with pytest.raises(SourceUnreadable), serve_range(len(data), read) as url:
        convert(url, info, target)
    with pytest.raises(MediaError), serve_range(len(data), read) as url:
        decodes(url, info)


KEEP_SCRATCH = """
import sys, time
from vault.media.scratch import scratch_dir
folder = scratch_dir()
(folder / "segment.ts").write_bytes(b"plaintext footage")
print(folder, flush=True)
time.sleep(60)
"""


def test_scratch_of_a_killed_process_is_swept_and_a_live_one_is_not() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", KEEP_SCRATCH], stdout=subprocess.PIPE, text=True
    )  # noqa: S603
    assert child.stdout is not None
    folder = Path(child.stdout.readline().strip())
    try:
        assert (folder / "segment.ts").exists()
        sweep()
        assert (folder / "segment.ts").exists()  # alive: left alone
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert (folder / "segment.ts").exists()  # a SIGKILL leaves it behind ...
    sweep()  # ... until the next start sweeps it (or any other process's start: tests run side by side)
    assert not folder.exists()
    mine = scratch_dir()
    assert mine.parent == root()
    assert mine.stat().st_mode & 0o777 == 0o700
    assert sweep() == 0 or mine.exists()
