"""Export: the parents' package for a family of N recordings, built through the decrypting reader, against
bare ffmpeg doing the same conversions (the same argv) from plaintext files in the same run.

Two outputs are timed: a plain folder (the USB stick) and an AES-256 ZIP streamed into the encrypted store
(the download). Camera MP4s (H.264/AAC) are remuxed; `--transcode K` of them are interlaced MPEG-TS that
must be transcoded, as from an AVCHD camera. Peak RSS of this process shows memory stays flat.

Next to wall-clock time, each line gives the CPU seconds spent (this process and its ffmpeg children): on
a shared machine the wall-clock ratio follows the other load, the CPU ratio much less. The conversion is
ADR 0009's fragmented MP4, which the vault writes into a pipe and bare ffmpeg into a file.

    python bench/export.py [--recordings 8] [--minutes 15] [--transcode 0] [--height 720]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from sqlmodel import Session, SQLModel  # noqa: E402

import vault.tables  # noqa: E402, F401
from keys import Keyring, LocalMasterKey  # noqa: E402
from vault.db import engine_for  # noqa: E402
from vault.export.package import FolderSink, Item, Package, ZipSink, write  # noqa: E402
from vault.keyring import SqlKeys  # noqa: E402
from vault.media import convert, probe  # noqa: E402
from vault.recordings.models import Recording  # noqa: E402
from vault.settings import Settings  # noqa: E402
from vault.store import LocalBackend, ObjectKind, ObjectStore  # noqa: E402


def make_sources(root: Path, count: int, minutes: int, transcode: int, height: int) -> list[Path]:
    """One camera MP4 and (if asked) one interlaced MTS, copied: generating hours of video is not the point."""
    seconds = minutes * 60
    width = height * 16 // 9
    base = [
        "ffmpeg",
        "-v",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={width}x{height}:rate=25:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=duration={seconds}",
    ]
    mp4 = root / "camera.mp4"
    subprocess.run(
        [
            *base,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-b:v",
            "6M",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            str(mp4),
        ],
        check=True,
    )
    models = [mp4] * (count - transcode)
    if transcode:
        mts = root / "avchd.MTS"
        subprocess.run(
            [
                *base,
                "-vf",
                "tinterlace=interleave_top",
                "-flags",
                "+ilme+ildct",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-b:v",
                "6M",
                "-c:a",
                "aac",
                "-shortest",
                "-f",
                "mpegts",
                str(mts),
            ],
            check=True,
        )
        models = [mts] * transcode + models
    sources = []  # distinct files, so the baseline cannot read one file from the page cache eight times
    for n, model in enumerate(models):
        sources.append(shutil.copy(model, root / f"{n:02d}{model.suffix}"))
    return sources


def cpu() -> float:
    """CPU seconds so far of this process and its (waited-for) children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recordings", type=int, default=8)
    parser.add_argument("--minutes", type=int, default=15)
    parser.add_argument("--transcode", type=int, default=0)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory(dir=Path.home()) as tmp:  # on disk, like a stick; not tmpfs
        root = Path(tmp)
        t = time.perf_counter()
        sources = make_sources(root, args.recordings, args.minutes, args.transcode, args.height)
        total = sum(p.stat().st_size for p in sources)
        print(
            f"{args.recordings} recordings of {args.minutes} min ({args.transcode} to transcode), "
            f"{total / 2**30:.2f} GiB; made in {time.perf_counter() - t:.0f} s"
        )

        # Baseline: bare ffmpeg, the same conversion argv, from plaintext files into a folder.
        out = root / "bare"
        out.mkdir()
        t, c = time.perf_counter(), cpu()
        for n, source in enumerate(sources):
            convert(str(source), probe(str(source)), out / f"{n:02d}.mp4")
        bare, bare_cpu = time.perf_counter() - t, cpu() - c
        shutil.rmtree(out)

        engine = engine_for(f"sqlite:///{root / 'b.db'}")
        SQLModel.metadata.create_all(engine)
        family = uuid.uuid4()
        with Session(engine) as session:
            backend = LocalBackend(root / "store")
            backend.ensure_ready()
            store = ObjectStore(
                session,
                backend,
                Keyring(SqlKeys(session), LocalMasterKey.create(root / "master.key")),
            )
            items = []
            start = datetime(2026, 9, 1, 10, tzinfo=UTC)
            for n, source in enumerate(sources):
                with open(source, "rb") as f:
                    row = store.put(family_id=family, kind=ObjectKind.original, source=f)
                recording = Recording(
                    trajectory_id=uuid.uuid4(),
                    recorded_at=start + timedelta(days=7 * n),
                    situation="play",
                )
                items.append(
                    Item(
                        f"{n + 1:02d} - {recording.recorded_at:%Y-%m-%d} - spelen.mp4",
                        recording,
                        *store.range_reader(row.id),
                    )
                )
            session.commit()
            package = Package(family, "FAM-BENCH", uuid.uuid4(), items, "01-06-2027", [], {})

            t, c = time.perf_counter(), cpu()
            write(package, FolderSink(root / "USB" / package.folder_name), settings)
            folder, folder_cpu = time.perf_counter() - t, cpu() - c
            shutil.rmtree(root / "USB")

            t, c = time.perf_counter(), cpu()
            with store.writer(family_id=family, kind=ObjectKind.export) as sink:
                write(
                    package,
                    ZipSink(sink, package.folder_name, "bench-passphrase"),
                    settings,
                )
            session.commit()
            zipped, zipped_cpu = time.perf_counter() - t, cpu() - c
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"bare ffmpeg on plaintext files        {bare:7.1f} s   CPU {bare_cpu:6.1f} s")
        print(
            f"vault, folder (USB stick)             {folder:7.1f} s   CPU {folder_cpu:6.1f} s   "
            f"ratios {folder / bare:.2f} (target <= 1.2), CPU {folder_cpu / bare_cpu:.2f}"
        )
        print(
            f"vault, AES-256 ZIP into the store     {zipped:7.1f} s   CPU {zipped_cpu:6.1f} s   "
            f"ratios {zipped / bare:.2f}, CPU {zipped_cpu / bare_cpu:.2f}"
        )
        print(
            f"load average during the run: {os.getloadavg()[1]:.1f} (5 min) on {os.cpu_count()} cores"
        )
        print(f"peak RSS of this process: {rss:.0f} MiB for {total / 2**30:.2f} GiB of footage")


if __name__ == "__main__":
    main()
