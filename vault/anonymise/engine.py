"""The anonymising engine: a fragment of a recording decoded from the loopback range server into raw
frames over a pipe, faces detected every few frames at reduced size, boxes interpolated between
detections and enlarged, blurred in memory, and the frames piped into an encoder whose fragmented MP4
goes to a sink (the store's sealed writer). No frame touches a disk, not even tmpfs."""

from __future__ import annotations

import math
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

import cv2
import numpy as np

from vault.anonymise.detect import Box, detect
from vault.media.ffmpeg import Process, TookTooLong, input_args, time_limit
from vault.media.probe import probe
from vault.media.rangeserver import serve_range
from vault.store import ObjectKind, ObjectStore

RATE = 25  # frames per second of the result, as the proxy
EVERY = 5  # detect on every fifth frame (5 times a second), interpolate between
GROW = 0.4  # enlarge each box by this much of its size on every side
CELLS = 4  # a face shrunk to CELLS x CELLS pixels and smoothed back up: nothing recognisable left
PIECE = 1024 * 1024
MUTE_STEP = 0.01  # seconds of audio per frame where spans are muted (see mute_filter)


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


@dataclass
class Report:
    """What the engine did: frames written, and for each detection frame (index, from `start_s` of the
    recording at RATE) the boxes it found, in pixels of the width x height output."""

    frames: int = 0
    width: int = 0
    height: int = 0
    start_s: float = 0.0
    detections: dict[int, list[Box]] = field(default_factory=dict)

    def faces(self) -> list[dict[str, object]]:
        """The detections as a clip keeps them (ADR 0017, decision 8): for each detection frame its time
        in seconds of the recording and its boxes [x, y, w, h] as fractions of the frame, before growing."""
        return [
            {
                "t": round(self.start_s + index / RATE, 3),
                "boxes": [_fractions(box, self.width, self.height) for box in boxes],
            }
            for index, boxes in sorted(self.detections.items())
        ]


@dataclass(frozen=True)
class Edit:
    """A box the trainer drew over a span of the recording (seconds): `add` (a face the detector
    missed: blurred) or `keep` (a consenting person: detections wholly inside it are left). `box`
    and `box_end` are x, y, width, height as fractions of the frame at start_s and end_s; in
    between the box moves in a straight line."""

    kind: str
    start_s: float
    end_s: float
    box: tuple[float, float, float, float]
    box_end: tuple[float, float, float, float] | None = None

    def at(self, t: float, width: int, height: int) -> Box:
        """The box at `t` (seconds of the recording), in pixels of a width x height frame."""
        end = self.box_end or self.box
        f = min(max((t - self.start_s) / (self.end_s - self.start_s), 0.0), 1.0)
        x, y, w, h = (p + (q - p) * f for p, q in zip(self.box, end, strict=True))
        return Box(x * width, y * height, (x + w) * width, (y + h) * height)


def to_blur(
    t: float, detected: list[Box], edits: Sequence[Edit], width: int, height: int
) -> list[Box]:
    """The boxes to blur in the frame shown from `t` (seconds of the recording) for RATE: the detected
    ones, less those lying wholly inside a `keep` box and touching no `add` box, and every `add` box.
    Fail closed: a face only partly inside a keep box (someone walking into it) is blurred, an add box
    on any part of a face blurs it whole, an `add` covers each frame that overlaps its span and a `keep`
    only frames wholly inside its own."""
    frame = 1 / RATE
    added = [
        e.at(t, width, height) for e in edits if e.kind == "add" and e.start_s - frame < t < e.end_s
    ]
    kept = [
        e.at(t, width, height)
        for e in edits
        if e.kind == "keep" and e.start_s <= t + 1e-9 and t + frame <= e.end_s + 1e-9
    ]
    if not kept:
        return [*detected, *added]

    def shown(box: Box) -> bool:
        inside = any(
            k.x0 <= box.x0 and box.x1 <= k.x1 and k.y0 <= box.y0 and box.y1 <= k.y1 for k in kept
        )
        touched = any(
            a.x0 <= box.x1 and box.x0 <= a.x1 and a.y0 <= box.y1 and box.y0 <= a.y1 for a in added
        )
        return inside and not touched

    return [b for b in detected if not shown(b)] + added


