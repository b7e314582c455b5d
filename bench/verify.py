"""Time from last byte to "verified": what `vault.ingest.verify` does after an upload (read the sealed
object back from MinIO and hash it, probe it, decode every frame, all through the loopback range server)
against what a careful person would do by hand with the plaintext file in the same run:
`sha256sum FILE && ffmpeg -v error -i FILE -f null -`.

Needs the test services (make bench).

    python bench/verify.py [--seconds 60] [--size 1920x1080] [--rounds 3]
"""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    try:
        env = {
            k: os.environ[f"BEELDKLUIS_TEST_S3_{k}"]
            for k in ("ENDPOINT", "ACCESS_KEY", "SECRET_KEY")
        }
    except KeyError:
        sys.exit("start the services first: make bench")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        suffix = uuid.uuid4().hex[:8]
        os.environ.update(
            {
                "BEELDKLUIS_DATA_DIR": str(root / "data"),
                "BEELDKLUIS_STORE": "s3",
                "BEELDKLUIS_S3_ENDPOINT": env["ENDPOINT"],
                "BEELDKLUIS_S3_ACCESS_KEY": env["ACCESS_KEY"],
                "BEELDKLUIS_S3_SECRET_KEY": env["SECRET_KEY"],
                "BEELDKLUIS_BUCKET": f"bench-{suffix}",
                "BEELDKLUIS_WORM_BUCKET": f"bench-w-{suffix}",
            }
        )
        from vault.bootstrap import prepare
        from vault.db import unit_of_work
        from vault.media import decodes, probe, serve_range
        from vault.settings import get_settings
        from vault.store import ObjectKind, open_store

        settings = get_settings()
        prepare(settings)
        video = root / "GX010001.MP4"
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size={args.size}:rate=25:duration={args.seconds}",
                "-f",
                "lavfi",
                "-i",
                f"sine=duration={args.seconds}",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-b:v",
                "12M",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest",
                str(video),
            ],
            check=True,
        )
        family = uuid.uuid4()
        with unit_of_work() as db, open(video, "rb") as source:
            object_id = (
                open_store(db, settings)
                .put(family_id=family, kind=ObjectKind.original, source=source)
                .id
            )

        def baseline() -> None:
            subprocess.run(["sha256sum", str(video)], check=True, capture_output=True)  # noqa: S603, S607
            subprocess.run(
                ["ffmpeg", "-v", "error", "-i", str(video), "-f", "null", "-"],
                check=True,
                capture_output=True,
            )  # noqa: S603, S607

        def vault_verify() -> None:
            with unit_of_work() as db:
                store = open_store(db, settings)
                digest = hashlib.sha256()
                for piece in store.iter_plaintext(object_id):
                    digest.update(piece)
                size, read = store.range_reader(object_id)
                with serve_range(size, read) as url:
                    decodes(url, probe(url))

        def timed(run: Callable[[], object]) -> float:
            start = time.perf_counter()
            run()
            return time.perf_counter() - start

        ratios = []
        for n in range(args.rounds):
            base, ours = timed(baseline), timed(vault_verify)
            ratios.append(ours / base)
            print(
                f"round {n + 1}: sha256sum + ffmpeg decode {base:.2f} s, Beeldkluis verify {ours:.2f} s, ratio {ours / base:.2f}"
            )
        mib = video.stat().st_size / 2**20
        print(
            f"{args.seconds} s of {args.size} ({mib:.0f} MiB), {args.rounds} rounds: median ratio {statistics.median(ratios):.2f} "
            "(last byte to verified, against sha256sum + ffmpeg -f null on the plaintext file)"
        )


if __name__ == "__main__":
    main()
