"""Viewers during an export: two viewers' segments through the deployed path (ADR 0007: a real `stream`
worker process, `live.fetch` as the API calls it) while a parents' package (AES-256 ZIP into the store, the
task's own `write`) is built at the `export` queue's CPU budget (`queue_nice`, ADR 0009), on the same
machine. Printed against baselines measured in the same run: each viewer's segment latency (median, max)
against the viewers alone, and the export's time against the export alone; then the same with no budget
(the export at nice 0), to show what the budget buys.

Viewers fetch segment after segment with no pause (the worst case a player can make); a 4 s segment
in 4 s or less is real time.

    python bench/export_viewers.py [--seconds 60] [--height 720] [--recordings 4] [--minutes 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
sys.path.insert(0, str(Path(__file__).parent))


def export_child(spec: Path) -> None:
    """The export, as the export worker runs it: at the queue's CPU budget, `write` into a ZipSink
    streamed into a sealed store object."""
    from vault.worker import lower_priority

    nice = lower_priority("export")
    from datetime import UTC, datetime, timedelta

    from vault.db import unit_of_work
    from vault.export.package import Item, Package, ZipSink, write
    from vault.recordings.models import Recording
    from vault.settings import get_settings
    from vault.store import ObjectKind, open_store

    job = json.loads(spec.read_text())
    settings = get_settings()
    family = uuid.UUID(job["family"])
    t = time.perf_counter()
    with unit_of_work() as db:
        store = open_store(db, settings)
        items = []
        for n, object_id in enumerate(job["objects"]):
            recording = Recording(
                trajectory_id=uuid.uuid4(),
                situation="play",
                recorded_at=datetime(2026, 9, 1, tzinfo=UTC) + timedelta(days=7 * n),
            )
            items.append(
                Item(
                    f"{n + 1:02d} - spelen.mp4",
                    recording,
                    *store.range_reader(uuid.UUID(object_id)),
                )
            )
        package = Package(family, "FAM-BENCH", uuid.uuid4(), items, "01-06-2027", [], {})
        with store.writer(family_id=family, kind=ObjectKind.export) as out:
            db.commit()
            write(package, ZipSink(out, package.folder_name, "bench-passphrase"), settings)  # type: ignore[arg-type]  # SealedWriter offers the write/flush/close ZipSink uses, but is no BinaryIO subclass
    print(json.dumps({"seconds": time.perf_counter() - t, "nice": nice}))


def run_export(spec: Path, nice_export: int | None = None) -> subprocess.Popen[str]:
    env = os.environ.copy()
    if nice_export is not None:
        env["BEELDKLUIS_QUEUE_NICE"] = json.dumps({"export": nice_export})
    return subprocess.Popen(
        [sys.executable, __file__, "--export-child", str(spec)],
        env=env,  # noqa: S603
        stdout=subprocess.PIPE,
        text=True,
    )


TICK = os.sysconf("SC_CLK_TCK")


def _stats() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, state, CPU seconds of it and its reaped children) for every process."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(stat.parent.name)] = (
            int(fields[1]),
            fields[0],
            sum(int(f) for f in fields[11:15]) / TICK,
        )
    return found


def tree_cpu(pid: int, stats: dict[int, tuple[int, str, float]] | None = None) -> float:
    """CPU seconds of a process and all its descendants, living or reaped (0.0 once it is gone)."""
    stats = stats if stats is not None else _stats()
    if pid not in stats:
        return 0.0
    return stats[pid][2] + sum(
        tree_cpu(child, stats) for child, (parent, _, _) in stats.items() if parent == pid
    )


class ExportLoop:
    """The export, started again whenever it ends, until stopped; counts the CPU all its builds used."""

    def __init__(self, spec: Path, nice_export: int | None) -> None:
        self.spec, self.nice = spec, nice_export
        self.builds = [run_export(spec, nice_export)]
        self.ended_cpu = 0.0  # of builds that ended
        self.first: tuple[float, int] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            proc = self.builds[-1]
            stats = _stats()
            if (
                proc.pid in stats and stats[proc.pid][1] == "Z"
            ):  # ended; its counts are there until reaped
                self.ended_cpu += tree_cpu(proc.pid, stats)
                if self.first is None:
                    self.first = export_result(proc)
                else:
                    proc.wait()
                self.builds.append(run_export(self.spec, self.nice))

    def cpu(self) -> float:
        return self.ended_cpu + tree_cpu(self.builds[-1].pid)

    def stop(self) -> tuple[float, int]:
        self._stop.set()
        self._thread.join()
        if self.first is None:
            self.first = export_result(self.builds[0])
        else:
            self.builds[-1].kill()
            self.builds[-1].wait()
        return self.first


def export_result(proc: subprocess.Popen[str]) -> tuple[float, int]:
    out, _ = proc.communicate(timeout=3600)
    if proc.returncode != 0:
        raise SystemExit("the export failed")
    said = json.loads(out.strip().splitlines()[-1])
    return float(said["seconds"]), int(said["nice"])


def viewers(user_id: uuid.UUID, recording_id: uuid.UUID, count: int, tag: str) -> list[list[float]]:
    """Two viewers, each fetching every segment in turn: the seconds each segment took, per viewer."""
    from vault.db import unit_of_work
    from vault.media import live
    from vault.media.jobs import Busy, SegmentFailed

    took: list[list[float]] = [[], []]
    retried = [0, 0]

    def one(v: int) -> None:
        viewer = f"{tag}-{v}-{uuid.uuid4().hex[:6]}"
        for n in range(count):
            t = time.perf_counter()
            while True:  # as the player does: after a 503 (busy) or a failed segment, ask again
                try:
                    with unit_of_work() as db:
                        live.fetch(
                            db,
                            viewer=viewer,
                            user_id=user_id,
                            shown_id=recording_id,
                            whole=True,
                            n=n,
                            count=count,
                        )
                    break
                except (Busy, SegmentFailed):
                    retried[v] += 1
                    time.sleep(1)
            took[v].append(time.perf_counter() - t)
        with unit_of_work() as db:
            live.stop(db, viewer, recording_id)
        if retried[v]:
            print(f"  ({tag}: viewer {v + 1} was told to retry {retried[v]} times)")

    threads = [threading.Thread(target=one, args=(v,)) for v in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return took


def show(label: str, took: list[list[float]], alone: list[list[float]] | None = None) -> None:
    for v, seconds in enumerate(took):
        median, worst = statistics.median(seconds), max(seconds)
        line = f"{label:34} viewer {v + 1}: segment median {median:5.2f} s, max {worst:5.2f} s"
        if alone is not None:
            line += f"   ratios {median / statistics.median(alone[v]):.2f} / {worst / max(alone[v]):.2f} to alone"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--seconds", type=int, default=60, help="length of the clip the viewers watch"
    )
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--recordings", type=int, default=4)
    parser.add_argument("--minutes", type=int, default=5)
    parser.add_argument(
        "--transcode", type=int, default=0, help="of the recordings, interlaced MTS to transcode"
    )
    parser.add_argument("--export-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        export_child(args.export_child)
        return
    with tempfile.TemporaryDirectory(dir=Path.home()) as tmp:
        root = Path(tmp)
        for key in [k for k in os.environ if k.startswith("BEELDKLUIS_")]:
            del os.environ[key]
        os.environ["BEELDKLUIS_DATA_DIR"] = str(root / "data")
        from export import make_sources  # bench/export.py

        from vault.bootstrap import prepare
        from vault.db import unit_of_work
        from vault.domain.models import Organisation, User
        from vault.families.models import Family, Trajectory
        from vault.media import SEGMENT_S
        from vault.recordings.models import Recording
        from vault.settings import get_settings
        from vault.store import ObjectKind, open_store

        settings = get_settings()
        prepare(settings)
        video = root / "clip.mp4"
        width = args.height * 16 // 9
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size={width}x{args.height}:rate=25:duration={args.seconds}",  # noqa: S607
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
                "6M",
                "-c:a",
                "aac",
                "-shortest",
                str(video),
            ],
            check=True,
        )
        (root / "src").mkdir()
        sources = make_sources(root / "src", args.recordings, args.minutes, args.transcode, 720)
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
            store = open_store(db, settings)
            with open(video, "rb") as f:
                original = store.put(family_id=family.id, kind=ObjectKind.original, source=f)
            recording = Recording(
                trajectory_id=trajectory.id,
                recorded_at=org.created_at,
                duration_s=float(args.seconds),
                original_object_id=original.id,
                probe=json.dumps({"container": "mov,mp4,m4a,3gp,3g2,mj2", "audio_codec": "aac"}),
            )
            db.add(recording)
            objects = []
            for path in sources:
                with open(path, "rb") as f:
                    objects.append(
                        str(store.put(family_id=family.id, kind=ObjectKind.original, source=f).id)
                    )
            db.flush()
            user_id, recording_id, family_id = user.id, recording.id, family.id
        for path in sources:
            path.unlink()
        spec = root / "export.json"
        spec.write_text(json.dumps({"family": str(family_id), "objects": objects}))
        count = int(args.seconds // SEGMENT_S)
        print(
            f"viewers: two of a {args.seconds} s {args.height}p clip ({count} segments each); export: "
            f"{args.recordings} recordings of {args.minutes} min ({args.transcode} to transcode) into an AES-256 ZIP"
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
                "2",
            ],
            env=os.environ.copy(),
            stdout=log,
            stderr=log,
        )
        try:
            time.sleep(4)  # the worker starts (not part of any figure)
            viewers(user_id, recording_id, 1, "warm-up")
            alone = viewers(user_id, recording_id, count, "alone")
            show("viewers alone", alone)
            solo, nice = export_result(run_export(spec))
            print(f"{'export alone (nice ' + str(nice) + ')':34} {solo:6.1f} s")
            for label, override in (("budget", None), ("no budget", 0)):
                # The export is started again whenever it ends, so the viewers always watch during one;
                # the first build's time is the figure. CPU seconds of the stream worker (and its ffmpeg)
                # against the export's over the same window show who got the machine, whatever else ran.
                exports = ExportLoop(spec, override)
                t, viewers_cpu, export_cpu = (
                    time.perf_counter(),
                    tree_cpu(worker.pid),
                    exports.cpu(),
                )
                during = viewers(user_id, recording_id, count, label)
                watched = time.perf_counter() - t
                viewers_cpu, export_cpu = (
                    tree_cpu(worker.pid) - viewers_cpu,
                    exports.cpu() - export_cpu,
                )
                seconds, nice = exports.stop()
                show(f"viewers during export ({label})", during, alone)
                print(
                    f"{'export with viewers (nice ' + str(nice) + ')':34} {seconds:6.1f} s   ratio {seconds / solo:.2f} to alone"
                    f"   (viewers watched for {watched:.0f} s, {len(exports.builds)} builds started)"
                )
                print(
                    f"{'  CPU while they watched':34} viewers {viewers_cpu:5.1f} s, export {export_cpu:5.1f} s: "
                    f"the export had {export_cpu / (viewers_cpu + export_cpu):.0%} of it"
                )
        finally:
            worker.terminate()
            worker.wait(timeout=60)
            log.close()


if __name__ == "__main__":
    main()
