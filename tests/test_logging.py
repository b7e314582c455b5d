"""No secret in a log line: the tokens in viewing, stream, download and enrolment links and the OIDC
callback's code never reach the access log."""

from __future__ import annotations

import logging

import pytest

from vault.app import create_app


@pytest.mark.parametrize(
    "path",
    [
        "/kijken/eyJhbGciOi.secret.part",
        "/api/v1/stream/eyJhbGciOi.secret.part/3.ts",
        "/ophalen/Zm9vYmFyc2VjcmV0?x=1",
        "/beheer/accounts/koppeling/Zm9vYmFyc2VjcmV0",
        "/aanmelden/oidc-terug?code=secret-code&state=Zm9vYmFyc2VjcmV0",
    ],
)
def test_the_access_log_redacts_link_tokens(
    path: str, caplog: pytest.LogCaptureFixture, settings_env: object
) -> None:
    create_app()
    logger = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        # The record exactly as uvicorn writes it: client, method, path, HTTP version, status.
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200)
    line = caplog.records[-1].getMessage()
    assert "secret" not in line
    assert "Zm9vYmFyc2VjcmV0" not in line
    assert "[token]" in line


def test_no_secret_in_the_repr_of_a_page_viewer_or_an_enrolment() -> None:
    import uuid

    from vault.audit import Principal
    from vault.web._page import Viewer
    from vault.web.admin.accounts import _Enrolment

    viewer = Viewer(Principal(uuid.uuid4(), "Trainer", "trainer"), uuid.uuid4(), "csrf-secret")
    enrolment = _Enrolment(
        uuid.uuid4(), 0.0, "u", "a@b.example", "A", "otpauth://totp/x?secret=TOTPSECRET"
    )
    assert "csrf-secret" not in repr(viewer)
    assert "TOTPSECRET" not in repr(enrolment)
