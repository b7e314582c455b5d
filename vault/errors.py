"""Domain errors with a stable code and a message a person can act on (Dutch first, English beside it)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class VaultError(Exception):
    """Base of every error the API renders. `code` is stable; `message_nl` and `message_en` are for people."""

    status = 400
    code = "error"

    def __init__(self, message_nl: str, message_en: str = "", **extra: Any) -> None:
        super().__init__(message_nl)
        self.message_nl = message_nl
        self.message_en = message_en or message_nl
        self.extra = extra


class NotFound(VaultError):
    status = 404
    code = "not_found"


class Forbidden(VaultError):
    status = 403
    code = "forbidden"


class Unauthenticated(VaultError):
    status = 401
    code = "unauthenticated"


class Conflict(VaultError):
    status = 409
    code = "conflict"


class ServiceUnavailable(VaultError):
    """A component (object store, broker, database) is down: answer 503, nothing half-written."""

    status = 503
    code = "service_unavailable"


def problem(status: int, code: str, message_nl: str, message_en: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://beeldkluis.nl/problems/{code}",
        "title": message_nl,
        "status": status,
        "code": code,
        "detail": message_nl,
        "detail_en": message_en,
        **extra,
    }
    headers = {"Retry-After": str(extra["retry_after"])} if "retry_after" in extra else None
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(VaultError)
    async def _vault_error(_request: Request, exc: VaultError) -> JSONResponse:
        code = getattr(exc, "code", VaultError.code)
        return problem(exc.status, code, exc.message_nl, exc.message_en, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _malformed(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(
            422,
            "malformed_request",
            "Het verzoek is onjuist opgebouwd.",
            "The request is malformed.",
            errors=[{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()],
        )
