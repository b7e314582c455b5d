"""RFC 6962 / RFC 9162 Merkle tree hashes, inclusion and consistency proofs, and their verifiers."""

from __future__ import annotations

import hashlib

EMPTY = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def root(leaves: list[bytes]) -> bytes:
    """MTH over leaf hashes, iteratively (no recursion limit for a million records)."""
    if not leaves:
        return EMPTY
    level = list(leaves)
    # Folding pairs left to right gives the same tree as RFC 6962's largest-power-of-two split.
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def _mth(leaves: list[bytes]) -> bytes:
    return root(leaves)


def inclusion_proof(index: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 section 2.1.1."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError("index out of range")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), _mth(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), _mth(leaves[:k])]


def consistency_proof(m: int, leaves: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 section 2.1.2."""
    n = len(leaves)
    if not 0 < m <= n:
        raise ValueError("sizes out of range")
    return _subproof(m, leaves, True)


def _subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [_mth(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), _mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), _mth(leaves[:k])]


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: list[bytes], expected_root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(m: int, n: int, first: bytes, second: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2."""
    if m == n:
        return first == second and not proof
    if m == 0 or m > n or not proof:
        return False
    if m & (m - 1) == 0:  # m is a power of two: the first root is implied
        proof = [first, *proof]
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first and sr == second and sn == 0


class Stack:
    """The RFC 6962 tree built one leaf at a time: the roots of its perfect subtrees, left to right.

    Memory is one hash per set bit of the size (at most 64), whatever the number of leaves; `root()` at any
    size is the fold of the stack from the right, which is MTH of the leaves so far.
    """

    def __init__(self, size: int = 0, subtrees: list[bytes] | None = None) -> None:
        self.size = size
        self.subtrees = list(subtrees or [])
        if len(self.subtrees) != bin(size).count("1"):
            raise ValueError("the number of subtree roots does not fit the size")

    def append(self, leaf: bytes) -> None:
        self.subtrees.append(leaf)
        self.size += 1
        n = self.size
        while n & 1 == 0:  # each trailing zero bit of the new size merges two equal subtrees
            right = self.subtrees.pop()
            self.subtrees[-1] = node_hash(self.subtrees[-1], right)
            n >>= 1

    def root(self) -> bytes:
        if not self.subtrees:
            return EMPTY
        r = self.subtrees[-1]
        for left in reversed(self.subtrees[:-1]):
            r = node_hash(left, r)
        return r

    def ranges(self) -> list[tuple[int, int]]:
        """The leaf ranges [start, end) the subtree roots cover, left to right."""
        out, start = [], 0
        for bit in reversed(range(self.size.bit_length())):
            if self.size >> bit & 1:
                out.append((start, start + (1 << bit)))
                start += 1 << bit
        return out


def inclusion_ranges(index: int, size: int, lo: int = 0) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH form PATH(index, D[lo:lo+size]), in proof order."""
    if not 0 <= index - lo < size:
        raise ValueError("index out of range")
    if size == 1:
        return []
    k = _split(size)
    if index - lo < k:
        return [*inclusion_ranges(index, k, lo), (lo + k, lo + size)]
    return [*inclusion_ranges(index, size - k, lo + k), (lo, lo + k)]


def consistency_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTH form PROOF(m, D[n]), in proof order."""
    if not 0 < m <= n:
        raise ValueError("sizes out of range")

    def sub(m: int, lo: int, n: int, complete: bool) -> list[tuple[int, int]]:
        if m == n:
            return [] if complete else [(lo, lo + n)]
        k = _split(n)
        if m <= k:
            return [*sub(m, lo, k, complete), (lo + k, lo + n)]
        return [*sub(m - k, lo + k, n - k, False), (lo, lo + k)]

    return sub(m, 0, n, True)
