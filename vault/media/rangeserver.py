"""A loopback-only HTTP range server: ffmpeg/ffprobe read decrypted footage from memory, never from disk.

Each registration gets a random, unguessable path that stops working when it is closed; the server
binds 127.0.0.1 and refuses any other client.

A read that fails (a chunk that does not authenticate, a store that is down) is remembered on the
registration: ffmpeg sees only a cut connection, which it may take for the end of the file and exit 0,
so the consumer must ask (`serve_range` does so when its block ends) before it trusts what ffmpeg made.
"""

from __future__ import annotations

import re
import secrets
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from vault.media.errors import SourceUnreadable

Read = Callable[[int, int], bytes]
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
PIECE = 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """ffmpeg hangs up whenever it seeks; that is no error worth a traceback on stderr."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]  # BaseServer's request type is private to typeshed; we pass on what we were given


@dataclass
class Served:
    """One registration: its URL, and the first read failure, if any."""

    url: str
    size: int
    read: Read = field(repr=False)
    failed: BaseException | None = field(default=None, repr=False)
    close: Callable[[], None] = field(default=lambda: None, repr=False)

    def check(self) -> None:
        """SourceUnreadable if any read of this source failed."""
        if self.failed is not None:
            raise SourceUnreadable() from self.failed

    def _read(self, offset: int, length: int) -> bytes:
        try:
            return self.read(offset, length)
        except BaseException as exc:
            if self.failed is None:
                self.failed = exc
            raise


class _ReadFailed(ConnectionError):
    """Ends a response whose source could not be read (already remembered on the registration)."""


class RangeServer:
    def __init__(self) -> None:
        self._sources: dict[str, Served] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(
                self, *args: object
            ) -> None:  # no paths (they are capabilities) in logs
                pass

            def do_HEAD(self) -> None:  # noqa: N802
                self._serve(body=False)

            def do_GET(self) -> None:  # noqa: N802
                self._serve(body=True)

            def _serve(self, body: bool) -> None:
                if self.client_address[0] != "127.0.0.1":
                    self.send_error(403)
                    return
                source = server._get(self.path.strip("/"))
                if source is None:
                    self.send_error(404)
                    return
                size = source.size
                start, end = 0, size - 1
                header = self.headers.get("Range")
                status = 200
                if header:
                    match = _RANGE.match(header.strip())
                    if not match or (not match.group(1) and not match.group(2)):
                        self.send_error(416)
                        return
                    if match.group(1):
                        start = int(match.group(1))
                        end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
                    else:
                        start = max(0, size - int(match.group(2)))
                    if start >= size or start > end:
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{size}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
                try:  # the first piece before the headers: a bad start is an error, not an empty file
                    first = source._read(start, min(PIECE, end + 1 - start)) if body else b""
                except Exception:  # noqa: BLE001 - remembered on the registration
                    self.send_error(502)
                    self.close_connection = True
                    return
                self.send_response(status)
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(end - start + 1))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self.end_headers()
                if not body:
                    return
                offset = start + len(first)
                try:
                    self.wfile.write(first)
                    while offset <= end:
                        length = min(PIECE, end + 1 - offset)
                        try:
                            piece = source._read(offset, length)
                        except Exception:  # noqa: BLE001 - remembered on the registration
                            self.close_connection = True
                            raise _ReadFailed() from None
                        self.wfile.write(piece)
                        offset += length
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the reader went away (ffmpeg seeks by closing and reopening)

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, daemon=True, name="range-server"
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def _get(self, token: str) -> Served | None:
        with self._lock:
            return self._sources.get(token)

    def register(self, size: int, read: Read) -> Served:
        token = secrets.token_urlsafe(32)

        def close() -> None:
            with self._lock:
                self._sources.pop(token, None)

        served = Served(f"http://127.0.0.1:{self.port}/{token}", size, read, close=close)
        with self._lock:
            self._sources[token] = served
        return served

    def shutdown(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


_shared: RangeServer | None = None
_shared_lock = threading.Lock()


def register(size: int, read: Read) -> Served:
    """A registration on the process's shared range server (started on first use); close it when done."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = RangeServer()
        server = _shared
    return server.register(size, read)


@contextmanager
def serve_range(size: int, read: Read) -> Iterator[str]:
    """A loopback URL for one job; it stops answering when the block ends. If any read failed, the block
    ends with SourceUnreadable, whatever ffmpeg made of the cut-off input."""
    served = register(size, read)
    try:
        yield served.url
    except BaseException as exc:
        if served.failed is not None and not isinstance(exc, SourceUnreadable):
            raise SourceUnreadable() from exc
        raise
    else:
        served.check()
    finally:
        served.close()
