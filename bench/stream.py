"""Streaming: time to first segment and segments per second of the watermarked render reading through the
decrypting loopback range server, against bare ffmpeg doing the same encode from a plaintext file in the
same run; and how many viewers one machine holds at real-time speed (one 4 s segment per 4 s each).

    python bench/stream.py [--seconds 40]
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
from vault.store import LocalBackend, ObjectKind, ObjectStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        video = (
            root / "source.mp4"
        )  # benchmark input (synthetic), the baseline reads it as plaintext
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={args.seconds}",
                        "-f", "lavfi", "-i", f"sine=duration={args.seconds}", "-c:v", "libx264", "-preset", "ultrafast", "-g", "250",
                        "-c:a", "aac", "-shortest", str(video)], check=True)  # fmt: skip
        engine = engine_for(f"sqlite:///{root / 'b.db'}")
        SQLModel.metadata.create_all(engine)
        session = Session(engine)
        backend = LocalBackend(root / "store")
        backend.ensure_ready()
        store = ObjectStore(
            session, backend, Keyring(session, LocalMasterKey.create(root / "master.key"))
        )
        with open(video, "rb") as f:
            row = store.put(family_id=uuid.uuid4(), kind=ObjectKind.original, source=f)
        session.commit()
        count = int(args.seconds // SEGMENT_S)
        mark = "Ria de Vries\nGGD Hollands Midden\n24-11-2026 10:00 UTC\nsessie 1a2b3c4d"

        def bare(n: int) -> bytes:
            return render_segment(
                Source(str(video)), n, clip_start_s=0, clip_end_s=args.seconds, watermark=mark
            )

        def ours(n: int) -> bytes:
            with serve_range(row.size, lambda o, k: store.open_range(row.id, o, o + k)) as url:
                return render_segment(
                    Source(url), n, clip_start_s=0, clip_end_s=args.seconds, watermark=mark
                )

        results = {}
        for name, fn in (
            ("bare ffmpeg on plaintext", bare),
            ("vault (decrypting range server)", ours),
        ):
            t = time.perf_counter()
            fn(0)
            first = time.perf_counter() - t
            t = time.perf_counter()
            for n in range(1, count):
                fn(n)
            rate = (count - 1) / (time.perf_counter() - t)
            results[name] = (first, rate)
            print(f"{name:34} first segment {first:5.2f} s, {rate:5.2f} segments/s")
        (bf, br), (of, orate) = results.values()
        print(
            f"time to first segment: ratio {of / bf:.2f} (target <= 1.3); throughput ratio {orate / br:.2f}"
        )
        for viewers in (1, 2, 3, 4, 6):
            t = time.perf_counter()
            with ThreadPoolExecutor(viewers) as pool:
                list(pool.map(ours, [n % count for n in range(viewers * 3)]))
            per_viewer = (viewers * 3) / (time.perf_counter() - t) / viewers
            realtime = per_viewer >= 1 / SEGMENT_S
            print(
                f"{viewers} viewers: {per_viewer:.2f} segments/s each ({'real time' if realtime else 'too slow'})"
            )
            if not realtime:
                break


if __name__ == "__main__":
    main()
