"""The families' and recordings' routes describe what they answer: an operation id, the response's own
schema (an allowlist of fields, no free-form object), and each problem+json refusal they can give."""

from __future__ import annotations

from typing import Any

import pytest

from vault.app import create_app

ROUTES = [
    ("post", "/api/v1/families"), ("get", "/api/v1/families"), ("get", "/api/v1/families/{family_id}"),
    ("get", "/api/v1/families/{family_id}/people"), ("post", "/api/v1/families/{family_id}/people"),
    ("get", "/api/v1/families/{family_id}/authorities"), ("post", "/api/v1/families/{family_id}/authorities"),
    ("post", "/api/v1/families/{family_id}/trajectories"), ("get", "/api/v1/trajectories"),
    ("get", "/api/v1/trajectories/{trajectory_id}"), ("patch", "/api/v1/trajectories/{trajectory_id}"),
    ("get", "/api/v1/trajectories/{trajectory_id}/recordings"),
    ("post", "/api/v1/trajectories/{trajectory_id}/recordings"), ("get", "/api/v1/recordings/{recording_id}"),
    ("post", "/api/v1/recordings/{recording_id}/removal"), ("get", "/api/v1/recordings/{recording_id}/clips"),
    ("post", "/api/v1/recordings/{recording_id}/clips"), ("get", "/api/v1/clips/{clip_id}"),
]  # fmt: skip


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app().openapi()


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_route_names_its_operation_its_answer_and_its_refusals(document: dict[str, Any], method: str,
                                                                   path: str) -> None:  # fmt: skip
    operation = document["paths"][path][method]
    assert operation.get("operationId"), f"{method} {path} has no operation id"
    assert (
        "__" not in operation["operationId"]
    )  # set by hand, not generated from the function and path
    ok = next(v for k, v in operation["responses"].items() if k.startswith("2"))
    schema = _resolve(document, ok["content"]["application/json"]["schema"])
    assert schema.get("properties"), f"{method} {path} answers a free-form object"
    takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
    for status in ("401", "403", "422") if takes_input else ("401", "403"):
        problem = operation["responses"][status]["content"]["application/problem+json"]["schema"]
        assert {"code", "detail", "detail_en"} <= set(problem["properties"])
    if "{" in path:
        assert "404" in operation["responses"]


def test_a_family_publishes_only_its_allowlisted_fields(document: dict[str, Any]) -> None:
    public = document["components"]["schemas"]
    assert set(public["FamilyPublic"]["properties"]) == {
        "id",
        "organisation_id",
        "code",
        "created_by",
        "created_at",
    }
    assert "probe_private" not in public["RecordingView"]["properties"]
