"""The web app's side of the command line's sign-in: a signed-in browser session confirms a device code."""

from __future__ import annotations

import re
from typing import Any

from tests.support.api import PASSWORD, Account, Api


def web_sign_in(api: Api, account: Account, offset_steps: int = 0) -> str:
    """Sign in to the web app (the test client keeps the cookie); the CSRF token of the device page."""
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
    return csrf_of(api)


def csrf_of(api: Api) -> str:
    page = api.client.get("/apparaat")
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def confirm(api: Api, csrf: str, code: str, decision: str = "toestaan") -> Any:
    return api.client.post("/apparaat", data={"csrf": csrf, "code": code, "decision": decision})
