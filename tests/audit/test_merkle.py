"""RFC 6962 tree hashes, inclusion and consistency proofs against the CT reference vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault.audit import merkle

V = json.loads((Path(__file__).parent / "rfc6962-vectors.json").read_text())
LEAVES = [merkle.leaf_hash(bytes.fromhex(x)) for x in V["leaves"]]


def recursive_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1 literally, to check the iterative root against."""
    if not leaves:
        return merkle.EMPTY
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(recursive_mth(leaves[:k]), recursive_mth(leaves[k:]))


@pytest.mark.parametrize("size", range(1, 9))
def test_roots(size: int) -> None:
    assert merkle.root(LEAVES[:size]).hex() == V["roots"][size - 1]


def test_empty_tree() -> None:
    assert (
        merkle.root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


@pytest.mark.parametrize("case", V["inclusion"], ids=lambda c: f"{c['index']}-of-{c['size']}")
def test_inclusion_vectors(case: dict[str, object]) -> None:
    index, size = int(case["index"]), int(case["size"])  # type: ignore[call-overload]  # a vector's values are typed object
    proof = merkle.inclusion_proof(index, LEAVES[:size])
    assert [p.hex() for p in proof] == case["path"]
    root = bytes.fromhex(V["roots"][size - 1])
    assert merkle.verify_inclusion(index, size, LEAVES[index], proof, root)
    assert not merkle.verify_inclusion(index, size, LEAVES[(index + 1) % size], proof, root)


@pytest.mark.parametrize("case", V["consistency"], ids=lambda c: f"{c['first']}-to-{c['second']}")
def test_consistency_vectors(case: dict[str, object]) -> None:
    m, n = int(case["first"]), int(case["second"])  # type: ignore[call-overload]  # a vector's values are typed object
    proof = merkle.consistency_proof(m, LEAVES[:n])
    assert [p.hex() for p in proof] == case["proof"]
    first, second = bytes.fromhex(V["roots"][m - 1]), bytes.fromhex(V["roots"][n - 1])
    assert merkle.verify_consistency(m, n, first, second, proof)
    if m != n:
        assert not merkle.verify_consistency(m, n, second, first, proof)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 70), data=st.data())
def test_proofs_verify_for_any_size(n: int, data: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    root = merkle.root(leaves)
    assert root == recursive_mth(leaves)
    index = data.draw(st.integers(0, n - 1))
    assert merkle.verify_inclusion(
        index, n, leaves[index], merkle.inclusion_proof(index, leaves), root
    )
    m = data.draw(st.integers(1, n))
    proof = merkle.consistency_proof(m, leaves)
    assert merkle.verify_consistency(m, n, merkle.root(leaves[:m]), root, proof)
