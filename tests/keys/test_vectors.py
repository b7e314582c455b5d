"""Known-answer vectors: our sealer reproduces them, and a decoder written from the spec alone opens them."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from keys import ObjectKey, Sealer, open_stream
from tests.support.vectors import VECTORS, independent_decode
from tests.vectors.generate import plaintext


def ids(v: dict[str, object]) -> str:
    return str(v["name"])


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
