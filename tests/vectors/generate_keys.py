"""Generate the key-wrapping vectors and the object format's negative vectors ONCE (docs/object-format.md).

Provenance: produced by this script on 2026-12-02 from fixed keys and nonces (AES-GCM with a given nonce
is deterministic). Checked forever by tests/keys/test_key_vectors.py: our code opens the positive ones and
refuses the negative ones, and so does a decoder written from the document alone.

    python tests/vectors/generate_keys.py > tests/vectors/key-wrapping.json
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import uuid

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def d(label: str, n: int = 32) -> bytes:
    return hashlib.sha256(label.encode()).digest()[:n]


def u(label: str) -> uuid.UUID:
    return uuid.UUID(bytes=d(label, 16))


MASTER = {1: d("master-1"), 2: d("master-2")}
FAMILY = u("family")
OBJECT = u("object")


def kek_aad(family: uuid.UUID, generation: int) -> bytes:
    return b"beeldkluis/kek/v1" + family.bytes + struct.pack(">I", generation)


def dek_aad(family: uuid.UUID, obj: uuid.UUID, generation: int) -> bytes:
    return b"beeldkluis/dek/v1" + family.bytes + obj.bytes + struct.pack(">I", generation)


def bkw1(version: int, nonce: bytes, key: bytes, aad: bytes) -> bytes:
    return (
        b"BKW1"
        + struct.pack(">I", version)
        + nonce
        + AESGCM(MASTER[version]).encrypt(nonce, key, aad)
    )


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def main() -> None:
    kek, dek = d("family-kek-gen-3"), d("object-dek")
    wrapped_kek = bkw1(2, d("nonce-kek", 12), kek, kek_aad(FAMILY, 3))
    wrapped_dek = d("nonce-dek", 12) + AESGCM(kek).encrypt(
        d("nonce-dek", 12), dek, dek_aad(FAMILY, OBJECT, 3)
    )
    master_file = {
        "versions": {str(v): base64.b64encode(k).decode() for v, k in MASTER.items()},
        "current": 2,
    }
    kek_negative = [
        ("bad-magic", b"BKW2" + wrapped_kek[4:], FAMILY, 3),
        (
            "unknown-master-version",
            wrapped_kek[:4] + struct.pack(">I", 7) + wrapped_kek[8:],
            FAMILY,
            3,
        ),
        ("flipped-tag", flip(wrapped_kek, len(wrapped_kek) - 1), FAMILY, 3),
        ("flipped-ciphertext", flip(wrapped_kek, 20), FAMILY, 3),
        ("other-family", wrapped_kek, u("other family"), 3),
        ("other-generation", wrapped_kek, FAMILY, 2),
        ("too-short", wrapped_kek[:35], FAMILY, 3),
    ]
    dek_negative = [
        ("flipped-nonce", flip(wrapped_dek, 0), OBJECT, 3),
        ("other-object", wrapped_dek, u("other object"), 3),
        ("other-generation", wrapped_dek, OBJECT, 4),
        ("flipped-tag", flip(wrapped_dek, len(wrapped_dek) - 1), OBJECT, 3),
    ]
    # The object format's failure modes, as mutations of the positive vectors in object-format.json
    # (the ciphertext is rebuilt from them; offsets are into the whole object, header included).
    object_negative = [
        {"case": "bad-magic", "base": "short", "flip": 0},
        {"case": "bad-version", "base": "short", "set": [4, 2]},
        {"case": "bad-algorithm", "base": "short", "set": [5, 2]},
        {"case": "bad-chunk-size", "base": "short", "set": [7, 2]},
        {"case": "header-changed (salt)", "base": "short", "flip": 50},
        {"case": "commitment-changed", "base": "short", "flip": 100},
        {"case": "ciphertext-bit", "base": "short", "flip": 150},
        {"case": "tag-bit", "base": "short", "flip": -1},
        {"case": "other-family", "base": "short", "family": str(u("other family"))},
        {"case": "other-object-id", "base": "short", "object": str(u("other object"))},
        {"case": "other-key", "base": "short", "dek": d("other dek").hex()},
        {"case": "truncated-at-chunk-boundary", "base": "chunk-plus-one", "cut": 113 + 65552},
        {"case": "truncated-mid-chunk", "base": "chunk-plus-one", "cut": 113 + 1000},
        {"case": "final-chunk-dropped-to-header", "base": "short", "cut": 113},
        {"case": "chunks-swapped", "base": "three-chunks", "swap": [0, 1]},
        {"case": "trailing-garbage", "base": "short", "append": "00" * 16},
    ]
    print(
        json.dumps(
            {
                "format": "beeldkluis key wrapping (BKW1, family KEK, object DEK) and object format v1 negative vectors",
                "master_key_file": master_file,
                "kek": {
                    "family_id": str(FAMILY),
                    "generation": 3,
                    "master_version": 2,
                    "kek": kek.hex(),
                    "aad": kek_aad(FAMILY, 3).hex(),
                    "wrapped": wrapped_kek.hex(),
                },
                "dek": {
                    "family_id": str(FAMILY),
                    "object_id": str(OBJECT),
                    "generation": 3,
                    "dek": dek.hex(),
                    "aad": dek_aad(FAMILY, OBJECT, 3).hex(),
                    "wrapped": wrapped_dek.hex(),
                },
                "kek_negative": [
                    {"case": c, "wrapped": w.hex(), "family_id": str(f), "generation": g}
                    for c, w, f, g in kek_negative
                ],
                "dek_negative": [
                    {"case": c, "wrapped": w.hex(), "object_id": str(o), "generation": g}
                    for c, w, o, g in dek_negative
                ],
                "object_negative": object_negative,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
