"""Stills (issue #23, ADR 0016): one frame of a fragment as a watermarked JPEG, the way the API makes it
(the sealed original read by range from the store, decrypted into the loopback range server, ffmpeg
seeking to the frame), against bare ffmpeg extracting the same frame with the same watermark from the
plaintext file, in the same run. Prints the median of each and their ratio.

    python bench/still.py [--seconds 60] [--height 1080] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

MARK = "Ria de Vries\nGGD Hollands Midden\n24-11-2026 10:00 CET\nsessie 1a2b3c4d"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for key in [k for k in os.environ if k.startswith("BEELDKLUIS_")]:
            del os.environ[key]
        os.environ["BEELDKLUIS_DATA_DIR"] = str(root / "data")
        from vault.bootstrap import prepare
        from vault.db import unit_of_work
        from vault.domain.models import Organisation, User
        from vault.families.models import Family
        from vault.media import serve_range
        from vault.media.scratch import write_private
        from vault.media.still import render_still, still_command
        from vault.settings import get_settings
        from vault.store import ObjectKind, open_store

        settings = get_settings()
        prepare(settings)
        video = (
            root / "source.mp4"
        )  # a camera-like original (synthetic); the baseline reads it as plaintext
        width = args.height * 16 // 9
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size={width}x{args.height}:rate=25:duration={args.seconds}",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "50",
                "-b:v",
                "12M",
                str(video),
            ],
            check=True,
        )
        with unit_of_work() as db:
            org = Organisation(name="GGD Hollands Midden")
            db.add(org)
            db.flush()
            user = User(
                organisation_id=org.id, email="ria@example.org", name="Ria de Vries", role="trainer"
            )
            db.add(user)
            db.flush()
            family = Family(organisation_id=org.id, created_by=user.id)
            db.add(family)
            db.flush()
            with open(video, "rb") as f:
                object_id = (
                    open_store(db, settings)
                    .put(family_id=family.id, kind=ObjectKind.original, source=f)
                    .id
                )
        # Frames spread over the recording, each a quarter frame early as the service asks.
        frames = [round((i + 0.5) * args.seconds * 25 / args.runs) for i in range(args.runs)]
        at = [(f - 0.25) / 25 for f in frames]
        mark = write_private(root, "wm-", MARK)

        def bare(at_s: float) -> bytes:
            argv = still_command(str(video), at_s, watermark_file=str(mark), ffmpeg=settings.ffmpeg)
            return subprocess.run(argv, capture_output=True, check=True).stdout  # noqa: S603 - our argv

        def vault(at_s: float) -> bytes:
            with unit_of_work() as db:
                size, read = open_store(db, settings).range_reader(object_id)
            with serve_range(size, read) as url:
                return render_still(url, at_s, watermark=MARK, ffmpeg=settings.ffmpeg)

        def timed(fn: Callable[[float], bytes], at_s: float) -> float:
            t = time.perf_counter()
            jpeg = fn(at_s)
            elapsed = time.perf_counter() - t
            assert jpeg[:2] == b"\xff\xd8"  # noqa: S101 - a JPEG
            return elapsed

        bare_s, vault_s = [], []
        for at_s in at:  # interleaved, so both see the same machine load
            bare_s.append(timed(bare, at_s))
            vault_s.append(timed(vault, at_s))
        b, v = statistics.median(bare_s), statistics.median(vault_s)
        print(f"still from a {args.height}p {args.seconds} s original, {args.runs} frames, median:")
        print(f"  bare ffmpeg on the plaintext file: {b * 1000:7.1f} ms")
        print(f"  vault (store, decrypt, range server, ffmpeg): {v * 1000:7.1f} ms")
        print(f"  ratio vault / bare: {v / b:.2f}")


if __name__ == "__main__":
    main()
