"""Feeding ffmpeg a source front to back through a pipe, instead of over the loopback range server, where
the container allows it (ADR 0009): an MPEG-TS (AVCHD) always; an MP4/MOV whose index (`moov`) is in
front as it is; one whose index is behind the media data (most cameras and phones) with its index moved
to the front on the way, as `qt-faststart` does, its chunk offsets shifted by the index's size. The
bytes ffmpeg reads are then exactly those of a moov-first copy of the file, which it reads in order.

Anything else (AVI, an index we do not understand, one larger than `MAX_INDEX`) needs seeking: `plan`
says None and the caller uses the range server.

The source is read in pieces of `PIECE` bytes (one ranged GET each from S3), at most `AHEAD` of them
decrypted ahead of ffmpeg by the process's two reading threads, so memory stays bounded whatever the size and no plaintext
reaches a disk. A read that fails ends the feed: ffmpeg sees the end of its input, and the caller, who
wrapped `read`, knows the source was not read whole.
"""

from __future__ import annotations

import os
import queue
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from typing import BinaryIO

Read = Callable[[int, int], bytes]
Part = tuple[int, int] | bytes  # a range of the source (offset, length), or bytes of our own
PIECE = 4 * 1024 * 1024
AHEAD = 3
DRAIN = 8  # reads of ffmpeg's output waiting for the caller
READ = 1024 * 1024  # the most one read of a pipe returns (an unprivileged process's widest pipe)
MAX_INDEX = 64 * 1024 * 1024  # hours of footage have an index of a few MiB
_CONTAINERS = (b"trak", b"mdia", b"minf", b"stbl")


class _NotSequential(Exception):
    """The layout is not one we feed through a pipe."""