def _fractions(box: Box, width: int, height: int) -> list[float]:
    x0, y0 = min(max(box.x0 / width, 0.0), 1.0), min(max(box.y0 / height, 0.0), 1.0)
    x1, y1 = min(max(box.x1 / width, x0), 1.0), min(max(box.y1 / height, y0), 1.0)
    x0, y0, x1, y1 = (round(v, 4) for v in (x0, y0, x1, y1))
    return [x0, y0, round(x1 - x0, 4), round(y1 - y0, 4)]


def output_size(width: int, height: int, rotation: int) -> tuple[int, int]:
    """Upright, at most 720 lines, even sides (as the proxy)."""
    if rotation in (90, 270):
        width, height = height, width
    out_h = min(720, height) // 2 * 2
    return max(2, round(width * out_h / height / 2) * 2), out_h


def decode_command(
    url: str,
    container: str,
    start_s: float,
    end_s: float,
    size: tuple[int, int],
    interlaced: bool,
    ffmpeg: str = "ffmpeg",
) -> list[str]:
    filters = ["yadif"] if interlaced else []
    filters += [f"scale={size[0]}:{size[1]}", f"fps={RATE}", "format=rgb24"]
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-ss",
        f"{start_s:.3f}",
        "-t",
        f"{end_s - start_s:.3f}",
        *input_args(url, container),
        "-map",
        "0:v:0",
        "-vf",
        ",".join(filters),
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "pipe:1",
    ]


def mute_filter(spans: Sequence[tuple[float, float]]) -> list[str]:
    """The audio filter that silences `spans` (seconds from the fragment's start): the audio cut into
    frames of MUTE_STEP first, since a timeline filter decides per frame by the frame's start (a camera's
    PCM may come in frames of a second), and each span taken from one such frame early, so every frame
    that overlaps a span is silenced whole. Empty without spans."""
    if not spans:
        return []
    rate = 48000
    parts = [f"aresample={rate}", f"asetnsamples=n={round(rate * MUTE_STEP)}:p=0"]
    parts += [
        f"volume=volume=0:enable='between(t,{_ms(a - MUTE_STEP, math.floor)},{_ms(b, math.ceil)})'"
        if a > 0
        else f"volume=volume=0:enable='lte(t,{_ms(b, math.ceil)})'"  # a first frame a little early too
        for a, b in spans
    ]
    return ["-af", ",".join(parts)]


def _ms(seconds: float, rounding: Callable[[float], int]) -> str:
    """Seconds to whole milliseconds, rounded outwards (the span only ever grows)."""
    return f"{rounding(seconds * 1000) / 1000:.3f}"


def encode_command(
    url: str,
    container: str,
    start_s: float,
    end_s: float,
    size: tuple[int, int],
    ffmpeg: str = "ffmpeg",
    mute: Sequence[tuple[float, float]] = (),
) -> list[str]:
    """Raw frames on stdin, the fragment's audio from the source (silenced over the `mute` spans, in
    seconds from the fragment's start), fragmented MP4 on stdout."""
    return [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-protocol_whitelist",
        "pipe",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{size[0]}x{size[1]}",
        "-framerate",
        str(RATE),
        "-i",
        "pipe:0",
        "-ss",
        f"{start_s:.3f}",
        "-t",
        f"{end_s - start_s:.3f}",
        *input_args(url, container),
        "-map",
        "0:v:0",
        "-map",
        "1:a:0?",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-g",
        str(RATE),
        "-pix_fmt",
        "yuv420p",
        *mute_filter(mute),
        "-c:a",
        "aac",
        "-ac",
        "2",
        "-b:a",
        "128k",
        "-shortest",
        "-map_metadata",
        "-1",
        "-map_chapters",
        "-1",
        "-sn",
        "-dn",
        "-f",
        "mp4",
        "-movflags",
        "frag_keyframe+empty_moov+default_base_moof",
        "pipe:1",
    ]


