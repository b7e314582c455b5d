"""WOK pages: the sessions I take part in and their clips, only while the session's window is open."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vault.domain.models import Role
from vault.web._page import PageViewer, render, require

router = APIRouter()


@router.get("/wok")
def sessions(request: Request, viewer: PageViewer) -> HTMLResponse:
    require(viewer, Role.trainer)
    return render(request, "start.html", viewer, heading=("WOK-bijeenkomsten", "WOK sessions"))
