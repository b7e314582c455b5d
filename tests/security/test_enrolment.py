"""An administrator never learns another account's second factor: a single-use enrolment link that
expires, stored only as a hash; the person enrols their own authenticator app."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pyotp
from sqlmodel import select

from tests.support.api import PASSWORD, Api
from vault.accounts._security import hash_token
from vault.db import unit_of_work
from vault.domain.models import User

from .conftest import World, bearer, enrol


def _invite(api: Api, world: World, role: str = "trainer") -> tuple[str, str]:
    email = f"n-{uuid.uuid4().hex[:6]}@org.example"
    made = api.client.post(
        "/api/v1/users",
        headers=api.as_(world.a.admin),
        json={"email": email, "name": "Nieuw", "role": role},
    )
    assert made.status_code == 201, made.text
    return email, made.json()["enrolment_url"]


def test_the_link_is_single_use_hashed_and_the_admin_reads_no_secret(
    api: Api, world: World
) -> None:
    email, url = _invite(api, world)
    token = url.rsplit("/", 1)[1]
    with unit_of_work() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        assert user.enrolment_hash == hash_token(token)  # only the hash is kept
        assert token not in (user.enrolment_hash or "")
        assert user.totp_secret == ""
        assert user.password_hash == ""
    read = api.client.get(f"/api/v1/users/{user.id}", headers=api.as_(world.a.admin)).text
    assert "enrolment_hash" not in read
    assert "totp" not in read
    assert token not in read
    account = enrol(api, url, email, "trainer", world.a.id)
    assert api.client.get("/api/v1/auth/me", headers=bearer(api, account)).json()["user_id"] == str(
        account.id
    )
    again = api.client.get(url[url.index("/inschrijven/") :], headers={"accept": "text/html"})
    assert again.status_code == 410
    replay = api.client.post(
        url[url.index("/inschrijven/") :],
        data={
            "password": "een ander lang wachtwoord",
            "secret": "A" * 32,
            "totp": pyotp.TOTP("A" * 32).now(),
        },
    )
    assert replay.status_code == 410
    with unit_of_work() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        assert user.totp_secret == account.secret
        assert user.enrolment_hash is None


def test_the_link_expires_and_bad_input_names_the_field(api: Api, world: World) -> None:
    email, url = _invite(api, world)
    path = url[url.index("/inschrijven/") :]
    secret = pyotp.random_base32()
    short = api.client.post(
        path, data={"password": "kort", "secret": secret, "totp": pyotp.TOTP(secret).now()}
    )
    assert short.status_code == 422
    assert "minstens 12 tekens" in short.text
    wrong = api.client.post(path, data={"password": PASSWORD, "secret": secret, "totp": "000000"})
    assert wrong.status_code == 422
    assert "code uit de authenticator-app klopt niet" in wrong.text
    with unit_of_work() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        user.enrolment_expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.add(user)
    assert api.client.get(path, headers={"accept": "text/html"}).status_code == 410


def test_a_reset_issues_a_new_link_and_ends_the_old_factor(api: Api, world: World) -> None:
    h = api.as_(world.a.admin)
    trainer = world.a.trainer
    reset = api.client.post(f"/api/v1/users/{trainer.id}/enrolment", headers=h)
    assert reset.status_code == 201
    assert "otpauth" not in reset.text
    assert "/inschrijven/" in reset.json()["enrolment_url"]
    old = api.client.post(
        "/api/v1/auth/sign-in",
        json={"email": trainer.email, "password": PASSWORD, "totp": api.code(trainer, 1)},
    )
    assert old.status_code == 401
    again = enrol(api, reset.json()["enrolment_url"], trainer.email, "trainer", world.a.id)
    assert again.secret != trainer.secret
    own = api.client.post(f"/api/v1/users/{world.a.admin.id}/enrolment", headers=h)
    assert own.status_code == 409
