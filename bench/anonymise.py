"""Anonymising a fragment (issue #24, ADR 0017): the whole job as the worker runs it (sealed original
read by range, decrypted into the loopback range server, decoded to raw frames, faces detected every
fifth frame and blurred, re-encoded, sealed into the store) against bare ffmpeg decoding and re-encoding
the same fragment from the plaintext file with the same scale and encoder settings, in the same run.
Prints frames per second of each and their ratio (goal: under 2).

    python bench/anonymise.py [--seconds 60] [--height 1080]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60, help="length of the fragment")
    parser.add_argument("--height", type=int, default=1080, help="of the camera original")
    args = parser.parse_args()
    import cv2
    import numpy as np
    from skimage import data
    from sqlmodel import Session, SQLModel

    import vault.tables  # noqa: F401 - every table
    from keys import Keyring, LocalMasterKey
    from vault.anonymise.engine import RATE, anonymised_copy, output_size
    from vault.db import engine_for
    from vault.keyring import SqlKeys
    from vault.store import LocalBackend, ObjectKind, ObjectStore

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        width = args.height * 16 // 9
        face = root / "face.png"
        photo: np.ndarray = data.astronaut()  # type: ignore[no-untyped-call]  # scikit-image's data module is unannotated
        cv2.imwrite(
            str(face), cv2.cvtColor(np.ascontiguousarray(photo[20:220, 140:320]), cv2.COLOR_RGB2BGR)
        )
        video = (
            root / "source.mp4"
        )  # a camera-like original with a face walking across; plaintext baseline
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size={width}x{args.height}:rate=25:duration={args.seconds}",
                "-loop",
                "1",
                "-i",
                str(face),
                "-f",
                "lavfi",
                "-i",
                f"sine=f=440:d={args.seconds}",
                "-filter_complex",
                f"[0:v][1:v]overlay=x='mod(40*t,{width - 200})':y=200:shortest=1,format=yuv420p[v]",
                "-map",
                "[v]",
                "-map",
                "2:a",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "50",
                "-b:v",
                "12M",
                "-c:a",
                "aac",
                str(video),
            ],
            check=True,
        )
        engine = engine_for(f"sqlite:///{root / 'store.db'}")
        SQLModel.metadata.create_all(engine)
        backend = LocalBackend(root / "objects")
        backend.ensure_ready()
        with Session(engine, expire_on_commit=False) as session:
            store = ObjectStore(
                session,
                backend,
                Keyring(SqlKeys(session), LocalMasterKey.open_or_create(root / "mk")),
            )
            with video.open("rb") as f:
                source = store.put(family_id=uuid.uuid4(), kind=ObjectKind.original, source=f)
            size = output_size(width, args.height, 0)
            bare = [
                "ffmpeg",
                "-hide_banner",
                "-nostdin",
                "-v",
                "error",
                "-ss",
                "0",
                "-t",
                str(args.seconds),
                "-i",
                str(video),
                "-map",
                "0:v:0",
                "-map",
                "0:a:0?",
                "-vf",
                f"scale={size[0]}:{size[1]},fps={RATE}",
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
                "-c:a",
                "aac",
                "-ac",
                "2",
                "-b:a",
                "128k",
                "-f",
                "mp4",
                "-movflags",
                "frag_keyframe+empty_moov+default_base_moof",
                "pipe:1",
            ]  # the engine's encoder settings, fed by its own decoder
            started = time.perf_counter()
            subprocess.run(bare, stdout=subprocess.DEVNULL, check=True)  # noqa: S603
            bare_s = time.perf_counter() - started
            started = time.perf_counter()
            _, report = anonymised_copy(store, source.id, 0.0, float(args.seconds))
            vault_s = time.perf_counter() - started
        frames = args.seconds * RATE
        found = sum(1 for boxes in report.detections.values() if boxes)
        print(
            f"anonymising a {args.seconds} s fragment of a {args.height}p original, output {size[0]}x{size[1]}, {frames} frames:"
        )
        print(
            f"  bare ffmpeg decode + re-encode of the plaintext file: {bare_s:6.1f} s ({frames / bare_s:6.1f} frames/s)"
        )
        print(
            f"  vault (store, decrypt, range server, detect every 5th, blur, encode, seal): {vault_s:6.1f} s "
            f"({report.frames / vault_s:6.1f} frames/s); a face in {found} of {len(report.detections)} detections"
        )
        print(f"  ratio vault / bare: {vault_s / bare_s:.2f}")


if __name__ == "__main__":
    main()