def _boxes(read: Read, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, offset, header size, size) of each box in [start, end)."""
    pos = start
    while pos < end:
        head = read(pos, 16)
        if len(head) < 8:
            raise _NotSequential
        size, kind = struct.unpack_from(">I4s", head)
        header = 8
        if size == 1:
            if len(head) < 16:
                raise _NotSequential
            size, header = struct.unpack_from(">Q", head, 8)[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise _NotSequential
        yield kind, pos, header, size
        pos += size


def _shifted(moov: bytes, shift: int, low: int, high: int) -> bytes:
    """The index with every chunk offset in [low, high) moved by `shift`."""
    out = bytearray(moov)

    def view(offset: int, length: int) -> bytes:
        return bytes(out[offset : offset + length])

    tables = 0

    def walk(start: int, end: int) -> None:
        nonlocal tables
        for kind, pos, header, size in _boxes(view, start, end):
            if kind in _CONTAINERS:
                walk(pos + header, pos + size)
            elif kind in (b"stco", b"co64"):
                code = "I" if kind == b"stco" else "Q"
                body = pos + header
                if size - header < 8:
                    raise _NotSequential
                count = struct.unpack_from(">I", out, body + 4)[0]
                if 8 + count * struct.calcsize(code) > size - header:
                    raise _NotSequential
                table = f">{count}{code}"
                moved = [
                    o + shift if low <= o < high else o
                    for o in struct.unpack_from(table, out, body + 8)
                ]
                if code == "I" and moved and max(moved) >= 2**32:
                    raise _NotSequential  # would need a co64 table: a larger index; use the range server
                struct.pack_into(table, out, body + 8, *moved)
                tables += 1

    traks = sum(1 for kind, *_ in _boxes(view, 8, len(out)) if kind == b"trak")
    walk(8, len(out))
    if tables != traks or not traks:
        raise _NotSequential  # a track without a chunk offset table (a compressed index, say)
    return bytes(out)


def plan(size: int, read: Read, container: str) -> list[Part] | None:
    """The source as ffmpeg may read it front to back, or None when it needs the range server.
    Reads only box headers and (for an index at the end) the index; errors of `read` pass on."""
    names = set(container.split(","))
    if "mpegts" in names:
        return [(0, size)]
    if "mov" not in names:
        return None
    try:
        boxes = list(_boxes(read, 0, size))
        moov = [(pos, box_size) for kind, pos, _, box_size in boxes if kind == b"moov"]
        mdat = [pos for kind, pos, *_ in boxes if kind == b"mdat"]
        if len(moov) != 1 or not mdat:
            return None
        (at, length), first = moov[0], mdat[0]
        if at < first:
            return [(0, size)]  # the index in front already (or a fragmented MP4)
        if length > MAX_INDEX or boxes[0][0] != b"ftyp":
            return None
        index = read(at, length)
        if len(index) != length or index[:8] != struct.pack(">I4s", length, b"moov"):
            return None
        moved = _shifted(index, length, first, at)
    except _NotSequential:
        return None
    return [(0, first), moved, (first, at - first), (at + length, size - at - length)]


_readers: tuple[int, ThreadPoolExecutor] | None = None  # (pid, pool): a forked child makes its own
_readers_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """The process's two reading threads, made once: threads made per recording would each leave glibc
    a heap arena holding freed pieces, and the process would grow with every export."""
    global _readers
    with _readers_lock:
        if _readers is None or _readers[0] != os.getpid():
            _readers = (os.getpid(), ThreadPoolExecutor(2, thread_name_prefix="feed-read"))
        return _readers[1]


class Feed:
    """Writes the parts of a plan into `out` (ffmpeg's stdin) from a thread, reading ahead; closes `out`
    at the end, or as soon as a read fails (remembered in `failed`, or by the caller's `read`)."""

    def __init__(self, out: BinaryIO, parts: list[Part], read: Read) -> None:
        self.failed: BaseException | None = None
        self._out, self._parts, self._read = out, parts, read
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="feed")
        self._thread.start()

    def _pieces(self, pool: ThreadPoolExecutor) -> Iterator[Future[bytes] | bytes]:
        for part in self._parts:
            if isinstance(part, bytes):
                yield part
                continue
            offset, length = part
            for at in range(offset, offset + length, PIECE):
                yield pool.submit(self._read, at, min(PIECE, offset + length - at))

    def _run(self) -> None:
        ahead: deque[Future[bytes] | bytes] = deque()
        try:
            for piece in self._pieces(_pool()):
                ahead.append(piece)
                while len(ahead) > AHEAD or (ahead and isinstance(ahead[0], bytes)):
                    self._write(ahead.popleft())
            while ahead:
                self._write(ahead.popleft())
        except (BrokenPipeError, _Stopped):
            pass  # ffmpeg went away (its exit status says why), or the caller stopped the feed
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            self.failed = exc
        finally:
            for piece in ahead:  # reads not begun are dropped; one under way ends on its own
                if not isinstance(piece, bytes):
                    piece.cancel()
            with suppress(OSError):
                self._out.close()

    def _write(self, piece: Future[bytes] | bytes) -> None:
        if self._stop.is_set():
            raise _Stopped
        data = piece if isinstance(piece, bytes) else piece.result()
        self._out.write(data)

    def stop(self) -> None:
        """Stop feeding and wait for the thread (ffmpeg should be gone, so no write blocks)."""
        self._stop.set()
        self._thread.join()


class _Stopped(Exception):
    pass


class Drain:
    """Reads `fd` (ffmpeg's stdout) from a thread into a bounded queue as fast as ffmpeg writes, so ffmpeg
    never waits while the caller hashes and writes what came before; `pieces` yields what was read, in
    order, up to the end. At most `DRAIN` reads of up to `READ` bytes wait in memory."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._queue: queue.Queue[bytes | BaseException] = queue.Queue(DRAIN)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="drain")
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                data = os.read(self._fd, READ)
                self._put(data)
                if not data:
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            self._put(exc)

    def _put(self, item: bytes | BaseException) -> None:
        while not self._stop.is_set():
            with suppress(queue.Full):
                self._queue.put(item, timeout=0.1)
                return

    def pieces(self) -> Iterator[bytes]:
        while True:
            item = self._queue.get()
            if isinstance(item, BaseException):
                raise item
            if not item:
                return
            yield item

    def stop(self) -> None:
        """Stop reading (close or kill the writer first, so no read blocks) and wait for the thread."""
        self._stop.set()
        self._thread.join()
