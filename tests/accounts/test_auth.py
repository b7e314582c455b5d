"""Sign-in with password and TOTP, and every way a token can be wrong."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt
from sqlmodel import select

from tests.support.api import PASSWORD, Api
from vault.audit import AuditRecord
from vault.bootstrap import token_secret
from vault.db import unit_of_work
from vault.domain.models import OidcProvider
from vault.settings import get_settings


def test_sign_in_needs_password_and_totp(api: Api) -> None:
    trainer = api.account("trainer")
    tokens = api.sign_in(trainer)
    me = api.client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["role"] == "trainer"
    for body in (
        {"email": trainer.email, "password": PASSWORD, "totp": "000000"},
        {"email": trainer.email, "password": "verkeerd wachtwoord!", "totp": api.code(trainer)},
        {"email": "niemand@org.example", "password": PASSWORD, "totp": "123456"},
        {"email": trainer.email, "password": PASSWORD, "totp": ""},
    ):
        response = api.client.post("/api/v1/auth/sign-in", json=body)
        assert response.status_code == 401
        assert response.json()["code"] == "sign_in_failed"
        assert response.headers["content-type"] == "application/problem+json"
    with unit_of_work() as db:
        outcomes = [
            r.action
            for r in db.exec(
                select(AuditRecord).where(AuditRecord.action.in_(["sign_in", "sign_in_failed"]))
            )
        ]  # type: ignore[attr-defined]
    assert outcomes.count("sign_in") == 1
    assert outcomes.count("sign_in_failed") == 4


def test_a_totp_code_works_once(api: Api) -> None:
    trainer = api.account("trainer")
    code = api.code(trainer)
    first = api.client.post(
        "/api/v1/auth/sign-in", json={"email": trainer.email, "password": PASSWORD, "totp": code}
    )
    replay = api.client.post(
        "/api/v1/auth/sign-in", json={"email": trainer.email, "password": PASSWORD, "totp": code}
    )
    assert first.status_code == 200
    assert replay.status_code == 401


def test_lock_out_after_repeated_failures(api: Api) -> None:
    trainer = api.account("trainer")
    for _ in range(5):
        api.client.post(
            "/api/v1/auth/sign-in",
            json={"email": trainer.email, "password": "fout fout fout!", "totp": "000000"},
        )
    locked = api.client.post(
        "/api/v1/auth/sign-in",
        json={"email": trainer.email, "password": PASSWORD, "totp": api.code(trainer)},
    )
    assert locked.status_code == 423
    assert locked.json()["code"] == "account_locked"
    assert "geblokkeerd" in locked.json()["detail"]


def test_rate_limit_per_address(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEELDKLUIS_SIGN_IN_RATE_PER_IP", "3")
    get_settings.cache_clear()
    for _ in range(3):
        api.client.post(
            "/api/v1/auth/sign-in",
            json={"email": f"{uuid.uuid4()}@x.example", "password": "x" * 12, "totp": "000000"},
        )
    response = api.client.post(
        "/api/v1/auth/sign-in",
        json={"email": "a@x.example", "password": "x" * 12, "totp": "000000"},
    )
    assert response.status_code == 429


def _claims(account, **extra):  # type: ignore[no-untyped-def]
    settings = get_settings()
    now = int(time.time())
    return {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": str(account.id),
        "sid": str(uuid.uuid4()),
        "role": account.role,
        "iat": now,
        "exp": now + 600,
        "typ": "access",
        **extra,
    }


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_bad_tokens_are_refused(api: Api) -> None:
    trainer = api.account("trainer")
    good = api.sign_in(trainer)["access_token"]
    secret = token_secret(get_settings())
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    expired = jwt.encode(
        {**claims, "exp": int(time.time()) - 5, "iat": int(time.time()) - 700},
        secret,
        algorithm="HS256",
    )
    tampered = f"{header}.{_b64({**claims, 'role': 'administrator'})}.{signature}"
    none_alg = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    wrong_aud = jwt.encode({**claims, "aud": "someone-else"}, secret, algorithm="HS256")
    wrong_iss = jwt.encode({**claims, "iss": "evil"}, secret, algorithm="HS256")
    hs512 = jwt.encode(claims, secret, algorithm="HS512")
    unknown_session = jwt.encode({**claims, "sid": str(uuid.uuid4())}, secret, algorithm="HS256")
    # HS/RS confusion: an RS256 token whose "public key" is used as the HMAC secret.
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    rs = jwt.encode(
        claims,
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        algorithm="RS256",
    )
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(claims)}".encode()
    mac = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    confused = signing_input.decode() + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    for token in (
        expired,
        tampered,
        none_alg,
        wrong_aud,
        wrong_iss,
        hs512,
        unknown_session,
        rs,
        confused,
        "not-a-token",
    ):
        response = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert response.json()["code"] == "invalid_token"
    assert api.client.get("/api/v1/auth/me").status_code == 401


def test_sign_out_revokes_and_refresh_rotates(api: Api) -> None:
    trainer = api.account("trainer")
    tokens = api.sign_in(trainer)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    refreshed = api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200
    # the old refresh token used again: theft; the session ends
    stolen = api.client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert stolen.status_code == 401
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401
    second = api.sign_in(trainer, offset_steps=1)
    headers = {"Authorization": f"Bearer {second['access_token']}"}
    assert api.client.post("/api/v1/auth/sign-out", headers=headers).status_code == 204
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401


class _Jwks(BaseHTTPRequestHandler):
    document = b"{}"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.document)


@pytest.fixture
def idp() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = jwk.construct(pem.decode(), "RS256").to_dict()
    _Jwks.document = json.dumps({"keys": [{**key, "kid": "k1", "use": "sig"}]}).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks", private
    server.shutdown()
    server.server_close()


def test_oidc_sign_in_with_the_organisations_jwks(
    api: Api, idp: tuple[str, rsa.RSAPrivateKey]
) -> None:
    uri, private = idp
    trainer = api.account("trainer")
    with unit_of_work() as db:
        db.add(
            OidcProvider(
                organisation_id=api.organisation_id,
                issuer="https://login.ggd.example",
                client_id="beeldkluis",
                jwks_uri=uri,
            )
        )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    now = int(time.time())
    claims = {
        "iss": "https://login.ggd.example",
        "aud": "beeldkluis",
        "sub": "x",
        "email": trainer.email,
        "iat": now,
        "exp": now + 300,
        "amr": ["pwd", "mfa"],
    }
    token = jwt.encode(claims, pem, algorithm="RS256", headers={"kid": "k1"})
    assert api.client.post("/api/v1/auth/oidc", json={"id_token": token}).status_code == 200
    for bad in (
        jwt.encode(
            {**claims, "iss": "https://evil.example"}, pem, algorithm="RS256", headers={"kid": "k1"}
        ),
        jwt.encode({**claims, "aud": "other-app"}, pem, algorithm="RS256", headers={"kid": "k1"}),
        jwt.encode({**claims, "amr": ["pwd"]}, pem, algorithm="RS256", headers={"kid": "k1"}),
        jwt.encode({**claims, "exp": now - 10}, pem, algorithm="RS256", headers={"kid": "k1"}),
        jwt.encode(claims, "shared-secret-guess", algorithm="HS256", headers={"kid": "k1"}),
    ):
        response = api.client.post("/api/v1/auth/oidc", json={"id_token": bad})
        assert response.status_code == 401
        assert response.json()["code"] == "oidc_refused"
