"""What every route shares, a floor below the endpoints: pagination, ETags, and rendering rows for the API."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request, Response
from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, SQLModel, func, select

from vault.errors import Malformed, VaultError

T = TypeVar("T")

HIDDEN = {"password_hash", "totp_secret", "totp_last_step", "failed_attempts", "probe_private",
          "enrolment_hash"}  # fmt: skip


MAX_OFFSET = 1_000_000
MAX_SEQ = 2**31 - 1  # the audit sequence is an INTEGER column
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class Problem(BaseModel):
    """An error answer (RFC 9457 problem details), Dutch first with English beside it."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    code: str
    detail: str
    detail_en: str


_PROBLEMS = {
    400: "Onjuist verzoek / bad request",
    401: "Niet aangemeld / not signed in",
    403: "Geen toegang / forbidden",
    404: "Niet gevonden (of niet van uw organisatie) / not found",
    409: "In strijd met een regel / conflicts with a rule",
    412: "Intussen gewijzigd / changed meanwhile",
    413: "Te groot / too large",
    415: "Soort bestand niet ondersteund / unsupported media type",
    422: "Onjuiste invoer / malformed input",
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
    if not 1 <= limit <= 500:
        raise Malformed("limit", "moet tussen 1 en 500 liggen", "must be between 1 and 500")
    if not 0 <= offset <= MAX_OFFSET:
        raise Malformed(
            "offset", f"moet tussen 0 en {MAX_OFFSET} liggen", f"must be between 0 and {MAX_OFFSET}"
        )
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    rows = db.exec(query.limit(limit).offset(offset)).all()
    return {"items": [public(r) for r in rows], "total": total, "limit": limit, "offset": offset}
