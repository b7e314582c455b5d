"""The administrator's routes publish what they answer, and an account leaves by an allowlist: a secret
column of `user_account` is never part of the published schema."""

from __future__ import annotations

from typing import Any

import pytest

from vault.app import create_app
from vault.domain.models import User

ROUTES = {
    ("get", "/api/v1/organisations"): "list_organisations",
    ("get", "/api/v1/users"): "list_users",
    ("post", "/api/v1/users"): "create_user",
    ("get", "/api/v1/users/{user_id}"): "get_user",
    ("patch", "/api/v1/users/{user_id}"): "update_user",
    ("post", "/api/v1/users/{user_id}/enrolment"): "reset_user_enrolment",
    ("get", "/api/v1/supervision-links"): "list_supervision_links",
    ("post", "/api/v1/supervision-links"): "propose_supervision_link",
    ("post", "/api/v1/supervision-links/{link_id}/confirm"): "confirm_supervision_link",
    ("get", "/api/v1/grants"): "list_grants",
    ("post", "/api/v1/grants"): "propose_grant",
    ("post", "/api/v1/grants/{grant_id}/confirm"): "confirm_grant",
}
SECRETS = {"password_hash", "totp_secret", "totp_last_step", "failed_attempts", "enrolment_hash"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app().openapi()


@pytest.mark.parametrize(
    ("route", "operation_id"), ROUTES.items(), ids=[o for o in ROUTES.values()]
)
def test_each_route_names_its_answers(
    document: dict[str, Any], route: tuple[str, str], operation_id: str
) -> None:
    method, path = route
    operation = document["paths"][path][method]
    assert operation["operationId"] == operation_id
    success = next(v for k, v in operation["responses"].items() if k.startswith("2"))
    assert "$ref" in success["content"]["application/json"]["schema"]
    for status in ("401", "403", "404" if "{" in path else "401"):
        problem = operation["responses"][status]["content"]["application/problem+json"]["schema"]
        assert {"type", "title", "status", "code", "detail", "detail_en"} <= set(
            problem["properties"]
        )


@pytest.mark.parametrize("name", ["UserPublic", "UserEnrolment"])
def test_an_account_never_publishes_a_secret(document: dict[str, Any], name: str) -> None:
    published = set(document["components"]["schemas"][name]["properties"])
    assert set(User.model_fields) >= SECRETS  # the columns exist…
    assert not published & SECRETS  # …and none of them is published
    assert published <= set(User.model_fields) | {"enrolment_url", "enrolment_valid_hours", "note"}
