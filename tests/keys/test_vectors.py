"""Known-answer vectors: our sealer reproduces them, and a decoder written from the spec alone opens them."""

from __future__ import annotations

import hashlib
import json
import struct
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys import ObjectKey, Sealer, open_stream
from tests.vectors.generate import plaintext

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "object-format.json").read_text())[
    "vectors"
]


def ids(v: dict[str, object]) -> str:
    return str(v["name"])


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


@pytest.mark.parametrize("v", VECTORS, ids=ids)
def test_sealer_reproduces_the_vector(v: dict[str, str]) -> None:
    key = ObjectKey(uuid.UUID(v["dek_id"]), bytes.fromhex(v["dek"]))
    plain = plaintext(int(v["plaintext_size"]))
    assert hashlib.sha256(plain).hexdigest() == v["plaintext_sha256"]
    sealer = Sealer(
        key,
        family_id=uuid.UUID(v["family_id"]),
        object_id=uuid.UUID(v["object_id"]),
        _salt=bytes.fromhex(v["salt"]),
        _prefix=bytes.fromhex(v["nonce_prefix"]),
    )
    cipher = sealer.header + sealer.update(plain) + sealer.finish()
    assert sealer.header.hex() == v["header"]
    assert hashlib.sha256(cipher).hexdigest() == v["ciphertext_sha256"]
    if v["ciphertext"]:
        assert cipher.hex() == v["ciphertext"]
    assert sealer.sha256 == v["plaintext_sha256"]


@pytest.mark.parametrize("v", VECTORS, ids=ids)
def test_independent_decoder_and_ours_agree(v: dict[str, str]) -> None:
    key = ObjectKey(uuid.UUID(v["dek_id"]), bytes.fromhex(v["dek"]))
    family, obj = uuid.UUID(v["family_id"]), uuid.UUID(v["object_id"])
    plain = plaintext(int(v["plaintext_size"]))
    sealer = Sealer(
        key,
        family_id=family,
        object_id=obj,
        _salt=bytes.fromhex(v["salt"]),
        _prefix=bytes.fromhex(v["nonce_prefix"]),
    )
    cipher = sealer.header + sealer.update(plain) + sealer.finish()
    assert independent_decode(cipher[:113], cipher[113:], key.secret, family) == plain
    assert b"".join(open_stream(key, family_id=family, object_id=obj, source=[cipher])) == plain
