"""Encrypted put and ranged get through the object store against raw minio-py on the same bytes, same run.

Needs the test services (make bench, or `source <services dir>/env`). Prints throughput ratios and the
peak RSS of an encrypted put at two sizes (memory must stay flat as the size grows).

    python bench/store.py [--mib 512] [--big-gib 4]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from minio import Minio  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

import vault.tables  # noqa: E402, F401
from keys import Keyring, LocalMasterKey  # noqa: E402
from vault.db import engine_for  # noqa: E402
from vault.keyring import SqlKeys  # noqa: E402
from vault.store import ObjectKind, ObjectStore  # noqa: E402
from vault.store._backend import PART_SIZE, FullParts  # noqa: E402
from vault.store._s3 import S3Backend  # noqa: E402

MiB = 1024 * 1024
PIECE = 1 * MiB


def source(total: int) -> Iterator[bytes]:
    block = os.urandom(PIECE)
    sent = 0
    while sent < total:
        n = min(PIECE, total - sent)
        yield block[:n]
        sent += n


def services() -> tuple[str, str, str]:
    try:
        return (
            os.environ["BEELDKLUIS_TEST_S3_ENDPOINT"],
            os.environ["BEELDKLUIS_TEST_S3_ACCESS_KEY"],
            os.environ["BEELDKLUIS_TEST_S3_SECRET_KEY"],
        )
    except KeyError:
        sys.exit("start the services first: make bench (or source the services env file)")


def make_store(workdir: Path) -> tuple[ObjectStore, S3Backend]:
    endpoint, access, secret = services()
    suffix = uuid.uuid4().hex[:8]
    backend = S3Backend(
        endpoint,
        access,
        secret,
        bucket=f"bench-{suffix}",
        worm_bucket=f"bench-w-{suffix}",
        worm_days=1,
    )
    backend.ensure_ready()
    engine = engine_for(f"sqlite:///{workdir / 'bench.db'}")
    SQLModel.metadata.create_all(engine)
    session = Session(engine)
    keyring = Keyring(SqlKeys(session), LocalMasterKey.open_or_create(workdir / "master.key"))
    return ObjectStore(session, backend, keyring), backend


def throughput(mib: int, workdir: Path) -> None:
    store, backend = make_store(workdir)
    endpoint, access, secret = services()
    raw = Minio(endpoint, access, secret, secure=False)
    size = mib * MiB

    t = time.perf_counter()
    raw.put_object(backend.bucket, "raw/baseline", FullParts(source(size)), -1, part_size=PART_SIZE)  # type: ignore[arg-type]  # minio's stubs want a BinaryIO; it only calls read() on the parts reader
    raw_put = time.perf_counter() - t

    t = time.perf_counter()
    row = store.put(family_id=uuid.uuid4(), kind=ObjectKind.original, source=source(size))
    enc_put = time.perf_counter() - t
    store.session.commit()

    rng = random.Random(1)
    ranges = [(o, o + MiB) for o in (rng.randrange(0, size - MiB) for _ in range(100))]
    t = time.perf_counter()
    for start, end in ranges:
        r = raw.get_object(backend.bucket, "raw/baseline", offset=start, length=end - start)
        r.read()
        r.close()
        r.release_conn()
    raw_get = time.perf_counter() - t
    t = time.perf_counter()
    for start, end in ranges:
        store.open_range(row.id, start, end)
    enc_get = time.perf_counter() - t

    print(
        f"put {mib} MiB: raw {mib / raw_put:7.1f} MiB/s  encrypted {mib / enc_put:7.1f} MiB/s  "
        f"ratio {raw_put / enc_put:.2f}"
    )
    print(
        f"100 ranged gets of 1 MiB: raw {100 / raw_get:6.1f}/s  encrypted {100 / enc_get:6.1f}/s  "
        f"ratio {raw_get / enc_get:.2f}"
    )


def peak_rss_child(mib: int, workdir: str) -> None:
    store, _ = make_store(Path(workdir))
    store.put(family_id=uuid.uuid4(), kind=ObjectKind.original, source=source(mib * MiB))
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)


def peak_rss(mib: int, workdir: Path) -> int:
    out = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--rss-child", str(mib), str(workdir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=512)
    parser.add_argument("--big-gib", type=int, default=4)
    parser.add_argument("--rss-child", nargs=2)
    args = parser.parse_args()
    if args.rss_child:
        peak_rss_child(int(args.rss_child[0]), args.rss_child[1])
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        throughput(args.mib, workdir)
        small = peak_rss(256, workdir / "a") if (workdir / "a").mkdir() is None else 0
        big = peak_rss(args.big_gib * 1024, workdir / "b") if (workdir / "b").mkdir() is None else 0
        print(
            f"peak RSS of an encrypted put: 256 MiB -> {small} MiB, {args.big_gib} GiB -> {big} MiB "
            f"(ratio {big / small:.2f}; flat is ~1.0)"
        )


if __name__ == "__main__":
    main()
