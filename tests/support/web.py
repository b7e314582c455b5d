"""Signing in to the web app with a cookie, and a clip with real video for the web's pages."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import col, select

from tests.support.api import PASSWORD, Account, Api
from tests.support.browser import Browser
from tests.support.families import family_with_recording
from tests.support.media import make_video
from tests.support.tus import tus_upload, upload_id
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.domain.models import User
from vault.ingest.tasks import verify_upload


def _signed_in(api: Api, role: str) -> str:
    account = api.account(role)
    response = api.client.post(
        "/aanmelden",
        data={"email": account.email, "password": PASSWORD, "totp": api.code(account)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = api.client.get(response.headers["location"])
    match = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert match is not None
    return match.group(1)


def _clip_with_video(
    api: Api, trainer: Account, server: str, tmp_path: Path, title: str, seconds: int = 2
) -> dict[str, Any]:
    """A family of `trainer` with a real recording and a clip of all of it; no consent yet."""
    world = family_with_recording(api, trainer)
    video = make_video(tmp_path / f"{uuid.uuid4().hex}.mp4", seconds)
    url = tus_upload(server, world["headers"], video, world["trajectory"]["id"])
    assert verify_upload(upload_id(url)) == "stored"
    status = httpx.get(f"{server}/api/v1/uploads/{upload_id(url)}", headers=world["headers"]).json()
    clip = httpx.post(
        f"{server}/api/v1/recordings/{status['recording_id']}/clips",
        headers=world["headers"],
        json={"start_s": 0, "end_s": seconds, "title": title},
    )
    assert clip.status_code == 201, clip.text
    return {
        **world,
        "clip_id": clip.json()["id"],
        "recording_id": status["recording_id"],
        "server": server,
    }


def _cookie_sign_in(api: Api, account: Account, offset_steps: int = 0) -> str:
    """Sign in to the pages with the TestClient; returns the session's CSRF token."""
    api.client.cookies.clear()
    response = api.client.post(
        "/aanmelden",
        data={
            "email": account.email,
            "password": PASSWORD,
            "totp": api.code(account, offset_steps),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = api.client.get(response.headers["location"])
    match = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert match is not None
    return match.group(1)


def _name(account: Account) -> str:
    with unit_of_work() as db:
        user = db.get(User, account.id)
        assert user is not None
        return user.name


def _audit(user_id: uuid.UUID, **where: str) -> list[AuditRecord]:
    with unit_of_work() as db:
        query = select(AuditRecord).where(AuditRecord.user_id == user_id)
        for name, value in where.items():
            query = query.where(getattr(AuditRecord, name) == value)
        return list(db.exec(query.order_by(col(AuditRecord.seq))))


def _sign_out(browser: Browser) -> None:
    browser.page.get_by_role("button", name="Afmelden").click()
    browser.page.wait_for_url("**/aanmelden?afgemeld=1")
