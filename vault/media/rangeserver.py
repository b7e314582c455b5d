"""A loopback-only HTTP range server: ffmpeg/ffprobe read decrypted footage from memory, never from disk.

Each registration gets a random, unguessable path that stops working when it is closed; the server
binds 127.0.0.1 and refuses any other client.
"""

from __future__ import annotations

import re
import secrets
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Read = Callable[[int, int], bytes]
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
PIECE = 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """ffmpeg hangs up whenever it seeks; that is no error worth a traceback on stderr."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class RangeServer:
    def __init__(self) -> None:
        self._sources: dict[str, tuple[int, Read]] = {}
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
                size, read = source
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
                self.send_response(status)
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(end - start + 1))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self.end_headers()
                if not body:
                    return
                offset = start
                try:
                    while offset <= end:
                        length = min(PIECE, end + 1 - offset)
                        self.wfile.write(read(offset, length))
                        offset += length
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the reader went away (ffmpeg seeks by closing and reopening)

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def _get(self, token: str) -> tuple[int, Read] | None:
        with self._lock:
            return self._sources.get(token)

    def register(self, size: int, read: Read) -> tuple[str, Callable[[], None]]:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sources[token] = (size, read)

        def close() -> None:
            with self._lock:
                self._sources.pop(token, None)

        return f"http://127.0.0.1:{self.port}/{token}", close

    def shutdown(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


_shared: RangeServer | None = None
_shared_lock = threading.Lock()


@contextmanager
def serve_range(size: int, read: Read) -> Iterator[str]:
    """A loopback URL for one job; it stops answering when the block ends."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = RangeServer()
        server = _shared
    url, close = server.register(size, read)
    try:
        yield url
    finally:
        close()
