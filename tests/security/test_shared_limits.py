"""Limits that hold behind a balancer: the failed sign-ins of one address are counted in the database,
so two API processes answered in turn give an attacker no more tries than one (issue #20: every
pending state lives in the database, never in one process)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from tests.support.api import Api, start_api
from vault.settings import get_settings

LIMIT = 4


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> str:
    """Overrides the shared fixture: PostgreSQL, as production runs it."""
    return str(request.getfixturevalue("fresh_postgres"))


@pytest.fixture
def two_apis(api: Api) -> Iterator[list[str]]:
    env = {
        **os.environ,
        "BEELDKLUIS_DATABASE_URL": get_settings().effective_database_url,
        "BEELDKLUIS_SIGN_IN_RATE_PER_IP": str(LIMIT),
    }
    started: list[subprocess.Popen[bytes]] = []
    bases = []
    try:
        for _ in range(2):
            proc, base = start_api(env)
            started.append(proc)
            bases.append(base)
        yield bases
    finally:
        for proc in started:
            proc.kill()
            proc.wait()


def test_failed_sign_ins_are_counted_across_api_processes(two_apis: list[str]) -> None:
    wrong = {"email": "niemand@example.org", "password": "geen wachtwoord", "totp": "000000"}
    answers = [
        httpx.post(f"{two_apis[n % 2]}/api/v1/auth/sign-in", json=wrong).status_code
        for n in range(LIMIT + 2)
    ]
    assert answers[:LIMIT] == [401] * LIMIT
    assert answers[LIMIT:] == [429, 429], answers  # on either process: the count is shared
