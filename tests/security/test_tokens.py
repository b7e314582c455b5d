"""Tokens die with their session: sign-out, revocation and disabling end stream links and access tokens."""

from __future__ import annotations

import httpx
import pytest

from tests.support.api import Api
from vault.accounts import set_active
from vault.db import unit_of_work


@pytest.fixture
def database_url(fresh_postgres: str) -> str:
    """End to end on production's database only: the embedded SQLite default runs the same paths in
    the API and web tests, and each of these runs takes tens of seconds."""
    return fresh_postgres


def _open(w: dict) -> str:  # type: ignore[type-arg]
    opened = httpx.post(f"{w['server']}/api/v1/clips/{w['clip_id']}/stream", headers=w["ho"])
    assert opened.status_code == 200, opened.text
    return str(w["server"] + opened.json()["playlist"].rsplit("/", 1)[0])


def test_sign_out_ends_the_stream_link(api: Api, watched: dict) -> None:  # type: ignore[type-arg]
    w = watched
    base = _open(w)
    assert httpx.get(base + "/index.m3u8").status_code == 200
    assert httpx.post(f"{w['server']}/api/v1/auth/sign-out", headers=w["ho"]).status_code == 204
    for path in ("/index.m3u8", "/0.ts"):
        refused = httpx.get(base + path, timeout=60)
        assert refused.status_code == 401, path
        assert refused.json()["code"] == "stream_token_invalid"
    assert httpx.get(f"{w['server']}/kijken/{base.rsplit('/', 1)[1]}").status_code == 401
    assert httpx.get(f"{w['server']}/api/v1/auth/me", headers=w["ho"]).status_code == 401


def test_disabling_ends_every_session_for_good(api: Api, watched: dict) -> None:  # type: ignore[type-arg]
    w = watched
    base = _open(w)
    me = f"{w['server']}/api/v1/auth/me"
    assert httpx.get(me, headers=w["ho"]).status_code == 200
    with unit_of_work() as db:
        set_active(db, w["opleider"].email, False)
    with unit_of_work() as db:
        set_active(db, w["opleider"].email, True)
    assert httpx.get(me, headers=w["ho"]).status_code == 401
    assert httpx.get(base + "/index.m3u8").status_code == 401
    assert httpx.get(base + "/0.ts", timeout=60).status_code == 401
    # A new sign-in works again.
    fresh = {"Authorization": f"Bearer {api.sign_in(w['opleider'], 1)['access_token']}"}
    assert httpx.get(me, headers=fresh).status_code == 200


def test_an_administrator_disabling_an_account_ends_its_sessions(api: Api) -> None:
    admin, trainer = api.account("administrator"), api.account("trainer")
    headers = api.as_(trainer)
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 200
    for active in (False, True):
        changed = api.client.patch(
            f"/api/v1/users/{trainer.id}", headers=api.as_(admin), json={"active": active}
        )
        assert changed.status_code == 200, changed.text
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401
