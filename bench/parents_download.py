"""The parents' download (ADR 0015): a range is served in 1 MiB ranged reads of the encrypted package,
the whole package as one stream. Prints the ranged reads against the stream on the same object in the
same run (why the whole package streams), and a resumed download (the last tenth) against the whole
stream: a resume does not decrypt from byte 0.

Needs the test services (make bench, or `source <services dir>/env`).

    python bench/parents_download.py [--mib 256]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from bench.store import MiB, make_store, source  # noqa: E402
from vault.export.api import PIECE  # noqa: E402
from vault.store import ObjectKind  # noqa: E402


def timed(read: Callable[[], object]) -> float:
    t = time.perf_counter()
    read()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=256)
    args = parser.parse_args()
    size = args.mib * MiB
    with tempfile.TemporaryDirectory() as workdir:
        store, _ = make_store(Path(workdir))
        row = store.put(family_id=uuid.uuid4(), kind=ObjectKind.export, source=source(size))
        store.session.commit()
        _, read = store.range_reader(row.id)

        def ranged(start: int) -> None:
            offset = start
            while offset < size:
                offset += len(read(offset, min(PIECE, size - offset)))

        def streamed() -> None:
            for _ in store.iter_plaintext(row.id):
                pass

        whole_stream = min(timed(streamed) for _ in range(3))
        whole_ranged = min(timed(lambda: ranged(0)) for _ in range(3))
        resumed = min(timed(lambda: ranged(size - size // 10)) for _ in range(3))
    print(f"{args.mib} MiB package, best of 3")
    print(
        f"  whole, one stream        :  {whole_stream:6.2f} s  {args.mib / whole_stream:7.0f} MiB/s"
    )
    print(
        f"  whole, 1 MiB ranges      : {whole_ranged:6.2f} s  {args.mib / whole_ranged:7.0f} MiB/s"
        f"  ratio {whole_ranged / whole_stream:.2f}x the stream"
    )
    print(
        f"  resumed at 90 %:           {resumed:6.2f} s  ratio {resumed / whole_stream:.2f}x the whole stream"
        " (a tenth of it: nothing before the range is decrypted)"
    )


if __name__ == "__main__":
    main()
