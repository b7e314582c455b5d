"""The chain of checkpoints, exact naming of the first bad record, incremental verification, proofs against
signed checkpoints, and a verifier that never creates a key."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from keys import SigningKey
from tests.support.audit import append, cp, raw
from vault import migrate
from vault.audit import (
    AuditCheckpoint,
    AuditRecord,
    VerifyReport,
    consistency,
    inclusion,
    merkle,
    verify,
)
from vault.audit._chain import statement_v1
from vault.db import engine_for
from vault.errors import Conflict
from vault.store import LocalBackend


def check(
    url: str, backend: LocalBackend, key: SigningKey, start: str | None = None
) -> VerifyReport:
    with Session(engine_for(url)) as session:
        return verify(session, backend, key.public_bytes(), start=start)


def test_an_inserted_record_is_named_itself_not_the_one_after(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    """Records from 2 on are moved one place up and a forged record (hashed correctly) put at 2."""
    append(db, 6)
    cp(db, backend, key)
    with Session(engine_for(db)) as session:
        template = session.get(AuditRecord, 1)
        assert template is not None
        forged = AuditRecord(
            **{**template.model_dump(), "seq": 2, "event_id": uuid.uuid4(), "reason": "forged"}
        )
        forged.leaf_hash = forged.compute_leaf()
    for seq in range(5, 1, -1):
        raw(db, f"UPDATE audit_record SET seq = {seq + 1} WHERE seq = {seq}")  # noqa: S608
    with Session(engine_for(db)) as session:
        session.add(forged)
        session.commit()
    report = check(db, backend, key)
    assert report.first_bad_seq == 2
    assert "record 2 ingevoegd" in report.problems[0]
    assert not any("record 3" in p or "record 4" in p for p in report.problems)


def test_checkpoints_name_their_predecessor_and_the_database_keeps_the_last(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    append(db, 3)
    first = cp(db, backend, key)
    append(db, 2)
    second = cp(db, backend, key)
    assert first["previous"] is None
    assert second["previous"] == {
        "name": first["name"],
        "tree_size": 3,
        "root_hash": first["root_hash"],
    }
    with Session(engine_for(db)) as session:
        assert [r.name for r in session.exec(select(AuditCheckpoint))] == [
            first["name"],
            second["name"],
        ]
    assert check(db, backend, key).ok
    # The newest checkpoint disappears from the store (a local directory has no versions to show it).
    (backend.root / "worm" / str(second["name"])).chmod(0o644)
    (backend.root / "worm" / str(second["name"])).unlink()
    report = check(db, backend, key)
    assert not report.ok
    assert any(
        "eindigt vóór het laatste checkpoint dat de database kent" in p for p in report.problems
    )
    assert report.expected is not None
    assert report.expected["name"] == second["name"]


def test_a_missing_predecessor_breaks_the_chain(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    append(db, 2)
    first = cp(db, backend, key)
    append(db, 2)
    cp(db, backend, key)
    (backend.root / "worm" / str(first["name"])).unlink()
    report = check(db, backend, key)
    assert any(
        f"noemt {first['name']} als vorige, maar die ontbreekt" in p for p in report.problems
    )


def test_the_size_in_the_name_must_match_the_content(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    append(db, 3)
    head = cp(db, backend, key)
    copy = str(head["name"]).replace("000000000003-", "000000000009-")
    backend.put_worm(copy, (backend.root / "worm" / str(head["name"])).read_bytes())
    report = check(db, backend, key)
    assert any(
        "de grootte in de naam (9) verschilt van de inhoud (3)" in p for p in report.problems
    )


def test_v1_checkpoints_still_verify_and_the_first_v2_names_the_last_v1(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    append(db, 3)
    with Session(engine_for(db)) as session:
        leaves = [
            bytes.fromhex(h)
            for h in session.exec(select(AuditRecord.leaf_hash).order_by(AuditRecord.seq))
        ]
    root, stamp = merkle.root(leaves).hex(), "2026-11-30T10:00:00+00:00"
    v1 = {
        "tree_size": 3,
        "root_hash": root,
        "timestamp": stamp,
        "key_id": key.key_id,
        "public_key": base64.b64encode(key.public_bytes()).decode(),
        "signature": base64.b64encode(key.sign(statement_v1(3, root, stamp))).decode(),
    }
    backend.put_worm("checkpoints/000000000003-1.json", json.dumps(v1).encode())
    append(db, 1)
    v2 = cp(db, backend, key)
    assert v2["previous"] == {
        "name": "checkpoints/000000000003-1.json",
        "tree_size": 3,
        "root_hash": root,
    }
    report = check(db, backend, key)
    assert report.ok, report.problems
    assert report.checkpoints == 2


def test_incremental_verification_starts_from_a_checkpoint(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    append(db, 5)
    first = cp(db, backend, key)
    append(db, 6)
    cp(db, backend, key)
    report = check(db, backend, key, start=str(first["name"]))
    assert report.ok, report.problems
    assert report.records == 11
    raw(db, "UPDATE audit_record SET user_name = 'Mallory' WHERE seq = 7")
    report = check(db, backend, key, start=str(first["name"]))
    assert report.first_bad_seq == 7


def test_inclusion_and_consistency_against_signed_checkpoints(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    append(db, 5)
    first = cp(db, backend, key)
    append(db, 8)
    second = cp(db, backend, key)
    append(db, 2)  # not under any checkpoint yet
    with Session(engine_for(db)) as session:
        proof = inclusion(
            session,
            3,
            backend=backend,
            public_key=key.public_bytes(),
            checkpoint_name=str(first["name"]),
        )
        latest = inclusion(session, 3, backend=backend, public_key=key.public_bytes())
        both = consistency(
            session, backend, key.public_bytes(), str(first["name"]), str(second["name"])
        )
    head = proof["checkpoint"]
    assert isinstance(head, dict)
    assert head["signature"] == first["signature"]
    assert merkle.verify_inclusion(
        3,
        5,
        bytes.fromhex(str(proof["leaf_hash"])),
        [bytes.fromhex(p) for p in proof["proof"]],  # type: ignore[attr-defined]  # a proof is dict[str, object]
        bytes.fromhex(str(first["root_hash"])),
    )
    assert latest["tree_size"] == 13
    assert merkle.verify_consistency(
        5,
        13,
        bytes.fromhex(str(first["root_hash"])),
        bytes.fromhex(str(second["root_hash"])),
        [bytes.fromhex(p) for p in both["proof"]],  # type: ignore[attr-defined]  # a proof is dict[str, object]
    )


def test_verify_never_creates_a_key(
    settings_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vault.audit.cli import app
    from vault.settings import get_settings

    monkeypatch.setenv("BEELDKLUIS_DATABASE_URL", f"sqlite:///{tmp_path / 'v.db'}")
    get_settings.cache_clear()
    migrate.upgrade(get_settings().effective_database_url)
    result = CliRunner().invoke(app, ["verify"])
    assert result.exit_code == 2
    assert "--public-key" in result.output
    assert not get_settings().signing_key_file.exists()
    # With the published key given, it verifies (an empty log).
    key = SigningKey.generate()
    from keys import public_pem

    pem = tmp_path / "audit-public-key.pem"
    pem.write_text(public_pem(key.public_bytes()))
    result = CliRunner().invoke(app, ["verify", "--public-key", str(pem)])
    assert result.exit_code == 0, result.output
    assert key.key_id in result.output
    assert not get_settings().signing_key_file.exists()


def test_a_checkpoint_never_signs_over_rewritten_history(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    append(db, 3)
    cp(db, backend, key)
    with Session(engine_for(db)) as session:
        original = [
            bytes.fromhex(h)
            for h in session.exec(select(AuditRecord.leaf_hash).order_by(AuditRecord.seq))
        ]
        row = session.get(AuditRecord, 1)
        assert row is not None
        row.user_name = "Mallory"
        forged = row.compute_leaf()
        session.rollback()
    raw(db, f"UPDATE audit_record SET user_name = 'Mallory', leaf_hash = '{forged}' WHERE seq = 1")  # noqa: S608
    append(db, 2)
    second = cp(db, backend, key)
    with Session(engine_for(db)) as session:
        new = [
            bytes.fromhex(h)
            for h in session.exec(
                select(AuditRecord.leaf_hash).where(AuditRecord.seq >= 3).order_by(AuditRecord.seq)
            )
        ]
    assert (
        second["root_hash"] == merkle.root(original + new).hex()
    )  # extended from the signed tree, not the forgery
    report = check(db, backend, key)
    assert report.suspect == (0, 1)  # size 3 = 2 + 1: the first signed subtree [0, 2) differs


def test_no_checkpoint_continues_a_chain_whose_end_is_missing(
    db: str, backend: LocalBackend, key: SigningKey
) -> None:
    append(db, 2)
    head = cp(db, backend, key)
    (backend.root / "worm" / str(head["name"])).unlink()
    append(db, 1)
    with pytest.raises(Conflict):
        cp(db, backend, key)
