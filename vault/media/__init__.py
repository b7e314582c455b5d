"""Media: probing footage with ffprobe, read through a loopback range server (no plaintext on disk)."""

from vault.media.convert import convert, qualifies
from vault.media.probe import MediaError, ProbeResult, probe
from vault.media.rangeserver import RangeServer, serve_range
from vault.media.segment import (
    SEGMENT_S,
    Source,
    playlist,
    render_segment,
    scratch_dir,
    segment_count,
)

__all__ = [
    "SEGMENT_S",
    "convert",
    "qualifies",
    "MediaError",
    "ProbeResult",
    "RangeServer",
    "Source",
    "playlist",
    "probe",
    "render_segment",
    "scratch_dir",
    "segment_count",
    "serve_range",
]
