"""Administrator pages: organisations, users and roles, supervision links, retention policies."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vault.domain.models import Role
from vault.web._page import PageViewer, render, require

router = APIRouter()


@router.get("/beheer")
def start(request: Request, viewer: PageViewer) -> HTMLResponse:
    require(viewer, Role.administrator)
    return render(request, "start.html", viewer, heading=("Beheer", "Administration"))
