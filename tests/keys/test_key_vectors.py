"""Key wrapping (BKW1 under the local master key, family KEK, object DEK) and the object format's failure
modes: our code opens the positive vectors and refuses every negative one, and so does a decoder written
from docs/object-format.md alone."""

from __future__ import annotations

import base64
import json
import struct
import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys import FamilyKey, LocalMasterKey, ObjectKey, Sealer, TamperedError, open_stream
from keys._keyring import _unwrap_dek
from tests.support.vectors import VECTORS, independent_decode
from tests.vectors.generate import plaintext

W = json.loads((Path(__file__).parent.parent / "vectors" / "key-wrapping.json").read_text())


def kek_aad(family: uuid.UUID, generation: int) -> bytes:
    return b"beeldkluis/kek/v1" + family.bytes + struct.pack(">I", generation)


def dek_aad(family: uuid.UUID, obj: uuid.UUID, generation: int) -> bytes:
    return b"beeldkluis/dek/v1" + family.bytes + obj.bytes + struct.pack(">I", generation)


def independent_unwrap_kek(master_file: dict[str, Any], wrapped: bytes, aad: bytes) -> bytes:
    """From the document: "BKW1" ‖ u32 master version ‖ 12-byte nonce ‖ AES-256-GCM ciphertext ‖ tag."""
    if wrapped[:4] != b"BKW1" or len(wrapped) < 4 + 4 + 12 + 16:
        raise ValueError("not BKW1")
    (version,) = struct.unpack(">I", wrapped[4:8])
    master = base64.b64decode(master_file["versions"][str(version)])
    return AESGCM(master).decrypt(wrapped[8:20], wrapped[20:], aad)


def independent_unwrap_dek(kek: bytes, wrapped: bytes, aad: bytes) -> bytes:
    return AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], aad)


@pytest.fixture
def master(tmp_path: Path) -> LocalMasterKey:
    path = tmp_path / "master.key"
    path.write_text(json.dumps(W["master_key_file"]))
    path.chmod(0o600)
    return LocalMasterKey(path)


def test_the_wrapped_keys_open(master: LocalMasterKey) -> None:
    k, d = W["kek"], W["dek"]
    family, obj = uuid.UUID(k["family_id"]), uuid.UUID(d["object_id"])
    assert kek_aad(family, 3).hex() == k["aad"] and dek_aad(family, obj, 3).hex() == d["aad"]  # noqa: PT018
    wrapped = bytes.fromhex(k["wrapped"])
    assert (
        independent_unwrap_kek(W["master_key_file"], wrapped, bytes.fromhex(k["aad"])).hex()
        == k["kek"]
    )
    assert master.unwrap(wrapped, bytes.fromhex(k["aad"])).hex() == k["kek"]
    assert master.current_version() == W["master_key_file"]["current"]
    kek = FamilyKey(family, 3, bytes.fromhex(k["kek"]))
    assert _unwrap_dek(kek, obj, bytes.fromhex(d["wrapped"])).hex() == d["dek"]
    assert (
        independent_unwrap_dek(
            kek.secret, bytes.fromhex(d["wrapped"]), bytes.fromhex(d["aad"])
        ).hex()
        == d["dek"]
    )


@pytest.mark.parametrize("case", W["kek_negative"], ids=lambda c: c["case"])
def test_each_bad_wrapped_family_key_is_refused(
    case: dict[str, Any], master: LocalMasterKey
) -> None:
    wrapped, aad = (
        bytes.fromhex(case["wrapped"]),
        kek_aad(uuid.UUID(case["family_id"]), case["generation"]),
    )
    with pytest.raises(TamperedError):
        master.unwrap(wrapped, aad)
    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal will do for the independent decoder
        independent_unwrap_kek(W["master_key_file"], wrapped, aad)


@pytest.mark.parametrize("case", W["dek_negative"], ids=lambda c: c["case"])
def test_each_bad_wrapped_object_key_is_refused(case: dict[str, Any]) -> None:
    family = uuid.UUID(W["dek"]["family_id"])
    kek = FamilyKey(family, case["generation"], bytes.fromhex(W["kek"]["kek"]))
    wrapped, obj = bytes.fromhex(case["wrapped"]), uuid.UUID(case["object_id"])
    with pytest.raises(TamperedError):
        _unwrap_dek(kek, obj, wrapped)
    with pytest.raises(Exception):  # noqa: B017, PT011
        independent_unwrap_dek(kek.secret, wrapped, dek_aad(family, obj, case["generation"]))


def _object(case: dict[str, Any]) -> tuple[bytes, ObjectKey, uuid.UUID, uuid.UUID]:
    v = next(x for x in VECTORS if x["name"] == case["base"])
    key = ObjectKey(uuid.UUID(v["dek_id"]), bytes.fromhex(v["dek"]))
    family, obj = uuid.UUID(v["family_id"]), uuid.UUID(v["object_id"])
    sealer = Sealer(
        key,
        family_id=family,
        object_id=obj,
        _salt=bytes.fromhex(v["salt"]),
        _prefix=bytes.fromhex(v["nonce_prefix"]),
    )
    data = bytearray(
        sealer.header + sealer.update(plaintext(int(v["plaintext_size"]))) + sealer.finish()
    )
    if "flip" in case:
        data[case["flip"]] ^= 1
    if "set" in case:
        data[case["set"][0]] = case["set"][1]
    if "cut" in case:
        del data[case["cut"] :]
    if "append" in case:
        data += bytes.fromhex(case["append"])
    if "swap" in case:
        a, b = (113 + i * 65552 for i in case["swap"])
        data[a : a + 65552], data[b : b + 65552] = data[b : b + 65552], data[a : a + 65552]
    if "dek" in case:
        key = ObjectKey(key.dek_id, bytes.fromhex(case["dek"]))
    if "family" in case:
        family = uuid.UUID(case["family"])
    if "object" in case:
        obj = uuid.UUID(case["object"])
    return bytes(data), key, family, obj


@pytest.mark.parametrize("case", W["object_negative"], ids=lambda c: c["case"])
def test_each_object_format_failure_is_refused(case: dict[str, Any]) -> None:
    data, key, family, obj = _object(case)
    with pytest.raises(TamperedError):
        b"".join(open_stream(key, family_id=family, object_id=obj, source=[data]))
    with pytest.raises(Exception):  # noqa: B017, PT011
        strict_decode(data, key.secret, family, obj)


def strict_decode(data: bytes, dek: bytes, family: uuid.UUID, obj: uuid.UUID) -> bytes:
    """The independent decoder plus the document's two rules about the whole object: the header names the
    object asked for, and there is always a final chunk (16 bytes at least)."""
    if data[10:26] != obj.bytes:
        raise ValueError("other object")
    if len(data) < 113 + 16:
        raise ValueError("final chunk missing")
    return independent_decode(data[:113], data[113:], dek, family)


def test_the_vectors_are_reproduced() -> None:
    import io
    from contextlib import redirect_stdout

    from tests.vectors.generate_keys import main

    out = io.StringIO()
    with redirect_stdout(out):
        main()
    assert json.loads(out.getvalue()) == W
