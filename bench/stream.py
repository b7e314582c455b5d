"""Streaming through the deployed path (ADR 0007): a segment request as the API makes it (`live.fetch`),
rendered by a live job on a real `stream` worker process (embedded default: SQLite, local store,
filesystem broker), sealed into the store, read back and decrypted. Against bare ffmpeg doing the same
segment job from the plaintext file, in the same run: time to first watermarked segment and segments per
second, from the original and from the normalised proxy; the bytes read from the store before the first
byte of a late segment (seeking through the mfra index); and how many viewers a worker holds at
real-time speed (one 4 s segment per 4 s each).

    python bench/stream.py [--seconds 40] [--height 1080] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

MARK = "Ria de Vries\nGGD Hollands Midden\n24-11-2026 10:00 UTC\nsessie 1a2b3c4d"


def bare_job(path: Path, seconds: float, out: Path) -> tuple[float, float]:
    """Bare ffmpeg, the same segment job from a plaintext file: (first segment s, segments/s after it)."""
    from vault.media import SEGMENT_S, Source
    from vault.media.scratch import write_private
    from vault.media.segment import segment_command

    mark = write_private(out, "wm-", MARK)
    listing = out / "list"
    argv = segment_command(
        Source(str(path)),
        0,
        clip_start_s=0,
        clip_end_s=seconds,
        watermark_file=mark,
        output=[
            "-f",
            "segment",
            "-segment_time",
            f"{SEGMENT_S}",
            "-segment_format",
            "mpegts",
            "-reset_timestamps",
            "0",
            "-segment_list",
            str(listing),
            "-segment_list_type",
            "flat",
            str(out / "%d.ts"),
        ],
    )
    t = time.perf_counter()
    proc = subprocess.Popen(argv)  # noqa: S603 - our argv
    first = None
    while proc.poll() is None or first is None:
        if first is None and listing.exists() and listing.read_text().strip():
            first = time.perf_counter() - t
        time.sleep(0.01)
    count = len(listing.read_text().split())
    return first, (count - 1) / (time.perf_counter() - t - first)


def play(
    viewer: str, user_id: uuid.UUID, recording_id: uuid.UUID, count: int
) -> tuple[float, float]:
    """One viewer through the API's path: (first segment s, segments/s after it)."""
    from vault.db import unit_of_work
    from vault.media import live

    def fetch(n: int) -> bytes:
        with unit_of_work() as db:
            return live.fetch(
                db,
                viewer=viewer,
                user_id=user_id,
                shown_id=recording_id,
                whole=True,
                n=n,
                count=count,
            )

    t = time.perf_counter()
    assert fetch(0)[0] == 0x47  # noqa: S101 - MPEG-TS
    first = time.perf_counter() - t
    for n in range(1, count):
        fetch(n)
    rate = (count - 1) / (time.perf_counter() - t - first)
    with unit_of_work() as db:
        live.stop(db, viewer, recording_id)
    return first, rate


