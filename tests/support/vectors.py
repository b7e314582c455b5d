"""The object format's known-answer vectors and a decoder written from docs/object-format.md alone."""

from __future__ import annotations

import json
import struct
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "object-format.json").read_text())[
    "vectors"
]


def independent_decode(header: bytes, body: bytes, dek: bytes, family_id: uuid.UUID) -> bytes:
    """A decoder from docs/object-format.md only, sharing no code with keys/."""
    assert header[:4] == b"BKLD"
    assert header[4] == 1
    assert header[5] == 1
    assert struct.unpack(">I", header[6:10])[0] == 65536
    object_id = header[10:26]
    salt, prefix, commitment = header[42:74], header[74:81], header[81:113]
    okm = HKDF(
        hashes.SHA256(), 64, salt, b"beeldkluis/object/v1" + header[:81] + family_id.bytes
    ).derive(dek)
    assert okm[32:] == commitment
    aead = AESGCM(okm[:32])
    out, k, pos = b"", 0, 0
    while pos < len(body):
        sealed = body[pos : pos + 65536 + 16]
        final = pos + len(sealed) == len(body)
        nonce = prefix + struct.pack(">IB", k, final)
        out += aead.decrypt(nonce, sealed, object_id + struct.pack(">QB", k, final))
        pos += len(sealed)
        k += 1
    return out
