"""Audit log: append rate (locked, hashed, one sequence) against plain INSERTs of the same rows in the same
run, and the time to verify N records (leaf recomputation + Merkle root + checkpoint).

    python bench/audit.py [--n 100000]     (PostgreSQL when BEELDKLUIS_TEST_DATABASE_URL is set, else SQLite)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from keys import SigningKey  # noqa: E402
from vault import audit, migrate  # noqa: E402
from vault.db import engine_for  # noqa: E402
from vault.store import LocalBackend  # noqa: E402

ACTOR = audit.Principal(uuid.uuid4(), "Bench Opleider", "opleider", uuid.uuid4(), "s", "127.0.0.1")


def database(tmp: Path) -> str:
    base = os.environ.get("BEELDKLUIS_TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp / 'bench.db'}"
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = database(Path(tmp))
        migrate.upgrade(url)
        engine = engine_for(url)
        family = uuid.uuid4()

        t = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE baseline (id uuid, action text, family uuid, object text, basis text)"
                )
            )
        for start in range(0, args.n, args.batch):
            with engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO baseline VALUES (:id, 'view', :family, :object, '[]')"),
                    [
                        {"id": str(uuid.uuid4()), "family": str(family), "object": f"o{i}"}
                        for i in range(start, min(args.n, start + args.batch))
                    ],
                )
        plain = time.perf_counter() - t

        t = time.perf_counter()
        for start in range(0, args.n, args.batch):
            with Session(engine) as session:
                for i in range(start, min(args.n, start + args.batch)):
                    audit.record(
                        session,
                        action="view",
                        outcome="allowed",
                        actor=ACTOR,
                        family_id=family,
                        object_id=f"o{i}",
                        basis=["consent:x"],
                    )
                session.commit()
        logged = time.perf_counter() - t

        backend = LocalBackend(Path(tmp) / "store")
        backend.ensure_ready()
        key = SigningKey.generate()
        with Session(engine) as session:
            t = time.perf_counter()
            audit.checkpoint(session, backend, key)
            cp = time.perf_counter() - t
            t = time.perf_counter()
            report = audit.verify(session, backend, key.public_bytes())
            verify = time.perf_counter() - t
        assert report.ok, report.problems
        print(f"database: {engine.dialect.name}, {args.n} records in batches of {args.batch}")
        print(
            f"append: plain INSERT {args.n / plain:8.0f}/s, audit.record {args.n / logged:8.0f}/s, ratio {plain / logged:.2f}"
        )
        print(f"checkpoint of {args.n} records: {cp:.2f} s; verify (every leaf, tree, checkpoint): {verify:.2f} s "
              f"(~{verify * 1_000_000 / args.n:.0f} s per million)")  # fmt: skip


if __name__ == "__main__":
    main()
