"""Signed tree heads (checkpoints) in the write-once store, inclusion proofs, and verification."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from keys import SigningKey, verify_signature
from vault.audit import merkle
from vault.audit._log import AuditRecord, leaves
from vault.store import Backend

PREFIX = "checkpoints/"


def _statement(size: int, root_hex: str, timestamp: str) -> bytes:
    return f"beeldkluis-audit-checkpoint-v1\n{size}\n{root_hex}\n{timestamp}\n".encode()


def checkpoint(session: Session, backend: Backend, key: SigningKey) -> dict[str, object]:
    """Sign the current tree head and write it to the object-locked area."""
    tree = leaves(session)
    root_hex = merkle.root(tree).hex()
    timestamp = datetime.now(UTC).isoformat()
    head = {
        "tree_size": len(tree),
        "root_hash": root_hex,
        "timestamp": timestamp,
        "key_id": key.key_id,
        "public_key": base64.b64encode(key.public_bytes()).decode(),
        "signature": base64.b64encode(
            key.sign(_statement(len(tree), root_hex, timestamp))
        ).decode(),
    }
    name = f"{PREFIX}{len(tree):012d}-{time.time_ns()}.json"
    backend.put_worm(name, json.dumps(head, sort_keys=True).encode())
    return head


def inclusion(session: Session, seq: int) -> dict[str, object]:
    tree = leaves(session)
    proof = merkle.inclusion_proof(seq, tree)
    return {
        "seq": seq,
        "tree_size": len(tree),
        "leaf_hash": tree[seq].hex(),
        "root_hash": merkle.root(tree).hex(),
        "proof": [p.hex() for p in proof],
    }


@dataclass
class VerifyReport:
    """What verification found; `ok` only if the records, the tree and every checkpoint agree."""

    records: int = 0
    checkpoints: int = 0
    first_bad_seq: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, message: str, seq: int | None = None) -> None:
        self.problems.append(message)
        if seq is not None and (self.first_bad_seq is None or seq < self.first_bad_seq):
            self.first_bad_seq = seq


def verify(session: Session, backend: Backend, public_key: bytes) -> VerifyReport:
    report = VerifyReport()
    rows = session.exec(select(AuditRecord).order_by(col(AuditRecord.seq))).all()
    report.records = len(rows)
    for position, row in enumerate(rows):
        if row.seq != position:
            report.fail(
                f"record {position} ontbreekt (verwijderd of ingevoegd) / record {position} missing",
                position,
            )
            break
        if row.compute_leaf() != row.leaf_hash:
            report.fail(f"record {row.seq} is gewijzigd / record {row.seq} was altered", row.seq)
    tree = [bytes.fromhex(r.leaf_hash) for r in rows]
    previous: tuple[int, bytes] | None = None
    for name in sorted(backend.worm_names(PREFIX)):
        report.checkpoints += 1
        try:
            head = json.loads(backend.get_worm(name))
            size, root_hex, timestamp = (
                int(head["tree_size"]),
                str(head["root_hash"]),
                str(head["timestamp"]),
            )
            signature = base64.b64decode(head["signature"])
        except (ValueError, KeyError, TypeError):
            report.fail(f"checkpoint {name} is onleesbaar / unreadable")
            continue
        if not verify_signature(public_key, _statement(size, root_hex, timestamp), signature):
            report.fail(f"checkpoint {name}: handtekening ongeldig / bad signature")
            continue
        if size > len(tree):
            report.fail(
                f"checkpoint {name}: log is korter dan ondertekend / log shorter than signed",
                len(tree),
            )
            continue
        root = bytes.fromhex(root_hex)
        if merkle.root(tree[:size]) != root:
            low = previous[0] if previous else 0
            # The records themselves may not show which one changed (a forger can rehash them all);
            # the signed head narrows it to this range.
            report.fail(
                f"checkpoint {name}: records {low}..{size - 1} wijken af van de ondertekende boom",
                low if report.first_bad_seq is None else None,
            )
        elif previous is not None and previous[0] <= size:
            proof = merkle.consistency_proof(previous[0], tree[:size]) if previous[0] else []
            if previous[0] and not merkle.verify_consistency(
                previous[0], size, previous[1], root, proof
            ):
                report.fail(
                    f"checkpoint {name}: niet consistent met de vorige / inconsistent with previous"
                )
        previous = (size, root)
    return report
