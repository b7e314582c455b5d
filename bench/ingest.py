"""Ingest throughput: a folder of files through tus (sealed on arrival) into MinIO, against raw minio-py
puts of the same files in the same run; and the peak memory of the process serving the uploads.

Needs the test services (make bench). Verification after upload runs in the worker and is not timed.

    python bench/ingest.py [--files 4] [--mib 128] [--chunk-mib 0] [--rounds 3]   (0: the client's default, one PATCH per file)
"""

from __future__ import annotations

import os
import socket
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
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--mib", type=int, default=128)
    parser.add_argument("--chunk-mib", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    try:
        endpoint = os.environ["BEELDKLUIS_TEST_S3_ENDPOINT"]
        access, secret = (
            os.environ["BEELDKLUIS_TEST_S3_ACCESS_KEY"],
            os.environ["BEELDKLUIS_TEST_S3_SECRET_KEY"],
        )
    except KeyError:
        sys.exit("start the services first: make bench")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        suffix = uuid.uuid4().hex[:8]
        os.environ.update(
            {
                "BEELDKLUIS_DATA_DIR": str(root / "data"),
                "BEELDKLUIS_STORE": "s3",
                "BEELDKLUIS_S3_ENDPOINT": endpoint,
                "BEELDKLUIS_S3_ACCESS_KEY": access,
                "BEELDKLUIS_S3_SECRET_KEY": secret,
                "BEELDKLUIS_BUCKET": f"bench-{suffix}",
                "BEELDKLUIS_WORM_BUCKET": f"bench-w-{suffix}",
            }
        )
        import pyotp
        from minio import Minio
        from tusclient import client as tus

        from vault.accounts import create_user
        from vault.bootstrap import prepare
        from vault.db import unit_of_work
        from vault.domain.models import Organisation
        from vault.families.models import Family, Trajectory
        from vault.settings import get_settings
        from vault.store._backend import PART_SIZE, FullParts

        prepare(get_settings())
        with unit_of_work() as db:
            org = Organisation(name="Bench")
            db.add(org)
            db.flush()
            user, uri = create_user(
                db,
                organisation_id=org.id,
                email="bench@x.example",
                name="Bench",
                role="trainer",
                password="x" * 16,
            )
            family = Family(organisation_id=org.id, created_by=user.id)
            db.add(family)
            db.flush()
            trajectory = Trajectory(
                family_id=family.id, type="k_vht", trainer_id=user.id, phase="active"
            )
            db.add(trajectory)
            db.flush()
            trajectory_id = str(trajectory.id)
        files = []
        block = os.urandom(1024 * 1024)
        for i in range(args.files):
            path = root / f"GH0{i}0001.MP4"
            with open(path, "wb") as out:
                for _ in range(args.mib):
                    out.write(block)
            files.append(path)
        total = args.files * args.mib

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        # The server runs in its own process, as in real use (a client shares no interpreter with it).
        server = subprocess.Popen(  # noqa: S603 - our own argv
            [
                sys.executable,
                "-c",
                f"import uvicorn; uvicorn.run('vault.app:create_app', factory=True, host='127.0.0.1', port={port}, log_level='warning')",
            ],
            env=os.environ.copy(),
        )
        import httpx

        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/version").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)

        token = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/auth/sign-in",
            json={
                "email": "bench@x.example",
                "password": "x" * 16,
                "totp": pyotp.TOTP(pyotp.parse_uri(uri).secret).now(),
            },
        ).json()["access_token"]

        import psutil

        port_of_minio = int(endpoint.rsplit(":", 1)[1])
        minio_proc = next(
            p
            for p in psutil.process_iter(["name", "cmdline"])
            if "minio" in (p.info["name"] or "")
            and f":{port_of_minio}" in " ".join(p.info["cmdline"] or [])
        )
        actors = {
            "client": psutil.Process(),
            "server": psutil.Process(server.pid),
            "minio": minio_proc,
        }

        def cpu() -> dict[str, float]:
            return {name: sum(p.cpu_times()[:2]) for name, p in actors.items()}

        raw = Minio(endpoint, access, secret, secure=False)
        raw.make_bucket(f"bench-raw-{suffix}")

        def raw_put() -> None:
            for path in files:
                with open(path, "rb") as f:
                    raw.put_object(
                        f"bench-raw-{suffix}",
                        path.name,
                        FullParts(iter(lambda f=f: f.read(1024 * 1024), b"")),  # type: ignore[arg-type]  # minio's stubs want a BinaryIO; it only calls read() on the parts reader
                        -1,
                        part_size=PART_SIZE,
                    )

        def tus_ingest() -> None:
            for path in files:
                with open(path, "rb") as stream:
                    uploader = tus.TusClient(
                        f"http://127.0.0.1:{port}/api/v1/uploads",
                        headers={"Authorization": f"Bearer {token}"},
                    ).uploader(
                        file_stream=stream,
                        metadata={"trajectory": trajectory_id},
                        **({"chunk_size": args.chunk_mib * 1024 * 1024} if args.chunk_mib else {}),
                    )
                    uploader.upload()

        def timed(run: Callable[[], object]) -> tuple[float, dict[str, float]]:
            before = cpu()
            t = time.perf_counter()
            run()
            took = time.perf_counter() - t
            return took, {k: v - before[k] for k, v in cpu().items()}

        # Alternate the two, round by round: the baseline alone varies by a fifth from run to run here.
        ratios = []
        for n in range(args.rounds):
            raw_time, raw_cpu = timed(raw_put)
            tus_time, tus_cpu = timed(tus_ingest)
            ratios.append(raw_time / tus_time)
            print(
                f"round {n + 1}: raw minio put {total / raw_time:6.1f} MiB/s, tus ingest (sealed) {total / tus_time:6.1f} MiB/s, ratio {ratios[-1]:.2f}"
            )
        status = Path(f"/proc/{server.pid}/status").read_text().splitlines()
        server_hwm = next(
            int(line.split()[1]) // 1024 for line in status if line.startswith("VmHWM")
        )
        server.terminate()
        server.wait(timeout=30)
        hwm = next(
            int(line.split()[1]) // 1024
            for line in Path("/proc/self/status").read_text().splitlines()
            if line.startswith("VmHWM")
        )
        print(
            f"{args.files} files of {args.mib} MiB, {args.rounds} rounds: median ratio {statistics.median(ratios):.2f} "
            f"(min {min(ratios):.2f}, max {max(ratios):.2f}; target >= 0.70)"
        )
        print(
            f"peak RSS: server {server_hwm} MiB (parts of 16 MiB), client {hwm} MiB (tuspy holds a whole PATCH: {args.chunk_mib or args.mib} MiB)"
        )
        for name, used, took in (("raw put", raw_cpu, raw_time), ("tus", tus_cpu, tus_time)):
            shares = ", ".join(f"{k} {v / took:.2f}" for k, v in used.items())
            print(f"CPU cores busy during {name}: {shares} (of {psutil.cpu_count()})")


if __name__ == "__main__":
    main()
