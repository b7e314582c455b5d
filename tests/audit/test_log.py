"""The access log on SQLite and PostgreSQL: appends, verification, every kind of tampering, concurrency."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from keys import SigningKey
from tests.support.audit import FAMILY, append, cp, raw
from vault import migrate
from vault.audit import (
    AuditRecord,
    VerifyReport,
    inclusion,
    merkle,
    verify,
)
from vault.db import engine_for
from vault.store import LocalBackend


def check(url: str, backend: LocalBackend, key: SigningKey) -> VerifyReport:
    with Session(engine_for(url)) as session:
        return verify(session, backend, key.public_bytes())


def test_records_carry_the_nen7513_fields(db: str) -> None:
    append(db, 1)
    with Session(engine_for(db)) as session:
        row = session.get(AuditRecord, 0)
        assert row is not None
        assert (row.action, row.fhir_action, row.outcome, row.user_name, row.role) == (
            "view",
            "R",
            "allowed",
            "Alice Opleider",
            "opleider",
        )
        assert (row.family_id, row.object_id, row.network, row.session_id) == (
            FAMILY,
            "obj-0",
            "10.0.0.8",
            "sess-1",
        )
        assert json.loads(row.basis) == ["consent:0"]
        assert row.recorded_at.tzinfo is not None or row.recorded_at.year > 2000


def test_honest_log_verifies_with_checkpoints(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    append(db, 5)
    first = cp(db, backend, key)
    append(db, 4)
    cp(db, backend, key)
    with Session(engine_for(db)) as session:
        proof = inclusion(session, 3, backend=backend, public_key=key.public_bytes())
    assert first["tree_size"] == 5
    report = check(db, backend, key)
    assert report.ok, report.problems
    assert (report.records, report.checkpoints) == (9, 2)
    assert merkle.verify_inclusion(
        3,
        9,
        bytes.fromhex(str(proof["leaf_hash"])),
        [bytes.fromhex(p) for p in proof["proof"]],  # type: ignore[attr-defined]  # a proof is dict[str, object]
        bytes.fromhex(str(proof["root_hash"])),
    )


def test_append_only_in_postgres(fresh_postgres: str) -> None:
    migrate.upgrade(fresh_postgres)
    append(fresh_postgres, 1)
    with (
        engine_for(fresh_postgres).connect() as conn,
        pytest.raises(Exception, match="append-only"),
    ):
        conn.execute(text("UPDATE audit_record SET reason = 'x'"))


@pytest.mark.parametrize(
    ("tamper", "bad_seq"),
    [
        ("UPDATE audit_record SET user_name = 'Mallory' WHERE seq = 3", 3),
        ("DELETE FROM audit_record WHERE seq = 2", 2),
        (
            "UPDATE audit_record SET seq = seq + 100 WHERE seq = 1; UPDATE audit_record SET seq = 1 WHERE seq = 4; UPDATE audit_record SET seq = 4 WHERE seq = 101",
            1,
        ),
    ],
    ids=["edit", "delete", "reorder"],
)
def test_tampering_is_pinpointed(
    db: str, backend: LocalBackend, key: SigningKey, tamper: str, bad_seq: int
) -> None:
    append(db, 6)
    cp(db, backend, key)
    for statement in tamper.split("; "):
        raw(db, statement)
    report = check(db, backend, key)
    assert not report.ok
    assert report.first_bad_seq == bad_seq


def test_a_consistent_forgery_is_caught_by_the_signed_checkpoint(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    """Someone with database access inserts a record and recomputes every hash; only the WORM checkpoint knows."""
    append(db, 4)
    cp(db, backend, key)
    with Session(engine_for(db)) as session:
        template = session.get(AuditRecord, 0)
        assert template is not None
        rows = [AuditRecord(**r.model_dump()) for r in session.exec(select(AuditRecord))]
    forged = AuditRecord(
        **{**template.model_dump(), "seq": 2, "event_id": uuid.uuid4(), "reason": "forged"}
    )
    rewritten = [
        forged,
        *[AuditRecord(**{**r.model_dump(), "seq": r.seq + 1}) for r in rows if r.seq >= 2],
    ]
    raw(db, "DELETE FROM audit_record WHERE seq >= 2")
    with Session(engine_for(db)) as session:
        for row in rewritten:
            row.leaf_hash = row.compute_leaf()
            session.add(row)
        session.commit()
    report = check(db, backend, key)
    assert not report.ok
    assert any("wijkt af van de ondertekende boom" in p for p in report.problems)
    # The records were rehashed consistently: only the range of the first change is known, not the record.
    assert report.suspect == (0, 3)
    assert report.first_bad_seq is None


def test_forged_or_replaced_checkpoint_is_refused(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    append(db, 3)
    head = cp(db, backend, key)
    mallory = SigningKey.generate()
    forged = {
        **head,
        "tree_size": 2,
        "signature": __import__("base64").b64encode(mallory.sign(b"x")).decode(),
    }
    backend.put_worm("checkpoints/000000000002-1.json", json.dumps(forged).encode())
    report = check(db, backend, key)
    assert any("handtekening ongeldig" in p for p in report.problems)


def test_concurrent_writers_make_one_gap_free_log(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    threads = [threading.Thread(target=append, args=(db, 25)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine_for(db)) as session:
        seqs = [s for (s,) in session.exec(text("SELECT seq FROM audit_record ORDER BY seq"))]  # type: ignore[call-overload]  # sqlmodel's exec is typed for select()
    cp(db, backend, key)
    assert seqs == list(range(200))
    assert check(db, backend, key).ok
