"""The web app: server-rendered Dutch (and English) pages for each role, on the same access seam as
the API (pages call the API's own functions, so a page never shows more than the API would).

Layout: `_page.py` (session cookie, CSRF, language, rendering), `auth.py` (sign-in, start pages),
one module per role, templates in `templates/`, scripts and styles in `vault/static/`.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from vault.errors import VaultError, log_denial, problem, retry_headers
from vault.i18n import N_
from vault.web._page import SignInRequired, message, redirect, render, sign_in_url, words


def router() -> APIRouter:
    from vault.web import (
        admin,
        anonymise,
        auth,
        consent,
        device,
        enrol,
        export,
        privacy,
        progress,
        review,
        supervisor,
        trainer,
        wok,
    )

    pages = APIRouter(include_in_schema=False)
    for module in (
        auth,
        device,
        trainer,
        review,
        anonymise,
        progress,
        consent,
        export,
        wok,
        supervisor,
        privacy,
        admin,
        enrol,
    ):
        pages.include_router(module.router)
    return pages


def _is_page(request: Request) -> bool:
    path = request.url.path
    return not path.startswith(("/api/", "/health", "/static/", "/openapi")) and (
        "text/html" in request.headers.get("accept", "") or request.method == "POST"
    )


def install(app: FastAPI) -> None:
    """Pages answer errors with a page in the person's language; the API keeps its problem JSON."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, exc: SignInRequired) -> Response:
        return redirect(sign_in_url(exc.next_path))

    @app.exception_handler(VaultError)
    async def _refused(request: Request, exc: VaultError) -> Response:
        await log_denial(request, exc)
        if _is_page(request):
            page = render(
                request,
                "error.html",
                status=exc.status,
                title=N_("Dat lukt niet"),
                text=message(request, exc),
            )
            page.headers.update(retry_headers(exc.extra) or {})
            return page
        return problem(exc.status, exc.code, exc.message_nl, exc.message_en, **exc.extra)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        if _is_page(request) and exc.status_code == 404:
            _ = words(request)
            return render(
                request,
                "error.html",
                status=404,
                title=N_("Niet gevonden"),
                text=_("Deze pagina bestaat niet (meer)."),
            )
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
