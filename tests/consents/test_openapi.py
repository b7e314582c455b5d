"""The consent domain's routes publish what they answer: an operation id, the schema of their success,
and the problem+json answers they can give (401/403/404/422)."""

from __future__ import annotations

from typing import Any

import pytest

from vault.app import create_app

ROUTES = {
    ("post", "/api/v1/families/{family_id}/consents"): "create_consent",
    ("get", "/api/v1/families/{family_id}/consents"): "list_consents",
    ("post", "/api/v1/consents/{record_id}/events"): "add_consent_event",
    ("post", "/api/v1/consents/{record_id}/evidence"): "upload_consent_evidence",
    ("get", "/api/v1/consents/{record_id}/evidence"): "read_consent_evidence",
    ("post", "/api/v1/wok-sessions"): "create_wok_session",
    ("post", "/api/v1/wok-sessions/{session_id}/clips/{clip_id}"): "share_clip_to_wok",
}


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
    if operation_id != "read_consent_evidence":  # the signed form itself: PDF, JPEG or PNG
        assert "$ref" in success["content"]["application/json"]["schema"]
    for status in ("401", "403", "404" if "{" in path else "401", "422"):
        problem = operation["responses"][status]["content"]["application/problem+json"]["schema"]
        assert {"type", "title", "status", "code", "detail", "detail_en"} <= set(
            problem["properties"]
        )


def test_a_wok_session_publishes_only_its_allowlist(document: dict[str, Any]) -> None:
    schema = document["components"]["schemas"]["WokSessionPublic"]
    assert set(schema["properties"]) == {
        "id",
        "title",
        "starts_at",
        "ends_at",
        "organiser_id",
        "participant_ids",
        "clip_ids",
    }
