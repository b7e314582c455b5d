"""Signing in through the organisation's identity provider in the browser: authorization code with
PKCE and a nonce, against a small provider of our own on loopback (a real IdP cannot run here)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt
from sqlmodel import select

from tests.support.api import Api
from tests.support.browser import Browser
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.domain.models import OidcProvider


class Provider(BaseHTTPRequestHandler):
    """Discovery, an authorize endpoint that signs the person in at once, a PKCE-checking token endpoint."""

    issuer = ""
    email = ""
    amr = ["pwd", "mfa"]
    pem = b""
    jwks = b""
    codes: dict[str, dict[str, str]] = {}  # noqa: RUF012 - one provider per test

    def log_message(self, *args: object) -> None:
        pass

    def _json(self, body: dict[str, Any], status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        if url.path == "/.well-known/openid-configuration":
            return self._json(
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": self.issuer + "/authorize",
                    "token_endpoint": self.issuer + "/token",
                    "jwks_uri": self.issuer + "/jwks",
                }
            )
        if url.path == "/jwks":
            return self._json(json.loads(self.jwks))
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        code = secrets.token_urlsafe(16)
        Provider.codes[code] = query
        self.send_response(302)
        self.send_header(
            "Location",
            query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]}),
        )
        self.end_headers()
        return None

    def do_POST(self) -> None:  # noqa: N802
        form = {
            k: v[0]
            for k, v in parse_qs(
                self.rfile.read(int(self.headers["Content-Length"])).decode()
            ).items()
        }
        asked = Provider.codes.pop(form.get("code", ""), None)
        challenge = (
            base64.urlsafe_b64encode(
                hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            )
            .rstrip(b"=")
            .decode()
        )
        if (
            asked is None
            or asked["code_challenge"] != challenge
            or asked["redirect_uri"] != form.get("redirect_uri")
        ):
            return self._json({"error": "invalid_grant"}, 400)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": asked["client_id"],
            "sub": "42",
            "email": self.email,
            "iat": now,
            "exp": now + 300,
            "nonce": asked["nonce"],
            "amr": self.amr,
        }
        return self._json(
            {
                "id_token": jwt.encode(
                    claims, self.pem.decode(), algorithm="RS256", headers={"kid": "k1"}
                )
            }
        )


@pytest.fixture
def provider(api: Api) -> Iterator[type[Provider]]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    Provider.pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    Provider.jwks = json.dumps(
        {"keys": [{**jwk.construct(public.decode(), "RS256").to_dict(), "kid": "k1"}]}
    ).encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    Provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    Provider.amr = ["pwd", "mfa"]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with unit_of_work() as db:
        db.add(
            OidcProvider(
                organisation_id=api.organisation_id,
                issuer=Provider.issuer,
                client_id="beeldkluis",
                jwks_uri=Provider.issuer + "/jwks",
            )
        )
    yield Provider
    server.shutdown()
    server.server_close()


def test_a_trainer_signs_in_through_the_organisation(
    api: Api, browser: Browser, provider: type[Provider]
) -> None:
    trainer = api.account("trainer")
    provider.email = trainer.email
    page = browser.go("/aanmelden")
    page.get_by_role("link", name="Aanmelden via GGD Testregio").click()
    page.wait_for_url(browser.server + "/trajecten")
    assert page.get_by_role("heading", level=1).inner_text() == "Mijn trajecten"
    assert "beeldkluis_oidc" not in {c["name"] for c in browser.context.cookies()}
    _only_the_provider(browser, provider)


def _only_the_provider(browser: Browser, provider: type[Provider]) -> None:
    """The browser went to the provider and nowhere else."""
    assert browser.elsewhere
    assert all(url.startswith(provider.issuer + "/authorize?") for url in browser.elsewhere)
    browser.elsewhere.clear()


def test_the_provider_must_vouch_for_a_second_factor(
    api: Api, browser: Browser, provider: type[Provider]
) -> None:
    provider.email = api.account("trainer").email
    provider.amr = ["pwd"]
    page = browser.go("/aanmelden")
    page.get_by_role("link", name="Aanmelden via GGD Testregio").click()
    page.wait_for_load_state()
    assert "tweestapsverificatie ontbreekt" in page.get_by_role("alert").inner_text()
    _only_the_provider(browser, provider)
    with unit_of_work() as db:  # logged once, with the reason
        failed = db.exec(select(AuditRecord).where(AuditRecord.action == "sign_in_failed")).all()
    assert [r.reason for r in failed] == ["oidc_refused"]
    browser.go("/trajecten")
    assert page.url.startswith(browser.server + "/aanmelden")


def test_a_callback_not_started_here_is_refused(api: Api, provider: type[Provider]) -> None:
    provider.email = api.account("trainer").email
    start = api.client.get("/aanmelden/oidc/" + _provider_id(), follow_redirects=False)
    authorize = urlparse(start.headers["location"])
    asked = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert asked["code_challenge_method"] == "S256"
    assert len(asked["nonce"]) >= 32
    # Another browser (no flow cookie) cannot use the code and state.
    api.client.cookies.clear()
    forged = api.client.get("/aanmelden/oidc-terug", params={"code": "x", "state": asked["state"]})
    assert forged.status_code == 401
    assert "niet hier begonnen" in forged.text


def _provider_id() -> str:
    with unit_of_work() as db:
        return str(db.exec(select(OidcProvider)).one().id)
