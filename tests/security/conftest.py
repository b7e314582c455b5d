"""The attacks of issue #18 against a real API (SQLite and PostgreSQL), with two organisations."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from sqlmodel import select

from tests.support.api import PASSWORD, Account, Api
from tests.support.families import consent_body, family_with_recording
from vault.db import unit_of_work
from vault.domain.models import User
from vault.recordings.models import Recording


@dataclass
class Org:
    id: uuid.UUID
    admin: Account
    trainer: Account
    opleider: Account
    gecommitteerde: Account
    officer: Account


@dataclass
class World:
    a: Org
    b: Org
    footage: dict[str, Any]  # organisation A's family: a clip with supervision and WOK consent

    @property
    def clip_stream(self) -> str:
        return f"/api/v1/clips/{self.footage['clip']['id']}/stream"


def _org(api: Api, org_id: uuid.UUID) -> Org:
    return Org(
        org_id,
        *(
            api.account(r, org_id)
            for r in ("administrator", "trainer", "opleider", "gecommitteerde", "privacy_officer")
        ),
    )


@pytest.fixture
def world(api: Api) -> World:
    a, b = _org(api, api.organisation_id), _org(api, api.organisation("GGD Andere Regio"))
    footage = family_with_recording(api, a.trainer)
    for purpose in ("supervision", "wok"):
        given = api.client.post(
            f"/api/v1/families/{footage['family']['id']}/consents",
            headers=footage["headers"],
            json=consent_body(footage, purpose),
        )
        assert given.status_code == 201, given.text
    with unit_of_work() as db:  # the recording's footage (its bytes do not matter to the decision)
        recording = db.get(Recording, uuid.UUID(footage["recording"]["id"]))
        assert recording is not None
        recording.original_object_id = uuid.uuid4()
        db.add(recording)
    return World(a, b, footage)


def enrol(api: Api, url: str, email: str, role: str, org: uuid.UUID) -> Account:
    """Follow an enrolment link as its holder would: read the secret off the page, choose a password."""
    path = url[url.index("/inschrijven/") :]
    page = api.client.get(path, headers={"accept": "text/html"})
    assert page.status_code == 200, page.text
    match = re.search(r'name="secret" value="([A-Z2-7]{32})"', page.text)
    assert match
    secret = match.group(1)
    done = api.client.post(
        path,
        data={"password": PASSWORD, "secret": secret, "totp": pyotp.TOTP(secret).now()},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with unit_of_work() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        return Account(user.id, email, secret, role, org)


def bearer(api: Api, account: Account) -> dict[str, str]:
    """Sign in with the next time step's code (the enrolment used the current one; codes work once)."""
    return {"Authorization": f"Bearer {api.sign_in(account, offset_steps=1)['access_token']}"}
