"""Trainer pages: my trajectories, card import, recordings and clips, consent, WOK sharing, export."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vault.domain.models import Role
from vault.web._page import PageViewer, render, require

router = APIRouter()


@router.get("/trajecten")
def trajectories(request: Request, viewer: PageViewer) -> HTMLResponse:
    require(viewer, Role.trainer)
    return render(request, "start.html", viewer, heading=("Mijn trajecten", "My trajectories"))
