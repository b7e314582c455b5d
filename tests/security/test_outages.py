"""Every outage and every malformed parameter has its status: 503 with Retry-After, or a 4xx; never a 500."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tests.support.api import Api, free_port
from vault.app import create_app
from vault.db import unit_of_work
from vault.export.tasks import build
from vault.settings import Settings, get_settings
from vault.worker import BrokerUnavailable, celery_app, configure, enqueue_after_commit


def test_postgresql_down_is_503_with_retry_after_on_api_and_pages(
    postgres_url: str, settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = make_url(postgres_url).set(port=free_port()).render_as_string(hide_password=False)
    monkeypatch.setenv("BEELDKLUIS_DATABASE_URL", down)
    get_settings.cache_clear()
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        api = client.post(
            "/api/v1/auth/sign-in",
            json={"email": "a@b.example", "password": "x" * 12, "totp": "123456"},
        )
        assert api.status_code == 503, api.text
        assert api.headers["content-type"] == "application/problem+json"
        assert api.headers["retry-after"] == "30"
        assert api.json()["code"] == "database_unavailable"
        page = client.get("/aanmelden", headers={"Accept": "text/html"})
        assert page.status_code == 503
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["retry-after"] == "30"
        assert "database" in page.text


def test_broker_down_at_enqueue_is_503(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    configure(
        celery_app, Settings(broker_url=f"redis://127.0.0.1:{free_port()}/0", data_dir=tmp_path)
    )
    try:
        with pytest.raises(BrokerUnavailable) as refused, unit_of_work(create_engine(url)) as db:
            enqueue_after_commit(db, build, str(uuid.uuid4()))
        assert refused.value.status == 503
        assert refused.value.extra["retry_after"] == 60
    finally:
        configure(celery_app, get_settings())


def test_malformed_parameters_are_4xx_naming_the_field(api: Api) -> None:
    trainer, officer = api.as_(api.account("trainer")), api.as_(api.account("privacy_officer"))
    for path, headers in (("/api/v1/families", trainer), ("/api/v1/audit/records", officer)):
        for query in ("offset=-1", "offset=99999999999999999999", "limit=-5", "limit=100000000000"):
            answer = api.client.get(f"{path}?{query}", headers=headers)
            assert answer.status_code == 422, (path, query, answer.text)
            assert answer.json()["errors"][0]["loc"][-1] == query.split("=")[0]
    nul = api.client.get("/api/v1/families?code=a%00b", headers=trainer)
    assert nul.status_code == 422
    assert nul.json()["errors"][0]["loc"] == ["code"]
    assert api.client.get("/api/v1/stream/a%00b/index.m3u8").status_code == 422
    assert api.client.get("/api/v1/audit/records/999999/proof", headers=officer).status_code == 404
    assert (
        api.client.get("/api/v1/audit/records/99999999999999/proof", headers=officer).status_code
        == 422
    )
    assert (
        api.client.get("/api/v1/audit/records?seq=99999999999999", headers=officer).status_code
        == 422
    )
