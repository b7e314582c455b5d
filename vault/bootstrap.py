"""First-run preparation of a data dir: folders, the master and signing keys, the token secret, the schema."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from vault import migrate
from vault.errors import VaultError
from vault.settings import Environment, Settings, StoreBackend
from vault.store import backend_from_settings


def _secret_file(path: Path) -> str:
    """Read a 0600 secret file, creating it with a random value on first use."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        value = secrets.token_urlsafe(48)
        out.write(value)
    return value


def token_secret(settings: Settings) -> str:
    """The token signing secret: configured, or (development and test only) kept in the data dir."""
    configured = settings.secret_key.get_secret_value()
    if configured:
        return configured
    if settings.environment is Environment.production:
        raise RuntimeError("BEELDKLUIS_SECRET_KEY is required in production")
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return _secret_file(settings.data_dir / "secret.key")


def prepare(settings: Settings) -> None:
    """Everything `serve` needs before it answers its first request. Safe to run again."""
    from vault.keyring.repository import master_key_provider, signing_key
    from vault.settings import KeyProviderKind

    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if settings.key_provider is KeyProviderKind.local:
        master_key_provider(settings)  # the local key file, created on first start
    from vault.audit._publish import publish

    publish(settings, signing_key(settings))
    token_secret(settings)
    if settings.store is StoreBackend.local:
        settings.store_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    backend = backend_from_settings(settings)
    backend.ensure_ready()
    if settings.environment is Environment.production and settings.store is StoreBackend.s3:
        from vault.store._provision import worm_delete_refused

        if not worm_delete_refused(backend):  # type: ignore[arg-type]  # settings.store is s3 here, so the backend is an S3Backend
            raise VaultError(
                "Deze S3-gegevens mogen checkpoints in de onveranderbare bucket verwijderen; draai Beeldkluis met "
                "het eigen account uit 'beeldkluis store provision'.",
                "These S3 credentials may delete in the write-once bucket; run Beeldkluis with the account "
                "made by 'beeldkluis store provision'.",
            )
    migrate.upgrade(settings.effective_database_url)
