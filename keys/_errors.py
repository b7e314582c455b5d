"""Errors of the key engine: stable codes, Dutch message first, English beside it."""

from __future__ import annotations


class CryptoError(Exception):
    """Base of every error `keys` raises. `code` is stable; the message is for a person."""

    code = "crypto_error"

    def __init__(self, message_nl: str, message_en: str) -> None:
        super().__init__(f"{message_nl} / {message_en}")
        self.message_nl = message_nl
        self.message_en = message_en


class TamperedError(CryptoError):
    """Ciphertext, header or tag does not authenticate: changed, truncated, reordered or spliced."""

    code = "tampered"

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Versleutelde gegevens zijn beschadigd of gewijzigd ({what}).",
            f"Encrypted data is damaged or was altered ({what}).",
        )


class KeyDestroyed(CryptoError):
    """The key was shredded: the object can never be read again."""

    code = "key_destroyed"

    def __init__(self) -> None:
        super().__init__(
            "De sleutel is vernietigd; deze gegevens zijn definitief onleesbaar.",
            "The key was destroyed; this data can never be read again.",
        )


class UnsafeKeyFile(CryptoError):
    """A key file that others than its owner can read, or that is malformed."""

    code = "unsafe_key_file"

    def __init__(self, path: str, why: str) -> None:
        super().__init__(
            f"Sleutelbestand {path} wordt geweigerd: {why}.",
            f"Key file {path} refused: {why}.",
        )
