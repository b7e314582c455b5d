"""ffprobe over a URL or path: what a recording is, whether it is a playable video, and what it leaks."""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import datetime

from vault.errors import VaultError

LOCATION_KEYS = (
    "location",
    "location-eng",
    "com.apple.quicktime.location.iso6709",
    "com.apple.quicktime.location.ISO6709",
)
DEVICE_KEYS = ("com.apple.quicktime.make", "com.apple.quicktime.model", "make", "model", "encoder")


class MediaError(VaultError):
    status = 415
    code = "not_a_video"

    def __init__(self, code: str, message_nl: str, message_en: str) -> None:
        super().__init__(message_nl, message_en)
        self.code = code
        self.status = 415 if code == "not_a_video" else 422


def not_a_video() -> MediaError:
    return MediaError("not_a_video", "geen videobestand", "not a video file")


def truncated() -> MediaError:
    return MediaError("truncated", "bestand is afgebroken", "the file is truncated")


@dataclass(frozen=True)
class ProbeResult:
    container: str
    duration_s: float
    video_codec: str
    width: int
    height: int
    rotation: int
    interlaced: bool
    frame_rate: float
    variable_frame_rate: bool
    audio_codec: str | None
    audio_channels: int
    creation_time: datetime | None
    has_location: bool = False
    device: str | None = field(default=None, repr=False)

    def public(self) -> dict[str, object]:
        """What the API may show: no location, no device identity."""
        out = asdict(self)
        out.pop("device")
        out["creation_time"] = self.creation_time.isoformat() if self.creation_time else None
        return out


def _rate(text: str) -> float:
    num, _, den = text.partition("/")
    try:
        return float(num) / float(den or 1) if float(den or 1) else 0.0
    except ValueError:
        return 0.0


def probe(source: str, *, ffprobe: str = "ffprobe", timeout: float = 60) -> ProbeResult:
    """Probe a path or a loopback URL; MediaError (Dutch first) if it is no playable video or cut off."""
    try:
        out = subprocess.run(  # noqa: S603 - fixed argv; the source is our own path or loopback URL
            [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", source],
            capture_output=True, timeout=timeout, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise truncated() from None
    info = json.loads(out.stdout or b"{}")
    streams = info.get("streams", [])
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video" and s.get("disposition", {}).get("attached_pic") != 1
        ),
        None,
    )
    fmt = info.get("format", {})
    if (
        out.returncode != 0
        or video is None
        or fmt.get("format_name") in ("image2", "jpeg_pipe", "png_pipe", "mjpeg")
    ):
        stderr = out.stderr.decode(errors="replace")
        if (
            "moov atom not found" in stderr
            or "Invalid data found" in stderr
            and fmt.get("format_name", "").startswith("mov")
        ):
            raise truncated()
        raise not_a_video()
    try:
        duration = float(fmt.get("duration") or video.get("duration") or 0)
    except ValueError:
        duration = 0.0
    if duration <= 0:
        raise truncated()
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    tags = {k.lower(): v for k, v in fmt.get("tags", {}).items()}
    rotation = 0
    for side in video.get("side_data_list", []):
        if "rotation" in side:
            rotation = int(side["rotation"])
    rotation = int(video.get("tags", {}).get("rotate", rotation))
    created = tags.get("creation_time") or video.get("tags", {}).get("creation_time")
    try:
        creation = datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None
    except ValueError:
        creation = None
    data_tracks = any(
        s.get("codec_type") == "data" and s.get("codec_tag_string") in ("gpmd", "camm")
        for s in streams
    )
    device = " ".join(str(tags[k]) for k in DEVICE_KEYS if k in tags) or None
    return ProbeResult(
        container=str(fmt.get("format_name", "")),
        duration_s=duration,
        video_codec=str(video.get("codec_name", "")),
        width=int(video.get("width", 0)),
        height=int(video.get("height", 0)),
        rotation=(-rotation) % 360,
        interlaced=video.get("field_order", "progressive") not in ("progressive", "unknown"),
        frame_rate=_rate(video.get("avg_frame_rate", "0/1")),
        variable_frame_rate=video.get("r_frame_rate") != video.get("avg_frame_rate"),
        audio_codec=audio.get("codec_name") if audio else None,
        audio_channels=int(audio.get("channels", 0)) if audio else 0,
        creation_time=creation,
        has_location=any(k.lower() in tags for k in LOCATION_KEYS) or data_tracks,
        device=device,
    )
