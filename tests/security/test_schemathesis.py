"""Schemathesis walks the whole OpenAPI document as each role (and as nobody), on PostgreSQL: no answer
may be a 5xx or break its documented response schema. Bounded and deterministic (a few examples per
operation and role, derandomised), so it stays within a few minutes."""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.support.api import Api
from tests.support.families import family_with_recording
from vault.accounts._service import _open_session
from vault.db import unit_of_work
from vault.domain.models import User
from vault.settings import get_settings

ROLES = ("trainer", "opleider", "privacy_officer", "administrator")
EXAMPLES = 5  # per operation and role (about a minute on PostgreSQL)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_no_operation_answers_5xx_or_breaks_its_schema(api: Api) -> None:
    accounts = {role: api.account(role) for role in ROLES}
    family_with_recording(api, accounts["trainer"])  # something to find, besides random ids

    def headers(role: str | None) -> dict[str, str]:
        """A fresh session, the account as it was (a generated PATCH may have disabled it or changed its role)."""
        if role is None:
            return {}
        with unit_of_work() as db:
            user = db.get(User, accounts[role].id)
            assert user is not None
            user.active, user.role, user.locked_until, user.failed_attempts = True, role, None, 0
            db.add(user)
            tokens = _open_session(db, get_settings(), user, "127.0.0.1", "schemathesis")
        return {"Authorization": f"Bearer {tokens.access_token}"}

    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    failures: list[str] = []
    started, cases = time.monotonic(), 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for role in (*ROLES, None):
            auth = headers(role)

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            def walk(case: schemathesis.Case) -> None:
                nonlocal cases
                cases += 1
                response = case.call(headers={**(case.headers or {}), **auth})  # noqa: B023 - run in this iteration
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )

            try:
                walk()
            except Exception as exc:  # noqa: BLE001 - every operation is walked; all failures reported at once
                failures.append(f"{role or 'anonymous'} {operation.label}: {exc}"[:3000])
    print(f"schemathesis: {cases} cases in {time.monotonic() - started:.0f} s")
    assert not failures, "\n\n".join(failures)