def _match(a: list[Box], b: list[Box]) -> tuple[list[tuple[Box, Box]], list[Box], list[Box]]:
    """Pairs of boxes that are the same face at two detections (nearest centre, within a face's size),
    and the boxes of each side left without a partner."""
    pairs: list[tuple[Box, Box]] = []
    left = list(b)
    alone_a: list[Box] = []
    for box in a:
        cx, cy = box.centre()
        reach = max(box.x1 - box.x0, box.y1 - box.y0)
        near = [(abs(o.centre()[0] - cx) + abs(o.centre()[1] - cy), i) for i, o in enumerate(left)]
        near = [n for n in near if n[0] <= reach]
        if near:
            pairs.append((box, left.pop(min(near)[1])))
        else:
            alone_a.append(box)
    return pairs, alone_a, left


def between(a: list[Box], b: list[Box], steps: int) -> list[list[Box]]:
    """Boxes for the `steps` frames from one detection (a, at step 0) up to the next (b). The same face
    at both ends moves in a straight line; a face seen at only one end is covered over the whole gap
    (fail closed: it appeared or left somewhere in it)."""
    pairs, alone_a, alone_b = _match(a, b)
    frames = []
    for step in range(steps):
        t = step / steps
        moved = [
            Box(
                *(
                    p + (q - p) * t
                    for p, q in zip((s.x0, s.y0, s.x1, s.y1), (e.x0, e.y0, e.x1, e.y1), strict=True)
                )
            )
            for s, e in pairs
        ]
        frames.append(moved + alone_a + alone_b)
    return frames


def blur(frame: np.ndarray, boxes: list[Box]) -> None:
    """Each (enlarged) box shrunk to CELLS x CELLS pixels and smoothed back up, in place."""
    height, width = frame.shape[:2]
    for box in boxes:
        g = box.grown(GROW, width, height)
        x0, y0, x1, y1 = int(g.x0), int(g.y0), int(np.ceil(g.x1)), int(np.ceil(g.y1))
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        region = frame[y0:y1, x0:x1]
        small = cv2.resize(region, (CELLS, CELLS), interpolation=cv2.INTER_AREA)
        frame[y0:y1, x0:x1] = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)


def _copy(source: BinaryIO, sink: Sink, failed: list[BaseException]) -> None:
    try:
        while piece := source.read(PIECE):
            sink.write(piece)
    except BaseException as exc:  # noqa: BLE001 - handed to the producer's thread
        failed.append(exc)


