"""Settings: embedded defaults work, production refuses unsafe values, secrets never print."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from vault.settings import Environment, Settings, StoreBackend

SAFE_PRODUCTION = {
    "environment": "production",
    "secret_key": "x" * 48,
    "database_url": "postgresql+psycopg://vault@db/vault",
    "broker_url": "redis://redis:6379/0",
    "store": "s3",
    "s3_access_key": "vault-writer",
    "s3_secret_key": "a-long-random-secret-value",
}


def test_embedded_defaults_need_no_configuration(settings_env: Path) -> None:
    settings = Settings()
    assert settings.environment is Environment.development
    assert settings.store is StoreBackend.local
    assert settings.effective_database_url == f"sqlite:///{settings_env / 'beeldkluis.db'}"
    assert settings.effective_broker_url == "filesystem://"
    assert settings.host == "127.0.0.1"


def test_environment_variables_use_the_prefix(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEELDKLUIS_PORT", "9999")
    monkeypatch.setenv("BEELDKLUIS_STORE", "s3")
    settings = Settings()
    assert settings.port == 9999
    assert settings.store is StoreBackend.s3


def test_production_accepts_a_safe_configuration(settings_env: Path) -> None:
    assert Settings(**SAFE_PRODUCTION).environment is Environment.production


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [
        ("secret_key", "", "SECRET_KEY"),
        ("secret_key", "changeme", "SECRET_KEY"),
        ("secret_key", "short", "SECRET_KEY"),
        ("database_url", "", "DATABASE_URL"),
        ("database_url", "sqlite:///x.db", "DATABASE_URL"),
        ("broker_url", "", "BROKER_URL"),
        ("s3_access_key", "minioadmin", "S3_ACCESS_KEY"),
        ("s3_secret_key", "minioadmin", "S3_ACCESS_KEY"),
    ],
)
def test_production_refuses_insecure_defaults(
    settings_env: Path, field: str, value: str, complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        Settings(**{**SAFE_PRODUCTION, field: value})


def test_secrets_do_not_print(settings_env: Path) -> None:
    settings = Settings(**SAFE_PRODUCTION)
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    assert "a-long-random-secret-value" not in shown
    assert "x" * 48 not in shown
