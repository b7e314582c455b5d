"""Seal and open throughput of the object format against raw AES-GCM on the same 64 KiB buffers, and peak
RSS sealing 256 MiB vs 2 GiB (memory must stay flat as the size grows).

    python bench/keys_stream.py [--mib 512] [--big-gib 2]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from keys import CHUNK_SIZE, ObjectKey, open_stream, seal  # noqa: E402

KEY = ObjectKey(uuid.uuid4(), os.urandom(32))
FAMILY, OBJECT = uuid.uuid4(), uuid.uuid4()


def pieces(total: int, piece: int = 1024 * 1024) -> Iterator[bytes]:
    block = os.urandom(piece)
    for _ in range(total // piece):
        yield block


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def throughput(mib: int) -> None:
    total = mib * 1024 * 1024
    chunk = os.urandom(CHUNK_SIZE)
    aead = AESGCM(os.urandom(32))
    nonce = os.urandom(12)
    count = total // CHUNK_SIZE

    def raw_seal() -> None:
        for _ in range(count):
            aead.encrypt(nonce, chunk, b"")

    sealed_chunk = aead.encrypt(nonce, chunk, b"")

    def raw_open() -> None:
        for _ in range(count):
            aead.decrypt(nonce, sealed_chunk, b"")

    cipher = b"".join(seal(KEY, family_id=FAMILY, object_id=OBJECT, source=pieces(total)))
    cipher_pieces = [cipher[i : i + 1024 * 1024] for i in range(0, len(cipher), 1024 * 1024)]

    def our_seal() -> None:
        for _ in seal(KEY, family_id=FAMILY, object_id=OBJECT, source=pieces(total)):
            pass

    def our_open() -> None:
        for _ in open_stream(KEY, family_id=FAMILY, object_id=OBJECT, source=cipher_pieces):
            pass

    def hash_only() -> None:
        h = hashlib.sha256()
        for block in pieces(total):
            h.update(block)

    rs, ro = best_of(3, raw_seal), best_of(3, raw_open)
    s, o = best_of(3, our_seal), best_of(3, our_open)
    hs = best_of(3, hash_only)
    print(
        f"seal {mib} MiB: raw AES-GCM {mib / rs:7.0f} MiB/s, format {mib / s:7.0f} MiB/s, ratio {rs / s:.2f}"
    )
    print(
        f"plaintext SHA-256 kept by the store on ingest: {mib / hs:7.0f} MiB/s "
        f"(format + hash ~ {mib / (s + hs):.0f} MiB/s)"
    )
    print(
        f"open {mib} MiB: raw AES-GCM {mib / ro:7.0f} MiB/s, format {mib / o:7.0f} MiB/s, ratio {ro / o:.2f}"
    )


def peak_rss_mib() -> int:
    """VmHWM of this process (ru_maxrss would include the forking parent's pages)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def rss_child(mib: int) -> None:
    for _ in seal(KEY, family_id=FAMILY, object_id=OBJECT, source=pieces(mib * 1024 * 1024)):
        pass
    print(peak_rss_mib())


def rss(mib: int) -> int:
    out = subprocess.run(
        [sys.executable, __file__, "--rss-child", str(mib)],
        capture_output=True,
        text=True,
        check=True,
    )  # noqa: S603
    return int(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=512)
    parser.add_argument("--big-gib", type=int, default=2)
    parser.add_argument("--rss-child", type=int)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child)
        return
    throughput(args.mib)
    small, big = rss(256), rss(args.big_gib * 1024)
    print(
        f"peak RSS sealing: 256 MiB -> {small} MiB, {args.big_gib} GiB -> {big} MiB (ratio {big / small:.2f}; flat ~1.0)"
    )


if __name__ == "__main__":
    main()
