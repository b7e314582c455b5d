"""Privacy officer pages: the audit log, reports, anomalies, chain status, retention and holds."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vault.domain.models import Role
from vault.web._page import PageViewer, render, require

router = APIRouter()


@router.get("/privacy")
def start(request: Request, viewer: PageViewer) -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    return render(request, "start.html", viewer, heading=("Logboek", "Audit log"))
