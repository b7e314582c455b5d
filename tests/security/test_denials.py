"""Every denial is in the audit log, committed although its request is rolled back; floods summarised."""

from __future__ import annotations

import uuid

from sqlmodel import col, select

from tests.support.api import PASSWORD, Api
from vault.audit import FLOOD_LIMIT, AuditRecord
from vault.db import unit_of_work
from vault.settings import get_settings


def denied(reason: str) -> list[AuditRecord]:
    with unit_of_work() as db:
        return list(
            db.exec(
                select(AuditRecord)
                .where(AuditRecord.outcome == "denied", AuditRecord.reason == reason)
                .order_by(col(AuditRecord.seq))
            )
        )


def test_a_bad_access_token_is_logged(api: Api) -> None:
    for token in ("garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."):
        response = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
    rows = denied("invalid_token")
    assert len(rows) == 3
    assert rows[0].object_id == "/api/v1/auth/me"
    assert rows[0].object_type == "route"
    assert rows[0].network == "testclient"


def test_role_gate_refusals_are_logged(api: Api) -> None:
    trainer = api.account("trainer")
    assert api.client.get("/api/v1/audit/records", headers=api.as_(trainer)).status_code == 403
    [row] = denied("role_gate")
    assert row.user_id == trainer.id
    assert row.object_id == "/api/v1/audit/records"


def test_sign_in_on_a_locked_account_is_logged(api: Api) -> None:
    trainer = api.account("trainer")
    for _ in range(get_settings().max_failed_sign_ins):
        body = {
            "email": trainer.email,
            "password": "een verkeerd wachtwoord",
            "totp": api.code(trainer),
        }
        assert api.client.post("/api/v1/auth/sign-in", json=body).status_code == 401
    body = {"email": trainer.email, "password": PASSWORD, "totp": api.code(trainer)}
    locked = api.client.post("/api/v1/auth/sign-in", json=body)
    assert locked.status_code == 423
    [row] = denied("locked")
    assert row.action == "sign_in_failed"
    assert row.user_id == trainer.id


def test_the_privacy_officers_cross_organisation_probe_is_logged(api: Api) -> None:
    officer = api.account("privacy_officer")
    elsewhere = api.account("trainer", api.organisation("Elders"))
    for target in (elsewhere.id, uuid.uuid4()):
        assert (
            api.client.get(
                f"/api/v1/audit/employees/{target}", headers=api.as_(officer)
            ).status_code
            == 404
        )
    rows = denied("other_organisation")
    assert [r.user_id for r in rows] == [officer.id, officer.id]


def test_invalid_stream_tokens_are_logged(api: Api) -> None:
    for token in ("not-a-token", "x.y.z", "eyJhbGciOiJub25lIn0.e30."):
        assert api.client.get(f"/api/v1/stream/{token}/index.m3u8").status_code == 401
        assert api.client.get(f"/api/v1/stream/{token}/0.ts").status_code == 401
    rows = denied("stream_token_invalid")
    assert len(rows) == 6
    assert {r.object_id for r in rows} == {
        "/api/v1/stream/{token}/index.m3u8",
        "/api/v1/stream/{token}/{n}.ts",
    }
    assert all(
        "not-a-token" not in (r.detail + (r.object_id or "")) for r in rows
    )  # the token itself is never logged


def test_a_flood_is_summarised_not_logged_one_by_one(api: Api) -> None:
    for _ in range(FLOOD_LIMIT * 3):
        assert (
            api.client.get("/api/v1/auth/me", headers={"Authorization": "Bearer x"}).status_code
            == 401
        )
    assert len(denied("invalid_token")) == FLOOD_LIMIT
    [summary] = denied("flood")
    assert "invalid_token" in summary.detail
    # Another kind from the same address is still logged.
    assert api.client.get("/api/v1/stream/x/index.m3u8").status_code == 401
    assert len(denied("stream_token_invalid")) == 1


def test_a_bad_refresh_token_and_a_bad_player_link_are_logged(api: Api) -> None:
    assert (
        api.client.post("/api/v1/auth/refresh", json={"refresh_token": "gestolen"}).status_code
        == 401
    )
    [row] = denied("invalid_refresh_token")
    assert row.action == "sign_in_failed"
    assert api.client.get("/kijken/geen-geldige-link").status_code == 401
    [row] = denied("stream_token_invalid")
    assert row.object_id == "/kijken/{token}"
