"""Beeldkluis: the service that composes keys, consent and retention into a vault for care footage."""

import ctypes
import ctypes.util
import sys
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("beeldkluis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"


def _tune_allocator() -> None:
    """Keep 1 MiB buffers on the heap (glibc): footage moves in MiB pieces (ranges, parts, chunks), and
    glibc's default of a fresh mmap per such buffer costs a page fault per 4 KiB, which made every copy
    20x slower (1.6 vs 32 GB/s measured). Memory stays bounded by the largest working set."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 64 * 1024 * 1024)
        libc.mallopt(m_trim_threshold, 128 * 1024 * 1024)
    except (OSError, AttributeError):  # pragma: no cover - another C library: leave it as it is
        pass


_tune_allocator()

__all__ = ["__version__"]
