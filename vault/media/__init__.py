"""Media: probing, verifying, converting and segmenting footage. Every ffmpeg run goes through
`vault.media.ffmpeg` and reads decrypted footage from the loopback range server (no plaintext on disk)."""

from vault.media.convert import convert, qualifies
from vault.media.errors import MediaError, SourceUnreadable
from vault.media.probe import ProbeResult, decodes, probe
from vault.media.rangeserver import RangeServer, serve_range
from vault.media.scratch import scratch_dir, sweep
from vault.media.segment import SEGMENT_S, Source, playlist, render_segment, segment_count

__all__ = [
    "SEGMENT_S",
    "MediaError",
    "ProbeResult",
    "RangeServer",
    "Source",
    "SourceUnreadable",
    "convert",
    "decodes",
    "playlist",
    "probe",
    "qualifies",
    "render_segment",
    "scratch_dir",
    "segment_count",
    "serve_range",
    "sweep",
]