def anonymise(
    url: str,
    start_s: float,
    end_s: float,
    sink: Sink,
    *,
    ffmpeg: str = "ffmpeg",
    ffprobe: str = "ffprobe",
    every: int = EVERY,
    detector: Callable[[np.ndarray], list[Box]] = detect,
    mute: Sequence[tuple[float, float]] = (),
    edits: Sequence[Edit] = (),
) -> Report:
    """The fragment start_s..end_s of the video at `url` (the loopback range server), faces blurred
    as the trainer's `edits` say (`to_blur`), the audio silenced over the `mute` spans (seconds of
    the recording, as start_s and end_s), as fragmented MP4 written to `sink`. FfmpegFailed/TookTooLong/MediaError on failure; the caller
    discards what the sink has then."""
    info = probe(url, ffprobe=ffprobe)
    start_s = max(0.0, start_s)
    end_s = min(end_s, info.duration_s) if info.duration_s else end_s
    silent = [
        (max(0.0, a - start_s), b - start_s) for a, b in sorted(mute) if b > start_s and a < end_s
    ]
    size = output_size(info.width, info.height, info.rotation)
    container = info.container
    report = Report(width=size[0], height=size[1], start_s=start_s)
    deadline = time.monotonic() + time_limit(end_s - start_s, per_second=6.0)
    decoder = Process(
        decode_command(url, container, start_s, end_s, size, info.interlaced, ffmpeg),
        what="anonymise-decode",
        stdout=subprocess.PIPE,
    )
    encoder = Process(
        encode_command(url, container, start_s, end_s, size, ffmpeg, silent),
        what="anonymise-encode",
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
    )
    failed: list[BaseException] = []
    assert decoder.proc.stdout is not None  # noqa: S101 - PIPE was asked for
    assert encoder.proc.stdout is not None  # noqa: S101
    assert encoder.proc.stdin is not None  # noqa: S101
    copier = threading.Thread(
        target=_copy, args=(encoder.proc.stdout, sink, failed), daemon=True, name="anonymise-out"
    )
    copier.start()
    frame_bytes = size[0] * size[1] * 3
    try:
        pending: list[np.ndarray] = []  # frames since the last detection, the detection frame first
        last: list[Box] = []
        index = 0

        def flush(boxes: list[list[Box]]) -> None:
            """The pending frames (up to `index`) blurred and written to the encoder."""
            assert encoder.proc.stdin is not None  # noqa: S101 - PIPE was asked for
            first = index - len(pending)
            for k, (frame, these) in enumerate(zip(pending, boxes, strict=True)):
                t = start_s + (first + k) / RATE
                blur(frame, to_blur(t, these, edits, size[0], size[1]))
                encoder.proc.stdin.write(frame.tobytes())

        while True:
            raw = decoder.proc.stdout.read(frame_bytes)
            if len(raw) < frame_bytes:
                break
            frame = np.frombuffer(raw, dtype=np.uint8).reshape(size[1], size[0], 3).copy()
            if index % every == 0:
                found = detector(frame)
                report.detections[index] = found
                flush(between(last, found, len(pending)))
                pending, last = [], found
            pending.append(frame)
            index += 1
            if time.monotonic() > deadline:
                raise TookTooLong("anonymise")
        flush(between(last, last, len(pending)))
        report.frames = index
        decoder.check()
        encoder.proc.stdin.close()
        copier.join()
        encoder.check()
        if failed:
            raise failed[0]
        return report
    finally:
        decoder.kill()
        encoder.kill()
        copier.join(timeout=5)


def anonymised_copy(
    store: ObjectStore,
    source_id: uuid.UUID,
    start_s: float,
    end_s: float,
    *,
    ffmpeg: str = "ffmpeg",
    ffprobe: str = "ffprobe",
    mute: Sequence[tuple[float, float]] = (),
    edits: Sequence[Edit] = (),
    opened: Callable[[], None] = lambda: None,
) -> tuple[uuid.UUID, Report]:
    """A new encrypted object in the source's family: the fragment start_s..end_s of `source_id` with
    faces blurred (and the trainer's `edits` applied) and the audio silenced over the `mute` spans (seconds of the recording). Read by range
    through the loopback server, written through the sealed writer: on any failure (a source chunk that
    does not authenticate included) nothing is stored. `opened` runs once the keys are unwrapped and the
    new one stored (the worker ends its transaction there)."""
    family_id = store.get(source_id).family_id
    size, read = store.range_reader(source_id)
    # The writer outside the range server: should ffmpeg take a failed read's cut connection for the
    # end of the file and exit 0 (ADR 0005), SourceUnreadable is raised when the inner block ends, still
    # inside the writer's block, so the writer discards what it has and shreds its key instead of
    # finishing the object.
    with (
        store.writer(family_id=family_id, kind=ObjectKind.anonymised) as out,
        serve_range(size, read) as url,
    ):
        opened()
        report = anonymise(
            url, start_s, end_s, out, ffmpeg=ffmpeg, ffprobe=ffprobe, mute=mute, edits=edits
        )
    return out.object_id, report
