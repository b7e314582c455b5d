"""What every route shares, a floor below the endpoints: pagination, ETags, the problem answers a route
documents, and (until every domain has its schemas) rendering rows for the API."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, SQLModel, func, select

from vault.errors import Malformed, VaultError

T = TypeVar("T")

HIDDEN = {
    "password_hash",
    "totp_secret",
    "totp_last_step",
    "failed_attempts",
    "probe_private",
    "enrolment_hash",
}


MAX_OFFSET = 1_000_000
MAX_SEQ = 2**31 - 1  # the audit sequence is an INTEGER column
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class Rows(Generic[T]):
    """One page of rows as a service returns it; the endpoint publishes it through its schema."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Problem(BaseModel):
    """An error answer (RFC 9457, application/problem+json): Dutch first, English beside it."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["https://beeldkluis.nl/problems/not_found"])
    title: str
    status: int
    code: str = Field(examples=["not_found"])
    detail: str
    detail_en: str


_PROBLEMS = {
    400: "Onjuist verzoek / bad request",
    401: "Niet aangemeld / not signed in",
    403: "Geweigerd (beslist en gelogd) / refused (decided and logged)",
    404: "Niet gevonden (of niet van uw organisatie) / not found",
    409: "In strijd met een regel / conflicts with a rule",
    410: "Niet meer beschikbaar / gone",
    412: "Intussen gewijzigd / changed meanwhile",
    413: "Te groot / too large",
    415: "Soort bestand niet ondersteund / unsupported media type",
    422: "Onjuiste invoer / malformed input",
    423: "Bezet of geblokkeerd / locked",
    429: "Te vaak gevraagd / too many requests",
    460: "Controlesom klopt niet / checksum mismatch (tus)",
    503: "Tijdelijk niet beschikbaar / temporarily unavailable",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: the problem+json answers it can give besides its success."""
    schema = Problem.model_json_schema()
    return {
        status: {
            "description": _PROBLEMS[status],
            "content": {"application/problem+json": {"schema": schema}},
        }
        for status in statuses
    }


def operation_ids(prefix: str) -> Callable[[APIRoute], str]:
    """A router's `generate_unique_id_function`: stable, readable operation ids `<prefix>_<function>`
    (`exports_create`, `audit_records`), a leading HTTP verb of the function's name left off. A route
    may still name its own (`operation_id=`)."""

    def operation_id(route: APIRoute) -> str:
        name = route.name
        for verb in ("get_", "post_", "put_", "patch_", "delete_"):
            name = name.removeprefix(verb)
        return f"{prefix}_{name}"

    return operation_id


def fetch_page(db: Session, query: Any, limit: int, offset: int) -> Rows[Any]:
    """One page of a query's rows and the total; limit and offset checked as the API documents them."""
    if not 1 <= limit <= 500:
        raise Malformed("limit", "moet tussen 1 en 500 liggen", "must be between 1 and 500")
    if not 0 <= offset <= MAX_OFFSET:
        raise Malformed(
            "offset", f"moet tussen 0 en {MAX_OFFSET} liggen", f"must be between 0 and {MAX_OFFSET}"
        )
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    return Rows(list(db.exec(query.limit(limit).offset(offset)).all()), total, limit, offset)


def dump(row: object, schema: type[BaseModel]) -> dict[str, Any]:
    """A row as JSON through its Public schema (an allowlist): what the API answers and a page shows."""
    return schema.model_validate(row, from_attributes=True).model_dump(mode="json")


def published(rows: Rows[Any], schema: type[BaseModel]) -> dict[str, Any]:
    """A page as JSON, each row through its Public schema (an allowlist of the fields that leave)."""
    return {
        "items": [
            schema.model_validate(r, from_attributes=True).model_dump(mode="json")
            for r in rows.items
        ],
        "total": rows.total,
        "limit": rows.limit,
        "offset": rows.offset,
    }


class PreconditionFailed(VaultError):
    status = 412
    code = "precondition_failed"

    def __init__(self) -> None:
        super().__init__(
            "Het gegeven is intussen gewijzigd; laad het opnieuw.",
            "The resource changed meanwhile; reload it.",
        )


def public(row: SQLModel) -> dict[str, Any]:
    return {k: v for k, v in json.loads(row.model_dump_json()).items() if k not in HIDDEN}


def etag_of(body: Any) -> str:
    return (
        '"'
        + hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:32]
        + '"'
    )


def with_etag(
    request: Request, response: Response, body: dict[str, Any]
) -> dict[str, Any] | Response:
    """Set the ETag; answer 304 when the client already has this version."""
    tag = etag_of(body)
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return body


def check_etag(expected: str | None, current: dict[str, Any]) -> None:
    """412 when the client changed a resource against a version (its If-Match) that is no longer current."""
    if expected is not None and expected != etag_of(current):
        raise PreconditionFailed()


def check_if_match(request: Request, current: dict[str, Any]) -> None:
    check_etag(request.headers.get("if-match"), current)


def paginate(db: Session, query: Any, limit: int, offset: int) -> dict[str, Any]:
    rows = fetch_page(db, query, limit, offset)
    return {
        "items": [public(r) for r in rows.items],
        "total": rows.total,
        "limit": limit,
        "offset": offset,
    }
