"""Every page names its icon, and /favicon.ico (asked for by browsers regardless) is never a 404."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.api import Api


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Overrides the web fixture: no footage, no services beyond the embedded database."""
    return f"sqlite:///{tmp_path / 'test.db'}"


def test_the_icon_is_named_and_served(api: Api) -> None:
    page = api.client.get("/aanmelden")
    assert page.status_code == 200
    assert '<link rel="icon" href="/static/favicon.svg"' in page.text
    icon = api.client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")
