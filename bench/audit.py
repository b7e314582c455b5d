"""Audit log: append rate and verification, each against a plain baseline measured in the same run.

- append: `audit.record` in batches and one record per transaction (as a request writes it), against a
  plain INSERT loop of the same rows and against computing the leaf hashes alone;
- verify: a log of --n records (default 1 M) with a checkpoint every --every records (default: a month of
  5-minute checkpoints, 8,640), one streaming pass, against reading the same rows raw and hashing them
  alone; its peak memory at a tenth of the log and at the whole log (flat memory: about the same);
- incremental verify from the second-last checkpoint.

    python bench/audit.py [--n 1000000] [--checkpoints 8640] [--append 20000]
    (PostgreSQL when BEELDKLUIS_TEST_DATABASE_URL is set, else SQLite)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from keys import SigningKey  # noqa: E402
from vault import audit, migrate  # noqa: E402
from vault.audit import merkle  # noqa: E402
from vault.audit._chain import signed_head  # noqa: E402
from vault.db import engine_for  # noqa: E402
from vault.store import LocalBackend  # noqa: E402

ACTOR = audit.Principal(uuid.uuid4(), "Bench Opleider", "opleider", uuid.uuid4(), "s", "127.0.0.1")
FAMILY = uuid.uuid4()


def database(tmp: Path, label: str) -> str:
    base = os.environ.get("BEELDKLUIS_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp / f'{label}.db'}"
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    base = os.environ.get("BEELDKLUIS_TEST_DATABASE_URL")
    if base:
        from vault.db import dispose_engines

        dispose_engines()
        with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


def row(seq: int, at: datetime) -> dict[str, Any]:
    fields = {
        "seq": seq,
        "event_id": uuid.uuid4(),
        "occurred_at": at,
        "recorded_at": at,
        "action": "stream_segment",
        "fhir_action": "R",
        "outcome": "allowed",
        "reason": "",
        "user_id": ACTOR.user_id,
        "user_name": ACTOR.name,
        "role": ACTOR.role,
        "organisation_id": ACTOR.organisation_id,
        "on_behalf_of": None,
        "family_id": FAMILY,
        "object_id": f"rec-{seq % 997}",
        "object_type": "recording",
        "basis": '["consent:x"]',
        "policy_version": "2026-11",
        "network": "10.0.0.8",
        "session_id": "sess",
        "detail": "{}",
    }
    fields["leaf_hash"] = merkle.leaf_hash(audit._log.canonical(fields)).hex()
    return fields


def bench_append(n: int, tmp: Path) -> None:
    url = database(tmp, "append")
    try:
        migrate.upgrade(url)
        engine = engine_for(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE baseline (id text, action text, family text, object text, basis text)"
                )
            )
        now = datetime.now(UTC)
        t = time.perf_counter()
        for i in range(n):
            row(i, now)
        hashing = time.perf_counter() - t
        t = time.perf_counter()
        for start in range(0, n, 1000):
            with engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO baseline VALUES (:id, 'view', :family, :object, '[]')"),
                    [
                        {"id": str(uuid.uuid4()), "family": str(FAMILY), "object": f"o{i}"}
                        for i in range(start, min(n, start + 1000))
                    ],
                )
        plain = time.perf_counter() - t
        t = time.perf_counter()
        for start in range(0, n, 1000):
            with Session(engine) as session:
                for i in range(start, min(n, start + 1000)):
                    audit.record(
                        session,
                        action="view",
                        outcome="allowed",
                        actor=ACTOR,
                        family_id=FAMILY,
                        object_id=f"o{i}",
                        basis=["consent:x"],
                    )
                session.commit()
        logged = time.perf_counter() - t
        single_n = max(1, n // 20)
        t = time.perf_counter()
        for i in range(single_n):
            with engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO baseline VALUES (:id, 'view', :family, :object, '[]')"),
                    {"id": str(uuid.uuid4()), "family": str(FAMILY), "object": f"o{i}"},
                )
        plain_single = time.perf_counter() - t
        t = time.perf_counter()
        for i in range(single_n):
            with Session(engine) as session:
                audit.record(
                    session,
                    action="view",
                    outcome="allowed",
                    actor=ACTOR,
                    family_id=FAMILY,
                    object_id=f"o{i}",
                )
                session.commit()
        logged_single = time.perf_counter() - t
        print(f"append, {n} records in batches of 1000 ({engine.dialect.name}):")
        print(f"  leaf hashing alone {n / hashing:9.0f}/s")
        print(f"  plain INSERT       {n / plain:9.0f}/s")
        print(
            f"  audit.record       {n / logged:9.0f}/s   ratio to plain INSERT {plain / logged:.2f}"
        )
        print(f"append, one record per transaction ({single_n}):")
        print(f"  plain INSERT       {single_n / plain_single:9.0f}/s")
        print(
            f"  audit.record       {single_n / logged_single:9.0f}/s   ratio {plain_single / logged_single:.2f}"
        )
    finally:
        drop(url)


def build(url: str, n: int, every: int, backend: LocalBackend, key: SigningKey) -> int:
    """A log of n records written straight into the table (the leaves as audit.record makes them) with a
    signed v2 checkpoint every `every` records, as the 5-minute schedule would have written them."""
    engine = engine_for(url)
    table = audit.AuditRecord.__table__  # type: ignore[attr-defined]  # SQLModel's stubs do not declare __table__; every table=True class has one at run time
    stack = merkle.Stack()
    previous: dict[str, Any] | None = None
    checkpoints = 0
    start = datetime(2026, 11, 1, tzinfo=UTC)
    batch: list[dict[str, Any]] = []
    heads: list[dict[str, object]] = []

    def flush() -> None:
        with engine.begin() as conn:
            if batch:
                conn.execute(table.insert(), batch)
            if heads:
                conn.execute(
                    audit.AuditCheckpoint.__table__.insert(),  # type: ignore[attr-defined]  # SQLModel's stubs do not declare __table__; every table=True class has one at run time
                    [
                        {
                            "name": h["name"],
                            "tree_size": h["tree_size"],
                            "root_hash": h["root_hash"],
                            "written_at": start,
                        }
                        for h in heads
                    ],
                )
        batch.clear()
        heads.clear()

    for seq in range(n):
        r = row(seq, start + timedelta(seconds=seq * 2.6))
        batch.append(r)
        stack.append(bytes.fromhex(r["leaf_hash"]))
        if stack.size % every == 0 or seq == n - 1:
            name = f"{audit.PREFIX}{stack.size:012d}-{1_764_000_000_000_000_000 + seq}.json"
            head = signed_head(
                key, name, stack, (start + timedelta(minutes=5 * checkpoints)).isoformat(), previous
            )
            backend.put_worm(name, json.dumps(head, sort_keys=True).encode())
            heads.append(head)
            previous = {"name": name, "tree_size": stack.size, "root_hash": head["root_hash"]}
            checkpoints += 1
        if len(batch) >= 10_000:
            flush()
    flush()
    return checkpoints


def _measure(
    url: str, backend_root: str, public: bytes, what: str, start: str | None, out: Any
) -> None:
    """In a child process, so its peak memory is its own."""
    engine = engine_for(url)
    backend = LocalBackend(Path(backend_root))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    with Session(engine) as session:
        if what == "verify":
            report = audit.verify(session, backend, public, start=start)
            result: dict[str, Any] = {
                "ok": report.ok,
                "problems": report.problems[:3],
                "records": report.records,
                "checkpoints": report.checkpoints,
            }
        else:  # the baselines: the same rows read raw; and read and hashed
            from vault.audit._chain import _LeafInput, _rows

            leaf_input, count = _LeafInput(), 0
            for r in _rows(session, 0):
                if what == "hash":
                    merkle.leaf_hash(leaf_input(r))
                count += 1
            result = {"records": count}
    result["seconds"] = time.perf_counter() - t
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["start_mib"] = before / 1024
    out.put(result)


def measure(
    url: str, backend: LocalBackend, public: bytes, what: str, start: str | None = None
) -> dict[str, Any]:
    queue: Any = multiprocessing.get_context("spawn").Queue()
    proc = multiprocessing.get_context("spawn").Process(
        target=_measure, args=(url, str(backend.root), public, what, start, queue)
    )
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def bench_verify(n: int, checkpoints: int, tmp: Path) -> None:
    key = SigningKey.generate()
    every = max(1, n // checkpoints)  # 1 M / 8,640: a checkpoint every 115 records, 8,696 in all
    results = {}
    for size in (n // 10, n):
        url = database(tmp, f"verify{size}")
        backend = LocalBackend(tmp / f"store{size}")
        backend.ensure_ready()
        try:
            migrate.upgrade(url)
            t = time.perf_counter()
            made = build(url, size, every, backend, key)
            print(f"built {size} records and {made} checkpoints in {time.perf_counter() - t:.1f} s")
            results[size] = measure(url, backend, key.public_bytes(), "verify")
            assert results[size]["ok"], results[size]["problems"]
            if size == n:
                raw = measure(url, backend, key.public_bytes(), "read")
                hashed = measure(url, backend, key.public_bytes(), "hash")
                names = sorted(backend.worm_names(audit.PREFIX))
                incremental = measure(url, backend, key.public_bytes(), "verify", start=names[-2])
                assert incremental["ok"], incremental["problems"]
        finally:
            drop(url)
    full = results[n]
    print(
        f"verify {n} records, {full['checkpoints']} checkpoints: {full['seconds']:.1f} s, "
        f"peak memory {full['peak_mib']:.0f} MiB ({n // 10} records: {results[n // 10]['seconds']:.1f} s, "
        f"{results[n // 10]['peak_mib']:.0f} MiB)"
    )
    print(
        f"  baseline: read the rows raw {raw['seconds']:.1f} s, read and hash them {hashed['seconds']:.1f} s; "
        f"verify / read-and-hash = {full['seconds'] / hashed['seconds']:.2f}"
    )
    print(f"  incremental from the second-last checkpoint: {incremental['seconds']:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--checkpoints", type=int, default=8640)
    parser.add_argument("--append", type=int, default=20_000)
    parser.add_argument("--skip-append", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_append:
            bench_append(args.append, Path(tmp))
        bench_verify(args.n, args.checkpoints, Path(tmp))


if __name__ == "__main__":
    main()
