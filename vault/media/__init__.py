"""Media: probing footage with ffprobe, read through a loopback range server (no plaintext on disk)."""

from vault.media.probe import MediaError, ProbeResult, probe
from vault.media.rangeserver import RangeServer, serve_range

__all__ = ["MediaError", "ProbeResult", "RangeServer", "probe", "serve_range"]
