"""Generate the known-answer vectors of the audit log (docs/audit-log.md) ONCE. Checked forever by tests/audit.

Provenance: produced by this script on 2026-12-02 from vault/audit at checkpoint format v2 with a fixed
Ed25519 key (Ed25519 signatures are deterministic) and fixed records. Regenerating must yield identical
bytes; if a change to the code would alter them, the format changed and needs a new version.

    python tests/vectors/generate_audit.py > tests/vectors/audit-log.json
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent.parent))

from keys import SigningKey  # noqa: E402
from vault.audit import AuditRecord, merkle  # noqa: E402
from vault.audit._chain import statement_v1, statement_v2  # noqa: E402

KEY = SigningKey.from_bytes(hashlib.sha256(b"beeldkluis-audit-vector-key").digest())
T0 = datetime(2026, 12, 2, 13, 5, 0, tzinfo=UTC)


def u(label: str) -> uuid.UUID:
    return uuid.UUID(bytes=hashlib.md5(label.encode(), usedforsecurity=False).digest())


def records() -> list[AuditRecord]:
    out = []
    actions = [
        ("sign_in", "E", "success"),
        ("view", "R", "allowed"),
        ("stream_segment", "R", "allowed"),
        ("download", "R", "denied"),
        ("consent_event", "C", "allowed"),
        ("export", "R", "allowed"),
        ("purge", "D", "success"),
    ]
    for seq in range(7):
        action, fhir, outcome = actions[seq]
        at = T0 + timedelta(seconds=37 * seq, microseconds=0 if seq % 2 else 123456)
        out.append(
            AuditRecord(
                seq=seq,
                event_id=u(f"event-{seq}"),
                occurred_at=at,
                recorded_at=at,
                action=action,
                fhir_action=fhir,
                outcome=outcome,
                reason="" if outcome != "denied" else "not_assigned",
                user_id=None if seq == 6 else u("olga"),
                user_name="Beeldkluis" if seq == 6 else "Olga Opleider",
                role="system" if seq == 6 else "opleider",
                organisation_id=None if seq == 6 else u("stichting-x"),
                on_behalf_of=None,
                family_id=None if seq == 0 else u("family"),
                object_id=None if seq == 0 else f"rec-{seq}",
                object_type=None if seq == 0 else "recording",
                basis=json.dumps([f"consent:{u('consent')}"] if seq else []),
                network="10.0.0.8",
                session_id="sess-1",
                detail=json.dumps(
                    {"fragment": "Samen spelen ✓"} if seq == 2 else {}, sort_keys=True
                ),
                leaf_hash="",
            )
        )
    for r in out:
        r.leaf_hash = r.compute_leaf()
    return out


def fields(r: AuditRecord) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(r.canonical())
    return loaded


def checkpoint_v2(
    name: str, leaves: list[bytes], stamp: str, previous: dict[str, object] | None
) -> dict[str, object]:
    stack = merkle.Stack()
    for leaf in leaves:
        stack.append(leaf)
    root = stack.root().hex()
    return {
        "version": 2,
        "name": name,
        "tree_size": len(leaves),
        "root_hash": root,
        "timestamp": stamp,
        "previous": previous,
        "subtrees": [h.hex() for h in stack.subtrees],
        "key_id": KEY.key_id,
        "public_key": base64.b64encode(KEY.public_bytes()).decode(),
        "signature": base64.b64encode(
            KEY.sign(statement_v2(name, len(leaves), root, stamp, previous))
        ).decode(),
    }


def brief(head: dict[str, object]) -> dict[str, object]:
    return {"name": head["name"], "tree_size": head["tree_size"], "root_hash": head["root_hash"]}


def main() -> None:
    rows = records()
    leaves = [bytes.fromhex(r.leaf_hash) for r in rows]
    v1_root = merkle.root(leaves[:2]).hex()
    v1_stamp = "2026-12-02T13:05:40.000001+00:00"
    v1 = {
        "tree_size": 2,
        "root_hash": v1_root,
        "timestamp": v1_stamp,
        "key_id": KEY.key_id,
        "public_key": base64.b64encode(KEY.public_bytes()).decode(),
        "signature": base64.b64encode(KEY.sign(statement_v1(2, v1_root, v1_stamp))).decode(),
    }
    v1_name = "checkpoints/000000000002-1764680740000001000.json"
    a_name = "checkpoints/000000000005-1764681000000000000.json"
    a = checkpoint_v2(
        a_name,
        leaves[:5],
        "2026-12-02T13:10:00+00:00",
        {"name": v1_name, "tree_size": 2, "root_hash": v1_root},
    )
    b_name = "checkpoints/000000000007-1764681300000000000.json"
    b = checkpoint_v2(b_name, leaves, "2026-12-02T13:15:00+00:00", brief(a))
    chain = [
        {"object_name": v1_name, "content": v1},
        {"object_name": a_name, "content": a},
        {"object_name": b_name, "content": b},
    ]
    other = SigningKey.from_bytes(hashlib.sha256(b"someone else").digest())
    forged_b = {**b, "root_hash": merkle.root(leaves[:6] + [hashlib.sha256(b"x").digest()]).hex()}
    negative = [
        {
            "case": "bad-signature",
            "why": "the root was changed after signing",
            "object_name": b_name,
            "content": forged_b,
        },
        {
            "case": "other-key",
            "why": "signed by another key",
            "object_name": b_name,
            "content": {
                **b,
                "signature": base64.b64encode(
                    other.sign(
                        statement_v2(b_name, 7, str(b["root_hash"]), str(b["timestamp"]), brief(a))
                    )
                ).decode(),
            },
        },
        {
            "case": "name-size",
            "why": "the size in the object name differs from the content",
            "object_name": "checkpoints/000000000009-1764681300000000000.json",
            "content": b,
        },
        {
            "case": "replayed-name",
            "why": "a signed checkpoint copied under another name",
            "object_name": "checkpoints/000000000007-1764681999000000000.json",
            "content": b,
        },
        {
            "case": "broken-chain",
            "why": "the predecessor it names is not in the store (chain without the middle one)",
            "object_name": b_name,
            "content": b,
            "store": [v1_name, b_name],
        },
        {
            "case": "bad-subtrees",
            "why": "the subtree roots do not fold to the signed root",
            "object_name": b_name,
            "content": {**b, "subtrees": list(reversed(b["subtrees"]))},
        },  # type: ignore[call-overload]  # b is a dict of JSON values; its subtrees are a list
    ]
    inclusion = [
        {"index": i, "tree_size": 7, "proof": [p.hex() for p in merkle.inclusion_proof(i, leaves)]}
        for i in (0, 3, 6)
    ]
    consistency = [
        {"from": m, "to": 7, "proof": [p.hex() for p in merkle.consistency_proof(m, leaves)]}
        for m in (2, 5)
    ]
    certificate = {
        "type": "beeldkluis-deletion-certificate-v1",
        "certificate_id": str(u("certificate")),
        "family_id": str(u("family")),
        "purged_at": "2026-12-02T14:00:00+00:00",
        "items": [
            {
                "object_id": str(u("object")),
                "kind": "original",
                "size": 1048576,
                "ciphertext_size": 1048945,
                "ciphertext_sha256": hashlib.sha256(b"c").hexdigest(),
                "rule": "trajectory_closed",
                "versions_deleted": 1,
            }
        ],
        "family_key_shredded": True,
        "key_id": KEY.key_id,
    }
    body = json.dumps(certificate, sort_keys=True, separators=(",", ":")).encode()
    certificate["signature"] = base64.b64encode(KEY.sign(body)).decode()
    print(
        json.dumps(
            {
                "format": "beeldkluis audit log: leaves, RFC 6962 tree, checkpoints v1 and v2, deletion certificate v1",
                "public_key_hex": KEY.public_bytes().hex(),
                "key_id": KEY.key_id,
                "records": [
                    {
                        "fields": fields(r),
                        "canonical": r.canonical().decode(),
                        "leaf_hash": r.leaf_hash,
                    }
                    for r in rows
                ],
                "roots": [merkle.root(leaves[:n]).hex() for n in range(0, 8)],
                "checkpoints": chain,
                "negative_checkpoints": negative,
                "inclusion": inclusion,
                "consistency": consistency,
                "deletion_certificate": certificate,
            },
            indent=1,
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
