"""Signing in to the web app: each role lands on its own start page; the session lives in an opaque,
HttpOnly, SameSite=Strict cookie; forms and cookie-borne API calls need the session's CSRF token."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from tests.support.api import PASSWORD, Api
from tests.support.browser import Browser
from tests.support.web import _signed_in
from vault.audit import AuditRecord
from vault.db import unit_of_work
from vault.domain.models import AuthSession

STARTS = {
    "trainer": ("/trajecten", "Mijn trajecten"),
    "opleider": ("/begeleiding", "Begeleiding"),
    "gecommitteerde": ("/begeleiding", "Begeleiding"),
    "privacy_officer": ("/privacy", "Logboek"),
    "administrator": ("/beheer", "Beheer"),
}


def test_each_role_lands_on_its_start_page_in_chromium(api: Api, browser: Browser) -> None:
    for role, (path, heading) in STARTS.items():
        account = api.account(role)
        page = browser.sign_in(api, account)
        assert page.url == browser.server + path, role
        assert page.get_by_role("heading", level=1).first.inner_text() == heading
        assert browser.barriers() == [], role
        cookies = {c["name"]: c for c in browser.context.cookies()}
        session = cookies["beeldkluis"]
        assert session["httpOnly"]
        assert session["sameSite"] == "Strict"
        assert session["value"].count(".") != 2  # opaque, never a JWT
        page.get_by_role("button", name="Afmelden").click()
        page.wait_for_url(re.compile(r".*/aanmelden\?afgemeld=1$"))
        assert "U bent afgemeld." in page.content()
        browser.go(path)  # the session is gone at once
        assert page.url.startswith(browser.server + "/aanmelden")


def test_wrong_code_is_refused_in_dutch_and_english(api: Api, browser: Browser) -> None:
    account = api.account("trainer")
    page = browser.go("/aanmelden")
    page.get_by_label("E-mailadres").fill(account.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit de authenticator-app").fill("000000")
    page.get_by_role("button", name="Aanmelden").click()
    assert page.get_by_role("alert").inner_text() == "E-mailadres, wachtwoord of code klopt niet."
    assert page.get_by_label("E-mailadres").input_value() == account.email  # nothing to type again
    assert browser.barriers() == []
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert page.locator("html").get_attribute("lang") == "en"


def test_a_page_sends_the_signed_out_back_after_sign_in(api: Api, browser: Browser) -> None:
    account = api.account("privacy_officer")
    page = browser.go("/privacy")
    assert page.url == browser.server + "/aanmelden?next=/privacy"
    page.get_by_label("E-mailadres").fill(account.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit de authenticator-app").fill(api.code(account))
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(browser.server + "/privacy")


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(api: Api, target: str) -> None:
    account = api.account("trainer")
    response = api.client.post(
        "/aanmelden",
        data={
            "email": account.email,
            "password": PASSWORD,
            "totp": api.code(account),
            "next": target,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/trajecten"


def test_pages_carry_a_strict_policy(api: Api) -> None:
    _signed_in(api, "trainer")
    page = api.client.get("/trajecten")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-store"


def test_forms_and_cookie_api_calls_need_the_csrf_token(api: Api) -> None:
    csrf = _signed_in(api, "trainer")
    # A form without the session's token changes nothing.
    refused = api.client.post("/afmelden", data={"csrf": "0" * 64}, headers={"accept": "text/html"})
    assert refused.status_code == 403
    assert "Dit formulier is verlopen" in refused.text
    assert (
        api.client.get("/trajecten", follow_redirects=False).status_code == 200
    )  # still signed in
    # The API accepts the cookie for reading; for changing it also wants the token in a header.
    assert api.client.get("/api/v1/auth/me").json()["role"] == "trainer"
    assert api.client.post("/api/v1/families").status_code == 401
    created = api.client.post("/api/v1/families", headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    # Signing out ends the session for pages and API alike.
    assert (
        api.client.post("/afmelden", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    )
    assert api.client.get("/api/v1/auth/me").status_code == 401
    assert (
        api.client.get("/trajecten", follow_redirects=False).headers["location"]
        == "/aanmelden?next=/trajecten"
    )


def test_a_role_cannot_open_another_roles_pages(api: Api) -> None:
    _signed_in(api, "trainer")
    refused = api.client.get("/privacy", headers={"accept": "text/html"})
    assert refused.status_code == 403
    assert "Deze pagina hoort niet bij uw rol." in refused.text
    missing = api.client.get("/bestaat-niet", headers={"accept": "text/html"})
    assert missing.status_code == 404
    assert "Niet gevonden" in missing.text
    assert api.client.get("/api/v1/bestaat-niet").json() == {"detail": "Not Found"}


def test_a_browser_session_left_unused_ends(api: Api) -> None:
    _signed_in(api, "trainer")
    with unit_of_work() as db:
        auth = db.exec(select(AuthSession)).one()
        assert auth.last_seen_at is None  # fresh: counted from the sign-in
        auth.last_seen_at = datetime.now(UTC) - timedelta(minutes=29)
        db.add(auth)
    assert api.client.get("/trajecten", follow_redirects=False).status_code == 200
    with unit_of_work() as db:  # used: the clock moved on
        seen = db.exec(select(AuthSession)).one().last_seen_at
        assert seen is not None
        assert datetime.now(UTC) - seen.replace(tzinfo=UTC) < timedelta(minutes=1)
        auth = db.exec(select(AuthSession)).one()
        auth.last_seen_at = datetime.now(UTC) - timedelta(minutes=31)
        db.add(auth)
    assert (
        api.client.get("/trajecten", follow_redirects=False).headers["location"]
        == "/aanmelden?next=/trajecten"
    )
    assert api.client.get("/api/v1/auth/me").status_code == 401
    with unit_of_work() as db:
        assert db.exec(select(AuthSession)).one().revoked_at is not None
        ended = db.exec(select(AuditRecord).where(AuditRecord.action == "sign_out")).all()
        assert [r.reason for r in ended] == ["idle"]


def test_the_accessibility_check_sees_a_missing_label(api: Api, browser: Browser) -> None:
    """Guards the guard: axe must really run, or every `barriers() == []` above would be empty praise."""
    browser.go("/aanmelden")
    browser.page.evaluate("document.querySelector('label[for=totp]').remove()")
    assert any(found.startswith("label: #totp") for found in browser.barriers())


def test_the_language_check_sees_english_in_a_dutch_page(api: Api, browser: Browser) -> None:
    """Guards the guard: English words left in a Dutch page fail `barriers()`; English marked as
    such (lang="en") and code do not."""
    browser.go("/aanmelden")
    assert browser.barriers() == []
    browser.page.evaluate(
        "document.querySelector('h1').insertAdjacentHTML('afterend', "
        "'<p lang=\"en\">Sign in with the code</p><code>the</code><p>Download the clip</p>')"
    )
    found = [f for f in browser.barriers() if f.startswith("English in a Dutch page")]
    assert sorted(f.rsplit(": ", 1)[1] for f in found) == ["clip", "the"]
