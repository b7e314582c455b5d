"""Opleider and gecommitteerde pages: my trainees, the clips I may see, the player and my notes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vault.domain.models import Role
from vault.web._page import PageViewer, render, require

router = APIRouter()


@router.get("/begeleiding")
def start(request: Request, viewer: PageViewer) -> HTMLResponse:
    require(viewer, Role.opleider, Role.gecommitteerde)
    return render(request, "start.html", viewer, heading=("Begeleiding", "Supervision"))
