"""The command line signs in by a code its person confirms in the web app (RFC 8628's shape, ADR 0006):
the code expires, works once, is confirmed only by someone signed in (with CSRF), a client that polls
too often is told to slow down, guessing codes is limited, and every decision is in the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from tests.support.api import Api
from tests.support.device import confirm, csrf_of, web_sign_in
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.domain.models import DeviceGrant
from vault.settings import get_settings


def start(api: Api) -> dict[str, Any]:
    response = api.client.post("/api/v1/auth/device")
    assert response.status_code == 200, response.text
    return dict(response.json())


def poll(api: Api, device_code: str) -> Any:
    return api.client.post("/api/v1/auth/device/token", json={"device_code": device_code})


def reasons(action: str) -> list[str]:
    with unit_of_work() as db:
        return [
            r.reason for r in db.exec(select(AuditRecord).where(AuditRecord.action == action)).all()
        ]


@pytest.fixture
def slow_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """A minute between polls: two polls in a row are always too soon, however slow the machine."""
    monkeypatch.setenv("BEELDKLUIS_DEVICE_POLL_SECONDS", "60")
    get_settings.cache_clear()


def test_a_code_confirmed_in_the_web_app_gives_the_command_line_a_session_once(
    api: Api, slow_polls: None
) -> None:
    trainer = api.account("trainer")
    grant = start(api)
    assert re.fullmatch(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}", grant["user_code"])
    assert grant["verification_uri"].endswith("/apparaat")
    assert grant["verification_uri_complete"].endswith(f"/apparaat?code={grant['user_code']}")
    assert (grant["expires_in"], grant["interval"]) == (600, 60)

    pending = poll(api, grant["device_code"])
    assert pending.status_code == 400
    assert (pending.json()["code"], pending.json()["interval"]) == ("authorization_pending", 60)
    too_soon = poll(api, grant["device_code"])
    assert (too_soon.json()["code"], too_soon.json()["interval"]) == ("slow_down", 65)

    csrf = web_sign_in(api, trainer)
    page = api.client.get(
        "/apparaat", params={"code": grant["user_code"].lower().replace("-", " ")}
    )
    assert "Opdrachtregel aanmelden" in page.text
    assert grant["user_code"] in page.text  # normalised, ready to confirm
    assert "Gevraagd vanaf" in page.text  # where the request came from
    done = confirm(api, csrf, grant["user_code"])
    assert done.status_code == 200
    assert "De opdrachtregel is aangemeld als u" in done.text

    tokens = poll(api, grant["device_code"])
    assert tokens.status_code == 200, tokens.text
    me = api.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"}
    )
    assert me.json()["user_id"] == str(trainer.id)
    assert me.json()["session_id"] == tokens.json()["session_id"]
    again = poll(api, grant["device_code"])
    assert (again.status_code, again.json()["code"]) == (400, "invalid_grant")  # works once
    refreshed = api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200  # a session like any other
    assert "device_approved" in reasons("sign_in")
    assert "device" in reasons("sign_in")
    assert "invalid_grant" in reasons("sign_in_failed")


def test_a_refused_or_expired_code_gives_nothing(api: Api, slow_polls: None) -> None:
    trainer = api.account("trainer")
    csrf = web_sign_in(api, trainer)
    refused = start(api)
    assert "geweigerd" in confirm(api, csrf, refused["user_code"], "weigeren").text.lower()
    answer = poll(api, refused["device_code"])
    assert (answer.status_code, answer.json()["code"]) == (400, "access_denied")
    assert "geweigerd" in answer.json()["detail"]

    late = start(api)
    with unit_of_work() as db:  # ten minutes pass for this grant (no test waits for a clock)
        row = db.exec(select(DeviceGrant).where(col(DeviceGrant.denied_at).is_(None))).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.add(row)
    too_late = confirm(api, csrf, late["user_code"])
    assert too_late.status_code == 404
    assert "onbekend of verlopen" in too_late.text
    answer = poll(api, late["device_code"])
    assert (answer.status_code, answer.json()["code"]) == (400, "expired_token")
    assert {"device_denied", "device_approved"} & set(reasons("sign_in")) == {"device_denied"}
    assert {"expired_token", "access_denied", "device_code_unknown"} <= set(
        reasons("sign_in_failed")
    )


def test_confirming_needs_a_signed_in_person_and_guessing_codes_is_limited(api: Api) -> None:
    grant = start(api)
    away = api.client.get("/apparaat", params={"code": grant["user_code"]}, follow_redirects=False)
    assert away.status_code == 303
    assert away.headers["location"].startswith("/aanmelden?next=/apparaat%3Fcode%3D")
    trainer = api.account("trainer")
    web_sign_in(api, trainer)
    forged = api.client.post("/apparaat", data={"code": grant["user_code"], "decision": "toestaan"})
    assert forged.status_code == 403  # no CSRF token: no confirmation
    csrf = csrf_of(api)
    for _ in range(10):
        assert confirm(api, csrf, "BBBB-BBBB").status_code == 404
    assert (
        confirm(api, csrf, grant["user_code"]).status_code == 429
    )  # even the right one, for a while
    assert reasons("sign_in_failed").count("device_code_unknown") == 10
    assert (poll(api, grant["device_code"]).json()["code"]) == "authorization_pending"
    assert poll(api, "made-up").json()["code"] == "invalid_grant"
