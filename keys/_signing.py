"""Ed25519 signing keys for audit checkpoints and deletion certificates."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_public_key,
)

from keys._errors import UnsafeKeyFile
from keys._providers import read_private_file, write_private_file


class SigningKey:
    """An Ed25519 private key; its repr shows only the key id."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_bytes(cls, raw: bytes) -> SigningKey:
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def to_bytes(self) -> bytes:
        """The raw private key: only for writing it to a 0600 file or a secret store."""
        return self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    def public_bytes(self) -> bytes:
        return self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        return key_id(self.public_bytes())

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def __repr__(self) -> str:
        return f"SigningKey(key_id={self.key_id!r})"


def verify_signature(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def key_id(public_key: bytes) -> str:
    """The first 16 hex digits of SHA-256 over the raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def public_pem(public_key: bytes) -> str:
    """The public key as a PEM SubjectPublicKeyInfo (what `openssl pkey -pubin` reads)."""
    return (
        Ed25519PublicKey.from_public_bytes(public_key)
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def read_public_key(data: bytes) -> bytes:
    """The raw Ed25519 public key from a PEM file, or from 32 raw bytes / their hex or base64."""
    text = data.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = load_pem_public_key(text)
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("not an Ed25519 key")
            return key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        if len(data) == 32:
            return data
        if len(text) == 64:
            return bytes.fromhex(text.decode())
        raw = base64.b64decode(text, validate=True)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("geen Ed25519-publieke sleutel / not an Ed25519 public key") from exc
    if len(raw) != 32:
        raise ValueError("geen Ed25519-publieke sleutel / not an Ed25519 public key")
    return raw


class LocalSigningKey:
    """Loads (or creates) the service's signing key from a 0600 file."""

    @staticmethod
    def open_or_create(path: Path) -> SigningKey:
        path = Path(path)
        if not path.exists():
            key = SigningKey.generate()
            write_private_file(path, key.to_bytes())
            return key
        return LocalSigningKey.open(path)

    @staticmethod
    def open(path: Path) -> SigningKey:
        """An existing key; UnsafeKeyFile if it is missing (a verifier never creates one)."""
        raw = read_private_file(Path(path))
        if len(raw) != 32:
            raise UnsafeKeyFile(str(path), "onleesbaar / malformed")
        return SigningKey.from_bytes(raw)
