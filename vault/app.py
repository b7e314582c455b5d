"""The HTTP application: /health for load balancers, /api/v1 for everything else."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from vault import __version__, web
from vault.errors import install_error_handlers
from vault.health import report
from vault.media.scratch import sweep as sweep_scratch
from vault.settings import get_settings


class Version(BaseModel):
    version: str


def domain_routers() -> list[APIRouter]:
    """Every domain contributes one router; the list lives here so a reader sees the whole API at once."""
    from vault.accounts.api import router as auth
    from vault.annotations.endpoints import router as annotations
    from vault.audit.api import router as audit
    from vault.consents.endpoints import router as consents
    from vault.export.api import router as exports
    from vault.families.endpoints import router as families
    from vault.ingest.tus import router as uploads
    from vault.organisations.endpoints import router as admin
    from vault.purge.api import router as retention
    from vault.recordings.endpoints import router as recordings
    from vault.streaming import router as streaming

    return [
        auth,
        admin,
        families,
        recordings,
        annotations,
        consents,
        uploads,
        streaming,
        exports,
        audit,
        retention,
    ]


_CAPABILITY = re.compile(
    r"(/(?:kijken|ophalen|api/v1/stream|beheer/accounts/koppeling)/)[^/?\s]+"  # token in the path
    r"|(/aanmelden/oidc-terug\?)\S+"  # the provider's authorization code and state
)


class RedactLinks(logging.Filter):
    """Viewing, stream, download and enrolment links carry a token in the path, the OIDC callback one
    in its query; access logs show them redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _CAPABILITY.sub(lambda m: (m.group(1) or m.group(2)) + "[token]", a)
                if isinstance(a, str)
                else a
                for a in record.args
            )
        return True


_redact = RedactLinks()


def create_app() -> FastAPI:
    settings = get_settings()
    access = logging.getLogger("uvicorn.access")
    if _redact not in access.filters:
        access.addFilter(_redact)
    app = FastAPI(
        title="Beeldkluis",
        version=__version__,
        description=(
            "Privacy-first kluis voor beeldmateriaal van video-hometraining (VHT) en "
            "video-interactiebegeleiding (VIB). / Privacy-first vault for VHT/VIB footage."
        ),
        openapi_url="/openapi.json",
    )
    install_error_handlers(app)
    sweep_scratch()  # segments a killed API process left in tmpfs go before it serves again
    from vault.export.api import public_router as parents
    from vault.streaming import player_router as player

    @app.get("/health", tags=["health"], summary="Component health / gezondheid van onderdelen")
    def health() -> JSONResponse:
        body = report(settings)
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    api = APIRouter(prefix="/api/v1")

    @api.get(
        "/version",
        tags=["health"],
        summary="Version / versie",
        response_model=Version,
        operation_id="version",
    )
    def version() -> dict[str, str]:
        return {"version": __version__}

    for router in domain_routers():
        api.include_router(router)
    app.include_router(api)
    app.include_router(parents)  # /ophalen/{token}: the parents' download page, outside the API
    app.include_router(player)  # /kijken/{token}: the watermarked review player
    app.include_router(web.router())  # the web app: a page per role, on the same access seam
    web.install(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:  # asked for by browsers on pages that name no icon
        return RedirectResponse("/static/favicon.svg", status_code=301)

    return app
