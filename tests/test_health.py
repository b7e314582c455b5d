"""GET /health reports each component with a status a load balancer can use, and never crashes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import MinioControl
from vault.app import create_app
from vault.bootstrap import prepare
from vault.settings import get_settings


def health(expect: int) -> dict[str, Any]:
    with TestClient(create_app()) as client:
        response = client.get("/health")
    assert response.status_code == expect, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


def test_all_ok_on_embedded_defaults(settings_env: Path) -> None:
    prepare(get_settings())
    body = health(200)
    assert body["status"] == "ok"
    components = body["components"]
    assert isinstance(components, dict)
    assert set(components) == {"database", "object_store", "broker", "ffmpeg", "audit_checkpoint"}
    assert all(c["status"] == "ok" for c in components.values())


def test_all_ok_on_the_full_stack(
    s3_env: dict[str, str], broker_url: str, fresh_postgres: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEELDKLUIS_DATABASE_URL", fresh_postgres)
    monkeypatch.setenv("BEELDKLUIS_BROKER_URL", broker_url)
    get_settings.cache_clear()
    prepare(get_settings())
    body = health(200)
    components = body["components"]
    assert isinstance(components, dict)
    assert components["database"]["detail"] == "postgresql"
    assert components["broker"]["detail"] == "redis"


def test_stopped_minio_is_reported_not_raised(
    s3_env: dict[str, str], minio_control: MinioControl
) -> None:
    prepare(get_settings())
    minio_control.stop()
    body = health(503)
    components = body["components"]
    assert isinstance(components, dict)
    assert components["object_store"]["status"] == "down"
    assert components["database"]["status"] == "ok"
    minio_control.start()
    assert health(200)["status"] == "ok"


def test_unreachable_broker_and_missing_ffmpeg(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEELDKLUIS_BROKER_URL", "redis://127.0.0.1:9/0")
    monkeypatch.setenv("BEELDKLUIS_FFMPEG", "ffmpeg-that-is-not-installed")
    get_settings.cache_clear()
    prepare(get_settings())
    components = health(503)["components"]
    assert isinstance(components, dict)
    assert components["broker"]["status"] == "down"
    assert components["ffmpeg"]["status"] == "down"
    assert components["database"]["status"] == "ok"
    secret_free = str(components)
    assert "redis://" not in secret_free


def test_records_left_without_a_checkpoint_turn_health_degraded(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vault import audit
    from vault.audit.tasks import write_checkpoint
    from vault.db import unit_of_work

    monkeypatch.setenv("BEELDKLUIS_AUDIT_CHECKPOINT_SECONDS", "1")
    get_settings.cache_clear()
    prepare(get_settings())
    with unit_of_work() as db:
        audit.record(db, action="sign_in", outcome="success", reason="test")
    time.sleep(2.5)
    component = health(503)["components"]["audit_checkpoint"]
    assert component["status"] == "down"
    assert "wait" in component["detail"]
    write_checkpoint()
    assert health(200)["components"]["audit_checkpoint"]["status"] == "ok"