def bytes_before_first_byte(
    object_id: uuid.UUID, n: int, seconds: float, container: str
) -> tuple[int, int, float]:
    """A job started at segment n (a seek) on the worker's engine: (bytes read from the store before its
    first segment byte, the object's size, seconds)."""
    from vault.db import unit_of_work
    from vault.media.jobs import Job, Spec
    from vault.settings import get_settings
    from vault.store import open_store

    with unit_of_work() as db:
        size, read = open_store(db, get_settings()).range_reader(object_id)
    total = [0]

    def counting(offset: int, length: int) -> bytes:
        data = read(offset, length)
        total[0] += len(data)
        return data

    t = time.perf_counter()
    job = Job(Spec(size, counting, False, True, 0, seconds, MARK, container=container), n)
    try:
        while not any(p.stat().st_size > 0 for p in job.dir.glob("*.ts")):
            assert not job.broken  # noqa: S101
            time.sleep(0.005)
        return total[0], size, time.perf_counter() - t
    finally:
        job.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--workers", type=int, default=2, help="processes of the stream worker")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for key in [k for k in os.environ if k.startswith("BEELDKLUIS_")]:
            del os.environ[key]
        os.environ["BEELDKLUIS_DATA_DIR"] = str(root / "data")
        from sqlmodel import select

        from vault.bootstrap import prepare
        from vault.db import unit_of_work
        from vault.domain.models import Organisation, User
        from vault.families.models import Family, Trajectory
        from vault.media import SEGMENT_S, live
        from vault.media.tasks import make_proxy
        from vault.recordings.models import Recording
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
                "-f",
                "lavfi",
                "-i",
                f"sine=duration={args.seconds}",
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
                "-shortest",
                str(video),
            ],
            check=True,
        )
        with unit_of_work() as db:
            org = Organisation(name="GGD Hollands Midden")
            db.add(org)
            db.flush()
            user = User(
                organisation_id=org.id,
                email="ria@example.org",
                name="Ria de Vries",
                role="opleider",
            )
            db.add(user)
            db.flush()
            family = Family(organisation_id=org.id, created_by=user.id)
            db.add(family)
            db.flush()
            trajectory = Trajectory(family_id=family.id, type="vht", trainer_id=user.id)
            db.add(trajectory)
            db.flush()
            with open(video, "rb") as f:
                original = open_store(db, settings).put(
                    family_id=family.id, kind=ObjectKind.original, source=f
                )
            recording = Recording(
                trajectory_id=trajectory.id,
                recorded_at=org.created_at,
                duration_s=float(args.seconds),
                original_object_id=original.id,
                probe=json.dumps({"container": "mov,mp4,m4a,3gp,3g2,mj2", "audio_codec": "aac"}),
            )
            db.add(recording)
            db.flush()
            user_id, recording_id, original_id = user.id, recording.id, original.id
        count = int(args.seconds // SEGMENT_S)

        (root / "bare").mkdir()
        bf, br = bare_job(video, args.seconds, root / "bare")
        print(
            f"{'bare ffmpeg job on plaintext':36} first segment {bf:5.2f} s, {br:5.2f} segments/s"
        )

        log = open(root / "worker.log", "ab")  # noqa: SIM115
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "vault.cli",
                "worker",
                "--queues",
                "stream",  # noqa: S603
                "--concurrency",
                str(args.workers),
            ],
            env=os.environ.copy(),
            stdout=log,
            stderr=log,
        )
        try:
            time.sleep(4)  # the worker starts (not part of any figure)
            play("warm-up", user_id, recording_id, 1)
            results = {}
            for name in ("original", "proxy"):
                if name == "proxy":
                    t = time.perf_counter()
                    assert make_proxy(recording_id) == "made"  # noqa: S101
                    print(
                        f"proxy made in {time.perf_counter() - t:.1f} s for {args.seconds} s of {args.height}p"
                    )
                first, rate = play(f"viewer-{name}", user_id, recording_id, count)
                results[name] = first
                print(
                    f"{'worker job from the ' + name:36} first segment {first:5.2f} s, {rate:5.2f} segments/s; "
                    f"ratios {first / bf:.2f} (goal <= {1.1 if name == 'proxy' else 1.3}) and {rate / br:.2f}"
                )
            with unit_of_work() as db:
                jobs = db.exec(select(live.StreamJob)).all()
                waits = sorted(j.started_at - j.created_at for j in jobs if j.started_at)
            print(
                f"queue to worker (filesystem broker, 0.1 s polling): median {waits[len(waits) // 2]:.2f} s"
            )
            with unit_of_work() as db:
                proxy_id = db.get_one(Recording, recording_id).proxy_object_id
            late = count - 2
            for name, object_id, container in (
                ("original", original_id, "mov"),
                ("proxy", proxy_id, "mov"),
            ):
                read, size, took = bytes_before_first_byte(object_id, late, args.seconds, container)
                print(
                    f"late segment {late} from the {name:8}: {read / 2**20:6.1f} MiB read of {size / 2**20:6.1f} MiB "
                    f"before its first byte ({took:.2f} s)"
                )
            for viewers in range(1, args.workers + 1):
                t = time.perf_counter()
                with ThreadPoolExecutor(viewers) as pool:
                    list(
                        pool.map(
                            lambda v, k=viewers: play(
                                f"many-{k}-{v}", user_id, recording_id, count
                            ),
                            range(viewers),
                        )
                    )
                per_viewer = count / (time.perf_counter() - t)
                realtime = per_viewer >= 1 / SEGMENT_S
                print(
                    f"{viewers} viewers (proxy, {args.workers} worker processes): {per_viewer:.2f} segments/s each "
                    f"({'real time' if realtime else 'too slow'})"
                )
                if not realtime:
                    break
        finally:
            worker.terminate()
            worker.wait(timeout=60)
            log.close()


if __name__ == "__main__":
    main()
