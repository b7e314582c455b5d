"""Generate the known-answer vectors for the object format ONCE. Checked forever by tests/keys.

Provenance: produced by this script with fixed keys, ids, salt and nonce prefix (see below) on
2026-11-24 from keys/_format.py at format version 1. Regenerating must yield identical bytes; if a
change to the code would alter them, the format changed and needs a new version number instead.

    python tests/vectors/generate.py > tests/vectors/object-format.json
"""

from __future__ import annotations

import hashlib
import json
import uuid

from keys import ObjectKey, Sealer


def plaintext(size: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(b"beeldkluis-vector-%d" % counter).digest()
        counter += 1
    return bytes(out[:size])


def vector(name: str, size: int, seed: int) -> dict[str, object]:
    d = hashlib.sha256(b"seed-%d" % seed).digest()
    key = ObjectKey(
        uuid.UUID(bytes=hashlib.md5(d + b"dek", usedforsecurity=False).digest()),
        hashlib.sha256(d + b"key").digest(),
    )
    family = uuid.UUID(bytes=hashlib.md5(d + b"family", usedforsecurity=False).digest())
    obj = uuid.UUID(bytes=hashlib.md5(d + b"object", usedforsecurity=False).digest())
    salt = hashlib.sha256(d + b"salt").digest()
    prefix = hashlib.sha256(d + b"prefix").digest()[:7]
    plain = plaintext(size)
    sealer = Sealer(key, family_id=family, object_id=obj, _salt=salt, _prefix=prefix)
    cipher = sealer.header + sealer.update(plain) + sealer.finish()
    return {
        "name": name,
        "dek": key.secret.hex(),
        "dek_id": str(key.dek_id),
        "family_id": str(family),
        "object_id": str(obj),
        "salt": salt.hex(),
        "nonce_prefix": prefix.hex(),
        "plaintext_size": size,
        "plaintext_sha256": hashlib.sha256(plain).hexdigest(),
        "header": sealer.header.hex(),
        "ciphertext_sha256": hashlib.sha256(cipher).hexdigest(),
        "ciphertext": cipher.hex() if len(cipher) <= 512 else None,
    }


def main() -> None:
    cases = [
        ("empty", 0, 1),
        ("one-byte", 1, 2),
        ("short", 100, 3),
        ("chunk-minus-one", 65535, 4),
        ("exact-chunk", 65536, 5),
        ("chunk-plus-one", 65537, 6),
        ("three-chunks", 3 * 65536 + 7, 7),
    ]
    print(
        json.dumps(
            {"format": "beeldkluis object format v1", "vectors": [vector(*c) for c in cases]},
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
