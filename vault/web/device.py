"""/apparaat: the signed-in person confirms the code the command line shows (ADR 0006)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from vault.accounts._device import decide as decide_grant
from vault.accounts._device import normalise, pending
from vault.db import DB
from vault.web._page import (
    FormViewer,
    SignInRequired,
    attempt,
    message,
    page_viewer,
    redirect,
    render,
    sign_in_url,
)

router = APIRouter()


@router.get("/apparaat", response_model=None)
def device_page(request: Request, db: DB, code: str = "") -> Response:
    code = normalise(code[:32])
    try:
        viewer = page_viewer(request, db)
    except SignInRequired:  # sign in first, and come back here with the code
        return redirect(sign_in_url(f"/apparaat?code={code}" if code else "/apparaat"))
    return render(
        request, "device.html", viewer, code=code, grant=pending(db, code) if code else None
    )


@router.post("/apparaat", response_model=None)
def device_decide(
    request: Request,
    db: DB,
    viewer: FormViewer,
    code: Annotated[str, Form(max_length=32)],
    decision: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    approve = decision == "toestaan"
    _, error = attempt(
        db, lambda: decide_grant(db, user_code=code, approve=approve, by=viewer.principal)
    )
    if error is not None:
        return render(
            request,
            "device.html",
            viewer,
            status=error.status,
            code=normalise(code),
            grant=None,
            error=message(request, error),
        )
    return render(
        request,
        "device.html",
        viewer,
        code="",
        grant=None,
        done="approved" if approve else "denied",
    )
