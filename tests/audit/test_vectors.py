"""Known-answer vectors of the audit log: our code reproduces them, and a verifier written from
docs/audit-log.md alone (hashlib, json, base64 and cryptography's Ed25519; nothing of vault.audit) accepts
the positive ones and refuses each negative one."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HERE = Path(__file__).parent.parent / "vectors"
V = json.loads((HERE / "audit-log.json").read_text())
KEY = bytes.fromhex(V["public_key_hex"])


# The independent verifier -----------------------------------------------------------------------------


def leaf_input(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


def fold(subtrees: list[bytes]) -> bytes:
    r = subtrees[-1]
    for s in reversed(subtrees[:-1]):
        r = node(s, r)
    return r


def signed(statement: bytes, signature_b64: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(KEY).verify(base64.b64decode(signature_b64), statement)
    except InvalidSignature:
        return False
    return True


def statement(head: dict[str, Any]) -> bytes:
    if head.get("version") == 2:
        prev = head["previous"] or {"name": "-", "tree_size": "-", "root_hash": "-"}
        lines = [
            "beeldkluis-audit-checkpoint-v2",
            head["name"],
            head["tree_size"],
            head["root_hash"],
            head["timestamp"],
            prev["name"],
            prev["tree_size"],
            prev["root_hash"],
        ]
    else:
        lines = [
            "beeldkluis-audit-checkpoint-v1",
            head["tree_size"],
            head["root_hash"],
            head["timestamp"],
        ]
    return "".join(f"{x}\n" for x in lines).encode()


def check_checkpoint(
    name: str, head: dict[str, Any], store: dict[str, dict[str, Any]]
) -> str | None:
    """None if valid, else the failed rule (docs/audit-log.md, "A checkpoint is valid when")."""
    m = re.fullmatch(r"checkpoints/(\d{12})-(\d+)\.json", name)
    if m is None or int(m.group(1)) != head["tree_size"]:
        return "name-size"
    if not signed(statement(head), head["signature"]):
        return "signature"
    if head.get("version") == 2:
        if head["name"] != name:
            return "replayed-name"
        subtrees = [bytes.fromhex(h) for h in head["subtrees"]]
        if (
            len(subtrees) != bin(head["tree_size"]).count("1")
            or fold(subtrees).hex() != head["root_hash"]
        ):
            return "subtrees"
        prev = head["previous"]
        if prev is not None:
            before = store.get(prev["name"])
            if before is None or (before["tree_size"], before["root_hash"]) != (
                prev["tree_size"],
                prev["root_hash"],
            ):
                return "chain"
    return None


# The vectors ------------------------------------------------------------------------------------------


def test_leaves_and_roots() -> None:
    leaves = []
    for r in V["records"]:
        assert leaf_input(r["fields"]).decode() == r["canonical"]
        assert leaf(r["canonical"].encode()).hex() == r["leaf_hash"]
        leaves.append(bytes.fromhex(r["leaf_hash"]))
    assert [mth(leaves[:n]).hex() for n in range(len(leaves) + 1)] == V["roots"]


def test_the_chain_verifies() -> None:
    store = {c["object_name"]: c["content"] for c in V["checkpoints"]}
    leaves = [bytes.fromhex(r["leaf_hash"]) for r in V["records"]]
    for c in V["checkpoints"]:
        assert check_checkpoint(c["object_name"], c["content"], store) is None
        assert mth(leaves[: c["content"]["tree_size"]]).hex() == c["content"]["root_hash"]
    assert V["key_id"] == hashlib.sha256(KEY).hexdigest()[:16]


@pytest.mark.parametrize("case", V["negative_checkpoints"], ids=lambda c: c["case"])
def test_each_negative_checkpoint_is_refused(case: dict[str, Any]) -> None:
    store = {
        c["object_name"]: c["content"]
        for c in V["checkpoints"]
        if c["object_name"] in case.get("store", [c["object_name"]])
    }
    assert check_checkpoint(case["object_name"], case["content"], store) is not None


@pytest.mark.parametrize("case", V["negative_checkpoints"], ids=lambda c: c["case"])
def test_our_verifier_refuses_them_too(case: dict[str, Any], tmp_path: Path) -> None:
    from vault.audit._chain import _check_chain, _parse

    parsed = _parse(case["object_name"], json.dumps(case["content"]).encode(), KEY)
    if case["case"] == "broken-chain":
        from vault.audit._chain import VerifyReport

        assert not isinstance(parsed, str)
        report = VerifyReport()

        class NoRows:
            def exec(self, _query: object) -> Any:
                return type("R", (), {"all": lambda self: []})()

        _check_chain(NoRows(), {parsed.name: parsed}, set(), report)  # type: ignore[arg-type]  # NoRows stands in for a session with no rows
        assert report.problems
    else:
        assert isinstance(parsed, str)


def test_proofs() -> None:
    leaves = [bytes.fromhex(r["leaf_hash"]) for r in V["records"]]

    def path(m: int, d: list[bytes]) -> list[bytes]:  # RFC 6962 2.1.1
        if len(d) == 1:
            return []
        k = 1
        while k * 2 < len(d):
            k *= 2
        return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]

    def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:  # RFC 6962 2.1.2
        if m == len(d):
            return [] if b else [mth(d)]
        k = 1
        while k * 2 < len(d):
            k *= 2
        return (
            subproof(m, d[:k], b) + [mth(d[k:])]
            if m <= k
            else subproof(m - k, d[k:], False) + [mth(d[:k])]
        )

    for p in V["inclusion"]:
        assert [h.hex() for h in path(p["index"], leaves[: p["tree_size"]])] == p["proof"]
    for p in V["consistency"]:
        assert [h.hex() for h in subproof(p["from"], leaves[: p["to"]], True)] == p["proof"]


def test_the_deletion_certificate() -> None:
    cert = dict(V["deletion_certificate"])
    signature = cert.pop("signature")
    assert signed(json.dumps(cert, sort_keys=True, separators=(",", ":")).encode(), signature)
    assert not signed(
        json.dumps(
            {**cert, "family_key_shredded": False}, sort_keys=True, separators=(",", ":")
        ).encode(),
        signature,
    )


def test_our_code_reproduces_the_vectors() -> None:
    from tests.vectors.generate_audit import main

    out = io.StringIO()
    with redirect_stdout(out):
        main()
    assert json.loads(out.getvalue()) == V
