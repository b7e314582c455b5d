"""OpenID Connect as the spec says: the discovery document names the configured issuer, discovery and
keys are cached for a bounded time and fetched again for an unknown key id, a token of another
configured provider is refused in a flow started with the first (mix-up); python-jose without the 2024
advisories."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt

from tests.support.api import Api
from vault.accounts import _oidc
from vault.accounts._oidc import OidcRefused, verify_id_token
from vault.db import unit_of_work
from vault.domain.models import OidcProvider


def test_python_jose_is_past_the_2024_advisories() -> None:
    """CVE-2024-33663 (algorithm confusion) and CVE-2024-33664 (JWE bomb) are fixed in 3.4.0."""
    assert tuple(int(p) for p in version("python-jose").split(".")[:2]) >= (3, 4)


class Idp:
    """A provider on loopback: discovery (issuer as told), a key set whose keys can rotate, and a count
    of what was fetched."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.fetched = {"discovery": 0, "jwks": 0}
        self.claimed_issuer: str | None = None
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                if self.path.endswith("/.well-known/openid-configuration"):
                    idp.fetched["discovery"] += 1
                    body = {
                        "issuer": idp.claimed_issuer or idp.issuer,
                        "authorization_endpoint": idp.issuer + "/authorize",
                        "token_endpoint": idp.issuer + "/token",
                        "jwks_uri": idp.issuer + "/jwks",
                    }
                else:
                    idp.fetched["jwks"] += 1
                    body = {
                        "keys": [
                            {**jwk.construct(pub, "RS256").to_dict(), "kid": kid}
                            for kid, (_, pub) in idp.keys.items()
                        ]
                    }
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.rotate("k1")

    def rotate(self, kid: str) -> None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        pub = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.keys = {kid: (pem.decode(), pub.decode())}

    def token(self, named: str | None = None) -> str:
        """Signed with the current key; `named`: the key id the header claims (default: the real one)."""
        kid = next(iter(self.keys))
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": "beeldkluis",
            "sub": "42",
            "email": "t@org.example",
            "iat": now,
            "exp": now + 300,
            "amr": ["mfa"],
        }
        return jwt.encode(
            claims, self.keys[kid][0], algorithm="RS256", headers={"kid": named or kid}
        )

    def row(self, organisation_id: uuid.UUID) -> OidcProvider:
        with unit_of_work() as db:
            row = OidcProvider(
                organisation_id=organisation_id,
                issuer=self.issuer,
                client_id="beeldkluis",
                jwks_uri=self.issuer + "/jwks",
            )
            db.add(row)
            db.flush()
            return row


@pytest.fixture
def idps(api: Api) -> Iterator[list[Idp]]:
    made = [Idp(), Idp()]
    yield made
    for idp in made:
        idp.server.shutdown()
        idp.server.server_close()


def test_the_discovery_document_must_name_the_configured_issuer(api: Api, idps: list[Idp]) -> None:
    idp = idps[0]
    row = idp.row(api.organisation_id)
    idp.claimed_issuer = "https://elders.example"
    with pytest.raises(OidcRefused):
        _oidc.authorization_url(row, "http://x/terug", state="s", nonce="n", verifier="v" * 43)
    idp.claimed_issuer = None  # a refused document is not kept
    assert _oidc.authorization_url(
        row, "http://x/terug", state="s", nonce="n", verifier="v" * 43
    ).startswith(idp.issuer)
    page = api.client.get(f"/aanmelden/oidc/{row.id}", follow_redirects=False)
    assert page.status_code == 303
    idp.claimed_issuer = "https://elders.example"
    _oidc.forget(idp.issuer + "/.well-known/openid-configuration")
    refused = api.client.get(
        f"/aanmelden/oidc/{row.id}", headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert refused.status_code == 401


def test_keys_are_cached_for_a_bounded_time_and_fetched_again_for_an_unknown_kid(
    api: Api, idps: list[Idp], monkeypatch: pytest.MonkeyPatch
) -> None:
    idp = idps[0]
    idp.row(api.organisation_id)
    with unit_of_work() as db:
        for _ in range(3):
            verify_id_token(db, idp.token())
    assert idp.fetched["jwks"] == 1  # cached
    idp.rotate("k2")
    with unit_of_work() as db:
        verify_id_token(db, idp.token())  # an unknown kid: the rotated key set is fetched
    assert idp.fetched["jwks"] == 2
    with unit_of_work() as db:
        for _ in range(5):  # made-up key ids do not make us hammer the provider
            with pytest.raises(OidcRefused):
                verify_id_token(db, idp.token(named="nope"))
    assert idp.fetched["jwks"] <= 3
    monkeypatch.setattr(_oidc, "CACHE_S", 0.0)  # past the lifetime: fetched again
    with unit_of_work() as db:
        verify_id_token(db, idp.token())
    assert idp.fetched["jwks"] >= 3


def test_a_token_of_another_configured_provider_is_refused(api: Api, idps: list[Idp]) -> None:
    a, b = idps
    row_a = a.row(api.organisation_id)
    b.row(api.organisation("Elders"))
    with unit_of_work() as db:
        expected = db.get(OidcProvider, row_a.id)
        verify_id_token(db, a.token(), expected=expected)
        with pytest.raises(OidcRefused, match="andere identiteitsprovider"):
            verify_id_token(db, b.token(), expected=expected)
