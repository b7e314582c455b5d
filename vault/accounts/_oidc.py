"""Sign-in with an organisation's identity provider: its ID token checked against its JWKS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from typing import Any

import httpx
from jose import JWTError, jwt
from sqlmodel import Session, select

from vault.domain.models import OidcProvider
from vault.errors import Unauthenticated

ALGORITHMS = ["RS256", "ES256"]
MFA_METHODS = {"mfa", "otp", "hwk", "swk", "sc", "fido"}


class OidcRefused(Unauthenticated):
    code = "oidc_refused"
    denial = False  # its callers log the refusal with the sign-in attempt

    def __init__(self, why: str) -> None:
        super().__init__(
            f"Aanmelden via uw organisatie is geweigerd: {why}.",
            f"Sign-in through your organisation was refused: {why}.",
        )


# Discovery documents and key sets are kept CACHE_S seconds; an unknown key id fetches the key set again
# (the provider rotated its keys), but at most once per REFRESH_S, so tokens with made-up key ids cannot
# make us hammer the provider.
CACHE_S = 600.0
REFRESH_S = 10.0
_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_refreshed: dict[str, float] = {}
_cache_lock = threading.Lock()


def _fetch(url: str, why: str, *, fresh: bool = False) -> dict[str, Any]:
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(url)
        if fresh and now - _refreshed.get(url, -REFRESH_S) >= REFRESH_S:
            _refreshed[url], hit = now, None
    if hit is not None and now - hit[0] < CACHE_S:
        return hit[1]
    try:
        response = httpx.get(url, timeout=5.0)
        response.raise_for_status()
        value = dict(response.json())
    except (httpx.HTTPError, ValueError, TypeError):
        raise OidcRefused(why) from None
    with _cache_lock:
        _cache[url] = (now, value)
    return value


def forget(url: str) -> None:
    with _cache_lock:
        _cache.pop(url, None)


def _jwks(provider: OidcProvider, *, fresh: bool = False) -> dict[str, Any]:
    if provider.jwks:  # configured by hand: no fetching
        return dict(json.loads(provider.jwks))
    return _fetch(
        provider.jwks_uri, "sleutels van de identiteitsprovider niet bereikbaar", fresh=fresh
    )


def _keys(provider: OidcProvider, kid: object) -> list[dict[str, Any]]:
    keys = [k for k in _jwks(provider).get("keys", []) if k.get("kid") == kid]
    if not keys and not provider.jwks:  # rotated since we fetched: fetch again
        keys = [k for k in _jwks(provider, fresh=True).get("keys", []) if k.get("kid") == kid]
    return keys


def verify_id_token(
    session: Session, token: str, nonce: str | None = None, expected: OidcProvider | None = None
) -> tuple[OidcProvider, dict[str, Any]]:
    """The provider and claims of a valid ID token from a known issuer, or OidcRefused. With `nonce`
    (the browser flow) the token must carry that nonce, so a token cannot be replayed into it; with
    `expected` (the provider the browser flow started with) it must come from that provider: a token
    of another configured provider is refused (the mix-up attack)."""
    try:
        unverified = jwt.get_unverified_claims(token)
        header = jwt.get_unverified_header(token)
    except JWTError:
        raise OidcRefused("ongeldig token") from None
    if expected is not None and unverified.get("iss") != expected.issuer:
        raise OidcRefused("het token komt van een andere identiteitsprovider")
    provider = session.exec(
        select(OidcProvider).where(OidcProvider.issuer == unverified.get("iss"))
    ).first()
    if provider is None:
        raise OidcRefused("onbekende uitgever")
    if header.get("alg") not in ALGORITHMS:
        raise OidcRefused("algoritme niet toegestaan")
    keys = _keys(provider, header.get("kid"))
    if not keys:
        raise OidcRefused("onbekende sleutel")
    try:
        claims = jwt.decode(
            token,
            keys[0],
            algorithms=ALGORITHMS,
            audience=provider.client_id,
            issuer=provider.issuer,
            options={
                "require_exp": True,
                "require_iat": True,
                "require_aud": True,
                "require_iss": True,
                "verify_at_hash": False,
            },
        )
    except JWTError:
        raise OidcRefused("token klopt niet of is verlopen") from None
    if nonce is not None and not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcRefused("token hoort niet bij deze aanmelding")
    if provider.require_mfa and not MFA_METHODS & set(claims.get("amr", [])):
        raise OidcRefused("tweestapsverificatie ontbreekt (NEN 7510)")
    return provider, dict(claims)


# The browser flow: authorization code with PKCE (RFC 7636) as a public client, no client secret.


def _configuration(provider: OidcProvider) -> dict[str, Any]:
    """The provider's discovery document (cached); its `issuer` must be exactly the configured one
    (OpenID Connect Discovery 1.0, section 4.3), or nothing in it is used."""
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    config = _fetch(url, "identiteitsprovider niet bereikbaar")
    if config.get("issuer") != provider.issuer:
        forget(url)
        raise OidcRefused("de identiteitsprovider noemt een andere uitgever")
    return config


def authorization_url(
    provider: OidcProvider, redirect_uri: str, *, state: str, nonce: str, verifier: str
) -> str:
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    return str(httpx.URL(_configuration(provider)["authorization_endpoint"], params=query))


def exchange_code(provider: OidcProvider, code: str, redirect_uri: str, verifier: str) -> str:
    """The ID token for an authorization code (the provider checks the PKCE verifier)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": provider.client_id,
        "code_verifier": verifier,
    }
    try:
        response = httpx.post(_configuration(provider)["token_endpoint"], data=form, timeout=10.0)
        response.raise_for_status()
        return str(response.json()["id_token"])
    except (httpx.HTTPError, ValueError, KeyError):
        raise OidcRefused("de code is niet ingewisseld") from None
