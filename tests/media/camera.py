"""Files that look like what cameras write, and files that only pretend to be video, made with ffmpeg in
the test run (no footage in the repository)."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

SRC = [
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x240:rate=25:duration={s}",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:duration={s}",
]


def _ffmpeg(*args: str, seconds: int = 3) -> None:
    src = [a.format(s=seconds) for a in SRC]
    subprocess.run(["ffmpeg", "-v", "error", "-y", *src, *args], check=True, timeout=120)  # noqa: S603, S607


def _mdat(data: bytes) -> tuple[int, int]:
    """Offset and size of the top-level mdat box."""
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if kind == b"mdat":
            return at, size
        at += size
    raise ValueError("no mdat")


def good(root: Path) -> dict[str, Path]:
    """Camera-like files that must be accepted."""
    files = {
        "gopro": root / "GX010042.MP4",
        "iphone": root / "IMG_0042.MOV",
        "hevc10": root / "PXL_0042.mp4",
        "avchd": root / "00042.MTS",
        "moov_at_end": root / "MVI_0042.MP4",
    }
    h264 = [
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
    ]
    # GoPro: a timecode data track next to video and audio, and a location.
    _ffmpeg(
        *h264,
        "-timecode",
        "10:00:00:00",
        "-metadata",
        "location=+52.3676+004.9041/",
        "-metadata",
        "creation_time=2026-11-20T09:00:00Z",
        "-movflags",
        "+faststart",
        str(files["gopro"]),
    )
    # iPhone: QuickTime keys with the local time and a place, variable frame rate.
    _ffmpeg(
        "-vf",
        "select='not(eq(mod(n,7),3))',setpts=N/25/TB*1.02",
        "-fps_mode",
        "vfr",
        *h264,
        "-movflags",
        "use_metadata_tags",
        "-metadata",
        "com.apple.quicktime.creationdate=2026-11-20T11:15:00+0100",
        "-metadata",
        "com.apple.quicktime.location.ISO6709=+52.3676+004.9041+000.000/",
        "-f",
        "mov",
        str(files["iphone"]),
    )
    _ffmpeg(
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p10le",
        "-x265-params",
        "log-level=error",
        "-tag:v",
        "hvc1",
        "-c:a",
        "aac",
        "-shortest",
        str(files["hevc10"]),
    )
    # AVCHD: interlaced H.264 and AC-3 in MPEG-TS.
    _ffmpeg(
        "-vf",
        "scale=640:480,setfield=tff",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-flags",
        "+ildct+ilme",
        "-x264opts",
        "tff=1",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "ac3",
        "-shortest",
        "-f",
        "mpegts",
        str(files["avchd"]),
    )
    _ffmpeg(
        *h264, str(files["moov_at_end"])
    )  # ffmpeg writes moov after mdat unless asked otherwise
    return files


def bad(root: Path, *, ssrf_url: str) -> dict[str, tuple[Path, str]]:
    """Files that must be refused, with the reason code each gets."""
    base = root / "base.mp4"
    _ffmpeg(
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        "-movflags",
        "+faststart",
        str(base),
        seconds=4,
    )
    data = base.read_bytes()
    at, size = _mdat(data)
    files: dict[str, tuple[Path, str]] = {}
    cut = root / "MVI_0100.MP4"  # cut off a third into mdat: the moov still promises 4 s
    cut.write_bytes(data[: at + size // 3])
    files["cut_mid_mdat"] = (cut, "damaged")
    empty = (
        root / "MVI_0101.MOV"
    )  # a valid container, a stream, a duration, and no frame that decodes
    empty.write_bytes(data[: at + 8] + bytes(size - 8) + data[at + size :])
    files["no_frames_mov"] = (empty, "no_frames")
    ts = root / "00101.MTS"  # an MPEG-TS whose video packets carry nothing but zeros
    _ffmpeg(
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-an",
        "-f",
        "mpegts",
        str(ts),
        seconds=4,
    )
    packets = bytearray(ts.read_bytes())
    for i in range(0, len(packets) - 187, 188):
        pid = ((packets[i + 1] & 0x1F) << 8) | packets[i + 2]
        if pid == 0x100:  # ffmpeg's first elementary stream
            packets[i + 4 : i + 188] = bytes(184)
    ts.write_bytes(bytes(packets))
    files["no_frames_mts"] = (ts, "no_frames")
    hls = root / "MVI_0102.MP4"
    hls.write_text(
        f"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n{ssrf_url}/stolen.ts\n#EXT-X-ENDLIST\n"
    )
    files["hls_playlist"] = (hls, "not_a_video")
    concat = root / "MVI_0103.MP4"
    concat.write_text(f"ffconcat version 1.0\nfile '{ssrf_url}/stolen.mp4'\nfile '/etc/passwd'\n")
    files["ffconcat"] = (concat, "not_a_video")
    # 75 frames, the last one stamped at two hours: a small file that declares 2 h of footage.
    long = root / "MVI_0104.MP4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25:duration=3",
            "-vf",
            "setpts='if(eq(N,74),7200/TB,PTS)'",
            "-fps_mode",
            "vfr",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(long),
        ],
        check=True,
        timeout=120,
    )  # noqa: S603, S607
    files["declares_two_hours"] = (long, "damaged")
    return files
