"""Export: the parents' package for a family of N recordings, built through the decrypting reader, against
bare ffmpeg doing the same conversions (the same argv) from plaintext files in the same run.

Two outputs are timed: a plain folder (the USB stick) and an AES-256 ZIP streamed into the encrypted store
(the download). Camera MP4s (H.264/AAC) are remuxed; `--transcode K` of them are interlaced MPEG-TS that
must be transcoded, as from an AVCHD camera. Peak RSS of this process shows memory stays flat.

Next to wall-clock time, each line gives the CPU seconds spent (this process and its ffmpeg children): on
a shared machine the wall-clock ratio follows the other load, the CPU ratio much less. The conversion is
ADR 0009's fragmented MP4, which the vault writes into a pipe and bare ffmpeg into a file.

The baseline and the vault take turns for `--rounds` rounds, each timed phase starting from a disk with
nothing left to write (`sync`) and, where the bench may (as root), an empty page cache: neither pays for
the other's writes or finds the other's input already in memory. Each round prints its ratios, the last
lines their median.

    python bench/export.py [--recordings 8] [--minutes 15] [--transcode 0] [--height 720] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
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


def cold() -> bool:
    """Nothing left for the disk to write, and (where this process may) nothing in the page cache: each
    phase then reads its input from disk, as an export of last month's footage does."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3")
    except OSError:
        return False
    return True


def timed(work: Callable[[], None]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of `work`, started cold."""
    cold()
    t, c = time.perf_counter(), cpu()
    work()
    return time.perf_counter() - t, cpu() - c


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recordings", type=int, default=8)
    parser.add_argument("--minutes", type=int, default=15)
    parser.add_argument("--transcode", type=int, default=0)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--rounds", type=int, default=3)
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

        def bare() -> None:
            """Bare ffmpeg, the same conversion argv, from plaintext files into a folder."""
            out = root / "bare"
            out.mkdir()
            for n, source in enumerate(sources):
                convert(str(source), probe(str(source)), out / f"{n:02d}.mp4")
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

            def folder() -> None:
                write(package, FolderSink(root / "USB" / package.folder_name), settings)
                shutil.rmtree(root / "USB")

            def zipped() -> None:
                with store.writer(family_id=family, kind=ObjectKind.export) as sink:
                    write(package, ZipSink(sink, package.folder_name, "bench-passphrase"), settings)
                session.commit()

            ratios: list[tuple[float, float]] = []
            for round_ in range(1, args.rounds + 1):
                b, b_cpu = timed(bare)
                f, f_cpu = timed(folder)
                z, z_cpu = timed(zipped)
                ratios.append((f / b, z / b))
                print(f"round {round_}")
                print(f"  bare ffmpeg on plaintext files        {b:7.1f} s   CPU {b_cpu:6.1f} s")
                print(
                    f"  vault, folder (USB stick)             {f:7.1f} s   CPU {f_cpu:6.1f} s   "
                    f"ratios {f / b:.2f} (target <= 1.2), CPU {f_cpu / b_cpu:.2f}"
                )
                print(
                    f"  vault, AES-256 ZIP into the store     {z:7.1f} s   CPU {z_cpu:6.1f} s   "
                    f"ratios {z / b:.2f}, CPU {z_cpu / b_cpu:.2f}"
                )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        caches = "dropped before each phase" if cold() else "not dropped (needs root)"
        print(
            f"median of {args.rounds} rounds: folder {statistics.median(r[0] for r in ratios):.2f}× "
            f"(target <= 1.2), ZIP {statistics.median(r[1] for r in ratios):.2f}× bare ffmpeg"
        )
        print(f"page cache: {caches}")
        print(
            f"load average during the run: {os.getloadavg()[1]:.1f} (5 min) on {os.cpu_count()} cores"
        )
        print(f"peak RSS of this process: {rss:.0f} MiB for {total / 2**30:.2f} GiB of footage")


if __name__ == "__main__":
    main()
