"""Domain errors with a stable code and a message a person can act on (Dutch first, English beside it)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from starlette.datastructures import QueryParams


class VaultError(Exception):
    """Base of every error the API renders. `code` is stable; `message_nl` and `message_en` are for people."""

    status = 400
    code = "error"
    # A refusal the audit log must show: the error handler writes it in its own transaction (so a
    # rolled-back request keeps it) unless whoever raised it logged it already (`logged`).
    denial = False
    audit_action = "view"

    def __init__(self, message_nl: str, message_en: str = "", **extra: Any) -> None:
        super().__init__(message_nl)
        self.message_nl = message_nl
        self.message_en = message_en or message_nl
        self.extra = extra
        self.logged = False
        self.actor: Any = None  # audit.Principal of who was refused, when known
        self.audit_reason: str | None = None  # default: the stable code


class NotFound(VaultError):
    status = 404
    code = "not_found"


class Forbidden(VaultError):
    status = 403
    code = "forbidden"
    denial = True


class Unauthenticated(VaultError):
    status = 401
    code = "unauthenticated"
    denial = True


class Conflict(VaultError):
    status = 409
    code = "conflict"


class ServiceUnavailable(VaultError):
    """A component (object store, broker, database) is down: answer 503, nothing half-written."""

    status = 503
    code = "service_unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"

    def __init__(self) -> None:
        super().__init__(
            "De database is tijdelijk niet bereikbaar; probeer het over een halve minuut opnieuw.",
            "The database is temporarily unavailable; retry in half a minute.",
            retry_after=30,
        )


class Malformed(VaultError):
    """Malformed input the schema cannot catch (a NUL character, a value the database refuses): 422."""

    status = 422
    code = "malformed_request"

    def __init__(self, field: str, nl: str, en: str) -> None:
        prefix = f"{field}: " if field else ""
        super().__init__(
            f"Het verzoek is onjuist: {prefix}{nl}.",
            f"The request is malformed: {prefix}{en}.",
            errors=[{"loc": [field] if field else [], "msg": en}],
        )


def _malformed_response(exc: VaultError) -> JSONResponse:
    return problem(exc.status, exc.code, exc.message_nl, exc.message_en, **exc.extra)


def retry_headers(extra: dict[str, Any]) -> dict[str, str] | None:
    """A `retry_after` (seconds) in a problem also goes out as the Retry-After header."""
    return {"Retry-After": str(int(extra["retry_after"]))} if "retry_after" in extra else None


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
    return JSONResponse(
        body,
        status_code=status,
        media_type="application/problem+json",
        headers=retry_headers(extra),
    )


def _route(request: Request) -> str:
    """The route's template (never the concrete path: stream and download links carry a token)."""
    path = request.url.path
    for name, value in request.path_params.items():
        if value:
            path = path.replace(str(value), "{" + name + "}")
    return path


def note_denial(
    exc: VaultError, *, network: str | None = None, route: str = "?", method: str = ""
) -> None:
    """Write a refusal to the audit log in its own transaction (rate-limited per address and kind),
    once. Call it outside the request's transaction (after its rollback, or from the error handler)."""
    if not exc.denial or exc.logged:
        return
    from vault import audit

    exc.logged = True
    network = network or getattr(exc.actor, "network", None)
    audit.record_denial(
        kind=exc.audit_reason or exc.code,
        action=exc.audit_action,
        actor=exc.actor,
        network=network,
        object_type="route",
        object_id=route,
        detail={"method": method, "status": str(exc.status)},
    )


async def log_denial(request: Request, exc: VaultError) -> None:
    """note_denial from an error handler (the request's transaction has ended by then)."""
    if exc.denial and not exc.logged:
        from starlette.concurrency import run_in_threadpool

        network = request.client.host if request.client else None
        await run_in_threadpool(
            note_denial, exc, network=network, route=_route(request), method=request.method
        )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(VaultError)
    async def _vault_error(request: Request, exc: VaultError) -> JSONResponse:
        await log_denial(request, exc)
        code = getattr(exc, "code", VaultError.code)
        return problem(exc.status, code, exc.message_nl, exc.message_en, **exc.extra)

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> Any:
        """The database unreachable (or the connection lost): 503 with Retry-After, as page or problem.
        A value the database refuses (out of range, a NUL character in text): 422."""
        handler = app.exception_handlers[VaultError]  # the web app's, when it replaced this one
        if isinstance(exc, DataError):
            return await handler(
                request,
                Malformed(
                    "",
                    "een waarde is te groot of bevat een NUL-teken",
                    "a value is out of range or contains a NUL character",
                ),
            )
        if not (isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated):
            raise exc
        return await handler(request, DatabaseUnavailable())

    app.add_middleware(RefuseNul)

    @app.exception_handler(RequestValidationError)
    async def _malformed(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(
            422,
            "malformed_request",
            "Het verzoek is onjuist opgebouwd.",
            "The request is malformed.",
            errors=[{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()],
        )


class RefuseNul:
    """A NUL character in the path or a query parameter is malformed input (422), never a 500."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            field = None
            if "\x00" in scope["path"]:
                field = "path"
            else:
                query = QueryParams(scope.get("query_string", b""))
                field = next(
                    (
                        k.replace("\x00", "") or "query"
                        for k, v in query.multi_items()
                        if "\x00" in k + v
                    ),
                    None,
                )
            if field is not None:
                refused = Malformed(
                    field, "een NUL-teken is niet toegestaan", "a NUL character is not allowed"
                )
                await _malformed_response(refused)(scope, receive, send)
                return
        await self.app(scope, receive, send)
