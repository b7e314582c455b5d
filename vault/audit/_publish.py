"""The published public key checkpoints are verified with: a PEM file beside the data and an API endpoint.

A verifier never creates a key: it reads the file it is given, the published file, or derives the public
half of an existing signing key; with none of these it stops.
"""

from __future__ import annotations

from pathlib import Path

from keys import SigningKey, key_id, public_pem, read_public_key
from vault.errors import ServiceUnavailable
from vault.keyring.repository import signing_public_key
from vault.settings import Settings

PUBLIC_KEY_FILE = "audit-public-key.pem"


class NoPublicKey(ServiceUnavailable):
    code = "audit_public_key_missing"

    def __init__(self) -> None:
        super().__init__(
            "Er is geen publieke sleutel om de log mee te controleren; geef er een met --public-key BESTAND.",
            "There is no public key to verify the log with; give one with --public-key FILE.",
        )


def public_key_file(settings: Settings) -> Path:
    return settings.data_dir / PUBLIC_KEY_FILE


def publish(settings: Settings, key: SigningKey) -> Path:
    """Write the public key beside the data (readable by anyone; it is public)."""
    path = public_key_file(settings)
    pem = public_pem(key.public_bytes())
    if not path.exists() or path.read_text() != pem:
        path.write_text(pem)
        path.chmod(0o644)
    return path


def public_key(settings: Settings, given: Path | None = None) -> bytes:
    """The key to verify with: `given`, else the published file, else the existing signing key's public half."""
    if given is not None:
        try:
            return read_public_key(Path(given).read_bytes())
        except (OSError, ValueError) as exc:
            raise NoPublicKey() from exc
    published = public_key_file(settings)
    if published.exists():
        return read_public_key(published.read_bytes())
    own = signing_public_key(settings)
    if own is None:
        raise NoPublicKey()
    return own


def describe(public: bytes) -> dict[str, str]:
    return {
        "algorithm": "Ed25519",
        "key_id": key_id(public),
        "public_key_pem": public_pem(public),
        "public_key_hex": public.hex(),
    }
