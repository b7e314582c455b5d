"""ffprobe over a URL or path: what a recording is, whether it is a playable video, and what it leaks."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

import ffmpeg as ffmpeg_python

from vault.media.errors import MediaError, no_frames, not_a_video, truncated
from vault.media.ffmpeg import (
    FfmpegFailed,
    TookTooLong,
    demuxer,
    input_args,
    input_options,
    log,
    run,
    time_limit,
)

LOCATION_KEYS = (
    "location",
    "location-eng",
    "com.apple.quicktime.location.iso6709",
    "com.apple.quicktime.location.ISO6709",
)
DEVICE_KEYS = ("com.apple.quicktime.make", "com.apple.quicktime.model", "make", "model", "encoder")


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


def _when(text: str | None) -> datetime | None:
    """ISO 8601 as cameras write it: "2026-11-20T10:00:00.000000Z", "2026-11-20T11:00:00+0100"."""
    if not text:
        return None
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text.strip().replace("Z", "+00:00"))
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def probe(source: str, *, ffprobe: str = "ffprobe", timeout: float = 60) -> ProbeResult:
    """Probe a path or a loopback URL; MediaError (Dutch first) if it is no camera video or cut off.
    Only camera containers are opened (no playlist, concat list or image sequence: they would make
    ffprobe open other resources), and it says nothing of whether the frames decode: see `decodes`."""
    try:
        out = run(
            [
                ffprobe,
                "-v",
                "error",
                "-print_format",
                "json",
                "-show_format",
                "-show_streams",
                *input_args(source)[:-2],
                source,
            ],
            what="probe",
            timeout=timeout,
            check=False,
        )
    except TookTooLong:
        raise truncated() from None
    try:
        info = json.loads(out.stdout or b"{}")
    except ValueError:
        raise not_a_video() from None
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
        stderr = out.stderr
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
    # The camera's own clock: QuickTime's creationdate carries the local offset; creation_time is UTC.
    creation = (
        _when(tags.get("com.apple.quicktime.creationdate"))
        or _when(tags.get("creation_time"))
        or _when(video.get("tags", {}).get("creation_time"))
    )
    data_tracks = any(
        s.get("codec_type") == "data" and s.get("codec_tag_string") in ("gpmd", "camm")
        for s in streams
    )
    device = " ".join(str(tags[k]) for k in DEVICE_KEYS if k in tags) or None
    container = str(fmt.get("format_name", ""))
    try:
        demuxer(container)
    except MediaError:
        raise not_a_video() from None
    return ProbeResult(
        container=container,
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


@dataclass(frozen=True)
class Decoded:
    frames: int
    seconds: float


def decodes(source: str, info: ProbeResult, *, ffmpeg: str = "ffmpeg") -> Decoded:
    """Decode every frame of the video stream (nothing is written); MediaError unless all of them decode
    and they cover the duration the container declares. This is what "verified" means for footage:
    a container with a stream but no frame, a file cut off mid-`mdat`, or one that declares hours it
    does not hold, is refused here rather than found out by a viewer or a parent."""
    argv = (
        ffmpeg_python.input(source, **input_options(source, info.container))
        .output("-", map="0:v:0", f="null")
        .global_args(
            "-hide_banner", "-nostdin", "-v", "error", "-xerror", "-progress", "pipe:1", "-nostats"
        )
        .compile(cmd=ffmpeg)
    )
    result = run(argv, what="decode", timeout=time_limit(info.duration_s), check=False)
    progress = dict(
        line.split("=", 1)
        for line in result.stdout.decode(errors="replace").splitlines()
        if "=" in line
    )
    try:
        frames, seconds = (
            int(progress.get("frame", "0")),
            int(progress.get("out_time_us", "0")) / 1e6,
        )
    except ValueError:
        frames, seconds = 0, 0.0
    if frames == 0:
        raise no_frames()
    if (
        result.returncode != 0 or result.stderr.strip()
    ):  # with -v error, any line is a frame that failed
        log.warning("%s", FfmpegFailed("decode", result.returncode, result.stderr))
        raise damaged()
    # Decoded frames must reach (nearly) the end the container declares, at a rate a camera films at.
    if seconds + max(1.0, 0.05 * info.duration_s) < info.duration_s or frames < info.duration_s:
        raise damaged()
    return Decoded(frames, seconds)


def damaged() -> MediaError:
    return MediaError(
        "damaged",
        "bestand is afgebroken of beschadigd: niet alle beelden zijn af te spelen",
        "the file is cut off or damaged: not every frame plays",
    )
