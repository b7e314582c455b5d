"""Streaming: time to first segment and segments per second of the watermarked review stream, read through
the decrypting loopback range server by a live segment job, against bare ffmpeg doing the same encode from
a plaintext file in the same run; from the original and from the normalised proxy; and how many viewers
one machine holds at real-time speed (one 4 s segment per 4 s each).

    python bench/stream.py [--seconds 40] [--height 1080]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from sqlmodel import Session, SQLModel  # noqa: E402

import vault.tables  # noqa: E402, F401
from keys import Keyring, LocalMasterKey  # noqa: E402
from vault.db import engine_for  # noqa: E402
from vault.media import SEGMENT_S, Source, render_segment, serve_range  # noqa: E402
from vault.media.jobs import Jobs, Spec  # noqa: E402
from vault.media.scratch import write_private
from vault.media.segment import segment_command  # noqa: E402
from vault.media.tasks import proxy_command  # noqa: E402
from vault.store import LocalBackend, ObjectKind, ObjectStore  # noqa: E402

MARK = "Ria de Vries\nGGD Hollands Midden\n24-11-2026 10:00 UTC\nsessie 1a2b3c4d"


def bare_job(path: Path, seconds: float, out: Path) -> tuple[float, float]:
    """Bare ffmpeg, the same segment job from a plaintext file: (first segment s, segments/s after it)."""
    mark = write_private(out, "wm-", MARK)
    listing = out / "list"
    argv = segment_command(Source(str(path)), 0, clip_start_s=0, clip_end_s=seconds, watermark_file=mark,
                           output=["-f", "segment", "-segment_time", f"{SEGMENT_S}", "-segment_format", "mpegts",
                                   "-reset_timestamps", "0", "-segment_list", str(listing), "-segment_list_type", "flat",
                                   str(out / "%d.ts")])  # fmt: skip
    t = time.perf_counter()
    proc = subprocess.Popen(argv)  # noqa: S603 - our argv
    first = None
    while proc.poll() is None or first is None:
        if first is None and listing.exists() and listing.read_text().strip():
            first = time.perf_counter() - t
        time.sleep(0.01)
    count = len(listing.read_text().split())
    return first, (count - 1) / (time.perf_counter() - t - first)


def job(jobs: Jobs, key: str, spec: Spec, count: int) -> tuple[float, float]:
    t = time.perf_counter()
    jobs.segment((key, "clip"), 0, lambda: spec)
    first = time.perf_counter() - t
    for n in range(1, count):
        jobs.segment((key, "clip"), n, lambda: spec)
    rate = (count - 1) / (time.perf_counter() - t - first)
    jobs.stop((key, "clip"))
    return first, rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--height", type=int, default=1080)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        video = (
            root / "source.mp4"
        )  # a camera-like original (synthetic); the baseline reads it as plaintext
        width = args.height * 16 // 9
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size={width}x{args.height}:rate=25:duration={args.seconds}",
                        "-f", "lavfi", "-i", f"sine=duration={args.seconds}", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50",
                        "-b:v", "12M", "-c:a", "aac", "-shortest", str(video)], check=True)  # fmt: skip
        engine = engine_for(f"sqlite:///{root / 'b.db'}")
        SQLModel.metadata.create_all(engine)
        session = Session(engine)
        backend = LocalBackend(root / "store")
        backend.ensure_ready()
        store = ObjectStore(
            session, backend, Keyring(session, LocalMasterKey.create(root / "master.key"))
        )
        family = uuid.uuid4()
        with open(video, "rb") as f:
            original = store.put(family_id=family, kind=ObjectKind.original, source=f)
        size, read = store.range_reader(original.id)
        t = time.perf_counter()
        with (
            serve_range(size, read) as url,
            store.writer(family_id=family, kind=ObjectKind.proxy) as out,
        ):
            proc = subprocess.run(proxy_command(url, False), capture_output=True, check=True)  # noqa: S603
            out.write(proc.stdout)
        print(
            f"proxy made in {time.perf_counter() - t:.1f} s for {args.seconds} s of {args.height}p"
        )
        session.commit()
        proxy_size, proxy_read = store.range_reader(out.object_id)
        count = int(args.seconds // SEGMENT_S)
        jobs = Jobs(lambda: 16)
        specs = {
            "original": Spec(size, read, False, True, 0, args.seconds, MARK),
            "proxy": Spec(proxy_size, proxy_read, False, True, 0, args.seconds, MARK),
        }
        (root / "bare").mkdir()
        bf, br = bare_job(video, args.seconds, root / "bare")
        print(
            f"{'bare ffmpeg job on plaintext':34} first segment {bf:5.2f} s, {br:5.2f} segments/s"
        )
        t = time.perf_counter()
        render_segment(
            Source(str(video)), 0, clip_start_s=0, clip_end_s=args.seconds, watermark=MARK
        )
        single = time.perf_counter() - t
        print(f"{'bare ffmpeg, one segment':34} {single:5.2f} s")
        for name, spec in specs.items():
            of, orate = job(jobs, name, spec, count)
            print(f"{'vault job from the ' + name:34} first segment {of:5.2f} s, {orate:5.2f} segments/s; "
                  f"ratios {of / bf:.2f} (target <= 1.3) and {orate / br:.2f}")  # fmt: skip
        for viewers in (1, 2, 4, 6, 8, 10):
            t = time.perf_counter()
            with ThreadPoolExecutor(viewers) as pool:
                list(
                    pool.map(
                        lambda v: job(jobs, f"viewer-{v}", specs["proxy"], count), range(viewers)
                    )
                )
            per_viewer = count / (time.perf_counter() - t)
            realtime = per_viewer >= 1 / SEGMENT_S
            print(
                f"{viewers} viewers (proxy): {per_viewer:.2f} segments/s each ({'real time' if realtime else 'too slow'})"
            )
            if not realtime:
                break
        jobs.stop_all()


if __name__ == "__main__":
    main()
