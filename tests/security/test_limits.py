"""Limits before work: the consent-evidence upload decides the right and checks the size before it reads
the body, and reads it with a hard cap; the signed form can be read back by whom may, and every read is
logged. (Stream jobs shared fairly, one per viewer and a cap per user: tests/streaming/test_live.py.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import select

from tests.support.api import Api
from tests.support.families import consent_body, family_with_recording
from vault.accounts._service import _open_session
from vault.audit import AuditRecord
from vault.consents.service import MAX_EVIDENCE
from vault.db import unit_of_work
from vault.domain.models import User
from vault.settings import get_settings

CHUNK = 1024 * 1024
PDF = b"%PDF-1.4\n" + b"0" * 4000


def post_raw(
    api: Api, path: str, headers: dict[str, str], chunks: int, declared: int | None
) -> tuple[int, int]:
    """POST a body of `chunks` MiB straight into the ASGI app; the status and how many chunks it read."""
    taken, status = 0, 0
    raw = [
        (k.lower().encode(), v.encode())
        for k, v in {"Content-Type": "application/pdf", **headers}.items()
    ]
    if declared is not None:
        raw.append((b"content-length", str(declared).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def receive() -> dict[str, Any]:
        nonlocal taken
        if taken >= chunks:
            await asyncio.sleep(3600)  # a client that sends nothing more
        taken += 1
        return {"type": "http.request", "body": b"\0" * CHUNK, "more_body": taken < chunks}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    asyncio.run(api.client.app(scope, receive, send))
    return status, taken


@pytest.fixture
def record(api: Api) -> dict[str, Any]:
    trainer = api.account("trainer")
    world = family_with_recording(api, trainer)
    made = api.client.post(
        f"/api/v1/families/{world['family']['id']}/consents",
        headers=world["headers"],
        json=consent_body(world, "supervision"),
    )
    assert made.status_code == 201, made.text
    return {**world, "trainer": trainer, "id": made.json()["id"]}


def test_no_right_no_read(api: Api, record: dict[str, Any]) -> None:
    path = f"/api/v1/consents/{record['id']}/evidence"
    opleider = api.as_(api.account("opleider"))
    assert post_raw(api, path, opleider, 400, 400 * CHUNK) == (
        403,
        0,
    )  # refused before a byte is read
    assert post_raw(api, path, record["headers"], 400, 400 * CHUNK) == (
        413,
        0,
    )  # too large, said up front
    status, taken = post_raw(
        api, path, record["headers"], 400, None
    )  # no length: read up to the cap
    assert status == 413
    assert taken <= MAX_EVIDENCE // CHUNK + 1


def test_the_signed_form_is_read_back_by_whom_may(api: Api, record: dict[str, Any]) -> None:
    path = f"/api/v1/consents/{record['id']}/evidence"
    sent = api.client.post(
        path, headers={**record["headers"], "Content-Type": "application/pdf"}, content=PDF
    )
    assert sent.status_code == 201, sent.text
    mine = api.client.get(path, headers=record["headers"])
    assert mine.status_code == 200
    assert mine.content == PDF
    assert mine.headers["content-type"] == "application/pdf"
    officer = api.as_(api.account("privacy_officer"))
    assert api.client.get(path, headers=officer).content == PDF
    elsewhere = api.as_(api.account("privacy_officer", api.organisation("Elders")))
    assert api.client.get(path, headers=elsewhere).status_code == 404
    assert api.client.get(path, headers=api.as_(api.account("opleider"))).status_code == 403
    assert api.client.get(path, headers=api.as_(api.account("administrator"))).status_code == 403
    with unit_of_work() as db:
        reads = db.exec(
            select(AuditRecord).where(
                AuditRecord.object_type == "evidence", AuditRecord.action != "upload"
            )
        ).all()
        refusals = db.exec(
            select(AuditRecord).where(AuditRecord.reason == "other_organisation")
        ).all()
    assert [r.outcome for r in reads] == ["allowed", "allowed", "denied", "denied"]
    assert len(refusals) == 1


def _cookie(account_id: Any) -> dict[str, str]:
    """A browser session of the account (the web app's cookie)."""
    with unit_of_work() as db:
        user = db.get(User, account_id)
        assert user is not None
        tokens = _open_session(db, get_settings(), user, "127.0.0.1", "test")
    return {
        "Cookie": f"beeldkluis={tokens.refresh_token}",
        "Content-Type": "multipart/form-data; boundary=x",
    }


def test_the_web_form_decides_before_it_reads(api: Api, record: dict[str, Any]) -> None:
    path = f"/gezinnen/{record['family']['id']}/toestemming/{record['id']}/formulier"
    stranger = _cookie(api.account("trainer").id)  # a trainer, but not of this family
    assert post_raw(api, path, stranger, 400, 400 * CHUNK) == (403, 0)
    assert post_raw(api, path, _cookie(api.account("opleider").id), 400, 400 * CHUNK) == (403, 0)
    assert post_raw(api, path, _cookie(record["trainer"].id), 400, 400 * CHUNK) == (413, 0)
