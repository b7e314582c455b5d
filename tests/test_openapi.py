"""Every operation under /api/v1 describes what it answers, so a client can be generated from the
document: a unique, readable operation id; the success's own schema (an allowlist of fields, no
free-form object) or its media type; and each problem+json refusal it can give (401 and 403 where a
principal is needed, 404 where the path names a thing by id, 422 where it takes input). The operations are
read from the domains' routers, so a new route is checked without being listed here; that the
declarations do not lie is checked by calling them (tests/test_declared_statuses.py). And what
leaves the service is an allowlist: a family's published fields are named, an account never publishes
a secret, an export never its link's token or code but in the one answer that hands them over."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from vault.accounts._deps import current_principal
from vault.app import create_app, domain_routers
from vault.domain.models import User

SECRETS = {"password_hash", "totp_secret", "totp_last_step", "failed_attempts", "enrolment_hash"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app().openapi()


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def _schema_names_fields(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """An object whose fields are named, a list of such objects, or a choice between them."""
    schema = _resolve(document, schema)
    if schema.get("type") == "array":
        return _schema_names_fields(document, schema.get("items", {}))
    choices = schema.get("anyOf") or schema.get("oneOf")
    if choices:
        return all(_schema_names_fields(document, choice) for choice in choices)
    return bool(schema.get("properties"))


def _json_answers(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not path.startswith("/api/v1/"):
                continue
            for status, answer in operation["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if status.startswith("2") and schema is not None:
                    found.append((method, path, schema))
    return found


def test_no_operation_under_api_v1_answers_an_untyped_object(document: dict[str, Any]) -> None:
    """Every JSON answer under /api/v1 names its fields (no exceptions left: the parents' package has its
    schemas, its download declares the ZIP). Non-JSON answers declare their media type instead."""
    untyped = [
        (method, path)
        for method, path, schema in _json_answers(document)
        if not _schema_names_fields(document, schema)
    ]
    assert untyped == []


# Every operation of the whole API, read from the domains' routers (app.domain_routers): its method, path, operation and
# whether it needs a signed-in principal (the `Principal` dependency anywhere in its dependencies).
def _needs_principal(dependant: Any) -> bool:
    return any(d.call is current_principal or _needs_principal(d) for d in dependant.dependencies)


OPERATIONS = sorted(
    {
        (method.lower(), "/api/v1" + route.path, _needs_principal(route.dependant))
        for router in domain_routers()
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods
    }
)
IDS = [f"{m} {p}" for m, p, _ in OPERATIONS]
READABLE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
# Signed in, yet never refused with 403: they act on the principal's own rows only (another's upload is
# not found, 404). Declaring a 403 there would be a refusal the route cannot give.
ONLY_OWN = {
    "auth_me": "who the token is",
    "auth_sign_out": "the token's own session",
    "uploads_list": "the principal's own uploads",
    "uploads_head": "the principal's own upload",
    "uploads_patch": "the principal's own upload",
    "uploads_terminate": "the principal's own upload",
    "uploads_status": "the principal's own upload",
}


def test_every_operation_has_a_unique_readable_id(document: dict[str, Any]) -> None:
    ids = [
        op.get("operationId", "")
        for path, ops in document["paths"].items()
        for op in ops.values()
        if path.startswith("/api/v1/")
    ]
    assert len(ids) == len(OPERATIONS) + 1 >= 90  # and GET /api/v1/version
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    unreadable = [i for i in ids if not READABLE.fullmatch(i) or "api_v1" in i or len(i) > 40]
    assert unreadable == []


@pytest.mark.parametrize(("method", "path", "signed_in"), OPERATIONS, ids=IDS)
def test_an_operation_declares_the_refusals_it_can_give(
    document: dict[str, Any], method: str, path: str, signed_in: bool
) -> None:
    """401 and 403 where a principal is needed, 404 where the path names a thing, 422 where it takes
    input; every declared refusal is a problem+json (RFC 9457) with the Dutch and English text."""
    operation = document["paths"][path][method]
    declared = set(operation["responses"])
    takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
    wanted = {"401"} if signed_in else set()
    wanted |= {"403"} if signed_in and operation["operationId"] not in ONLY_OWN else set()
    wanted |= {"404"} if re.search(r"\{(\w+_id|seq)\}", path) else set()
    wanted |= {"422"} if takes_input else set()
    assert sorted(wanted - declared) == []
    for status, answer in operation["responses"].items():
        if status in {"401", "403", "404", "409", "422"}:
            problem = answer["content"]["application/problem+json"]["schema"]
            fields = set(_resolve(document, problem)["properties"])
            assert {"type", "title", "status", "code", "detail", "detail_en"} <= fields, (
                method,
                path,
                status,
            )
    for status, answer in operation["responses"].items():
        if status.startswith("2") and status != "204":
            assert answer.get("content") or answer.get("headers"), (
                f"{method} {path}: {status} declares nothing"
            )


def test_an_export_publishes_no_secret(document: dict[str, Any]) -> None:
    """The link's token and the code only in the answer that hands them over; never their hashes."""
    schemas = document["components"]["schemas"]
    for name in ("ExportPublic", "ExportHandedOver", "LinkState"):
        published = set(schemas[name]["properties"])
        assert not {
            n for n in published if "token" in n or "code" in n or "hash" in n or "passphrase" in n
        }, name
    assert set(schemas["ExportLink"]["properties"]) == {
        "url",
        "code",
        "expires_at",
        "downloads_allowed",
        "note",
    }


def test_a_family_publishes_only_its_allowlisted_fields(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert set(schemas["FamilyPublic"]["properties"]) == {
        "id",
        "organisation_id",
        "code",
        "created_by",
        "created_at",
    }
    assert "probe_private" not in schemas["RecordingView"]["properties"]


def test_a_wok_session_publishes_only_its_allowlist(document: dict[str, Any]) -> None:
    assert set(document["components"]["schemas"]["WokSessionPublic"]["properties"]) == {
        "id",
        "title",
        "starts_at",
        "ends_at",
        "organiser_id",
        "participant_ids",
        "clip_ids",
    }


@pytest.mark.parametrize("name", ["UserPublic", "UserEnrolment"])
def test_an_account_never_publishes_a_secret(document: dict[str, Any], name: str) -> None:
    published = set(document["components"]["schemas"][name]["properties"])
    assert set(User.model_fields) >= SECRETS  # the columns exist…
    assert not published & SECRETS  # …and none of them is published
    assert published <= set(User.model_fields) | {"enrolment_url", "enrolment_valid_hours", "note"}
