"""What every page shares: who is signed in (cookie), CSRF on forms, Dutch or English, rendering with
the strict security headers, and a way to call the API's own functions and show their refusals."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from consent import Role
from vault import audit
from vault.accounts import client_address, principal_of
from vault.accounts._web import csrf_ok, csrf_token, session_from_cookie
from vault.db import DB
from vault.errors import Forbidden, VaultError, note_denial
from vault.i18n import N_
from vault.pages import SECURITY_HEADERS, gettext_callables, render_page
from vault.pages import language as language  # the pages import it from here
from vault.web.labels import ROLES

# Where each role starts, and what its menu shows: (path, name as a gettext msgid).
START: dict[str, str] = {
    Role.trainer: "/trajecten",
    Role.opleider: "/begeleiding",
    Role.gecommitteerde: "/begeleiding",
    Role.privacy_officer: "/privacy",
    Role.administrator: "/beheer",
}
MENU: dict[str, list[tuple[str, str]]] = {
    Role.trainer: [
        ("/trajecten", N_("Mijn trajecten")),
        ("/wok", N_("WOK")),
        ("/mijn-begeleiding", N_("Mijn begeleiding")),
    ],
    Role.opleider: [("/begeleiding", N_("Begeleiding")), ("/wok", N_("WOK"))],
    Role.gecommitteerde: [("/begeleiding", N_("Begeleiding"))],
    Role.privacy_officer: [
        ("/privacy", N_("Logboek")),
        ("/privacy/bewaren", N_("Bewaren en verwijderen")),
    ],
    Role.administrator: [
        ("/beheer", N_("Beheer")),
        ("/beheer/accounts", N_("Accounts")),
        ("/beheer/organisaties", N_("Organisaties")),
        ("/beheer/begeleiding", N_("Begeleiding")),
        ("/beheer/bewaartermijnen", N_("Bewaartermijnen")),
    ],
}


@dataclass(frozen=True)
class Viewer:
    """The signed-in person of a page request."""

    principal: audit.Principal
    session_id: uuid.UUID
    csrf: str = field(repr=False)

    @property
    def role(self) -> str:
        return str(self.principal.role)


class SignInRequired(Exception):
    """No live session: the page sends the browser to the sign-in page and back afterwards."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def _viewer(request: Request, db: Session) -> Viewer:
    found = session_from_cookie(db, request)
    if found is None:
        raise SignInRequired(request.url.path)
    auth, user = found
    return Viewer(
        principal_of(user, auth.id, client_address(request)), auth.id, csrf_token(auth.id)
    )


def page_viewer(request: Request, db: DB) -> Viewer:
    return _viewer(request, db)


def form_viewer(request: Request, db: DB, csrf: Annotated[str, Form()] = "") -> Viewer:
    """For a POSTed form: the session, and its CSRF token in the form's `csrf` field."""
    viewer = _viewer(request, db)
    if not csrf_ok(viewer.session_id, csrf):
        error = Forbidden(
            "Dit formulier is verlopen of niet van deze site. Laad de pagina opnieuw.",
            "This form has expired or is not from this site. Reload the page.",
        )
        error.actor, error.audit_reason = viewer.principal, "csrf"
        raise error
    return viewer


PageViewer = Annotated[Viewer, Depends(page_viewer)]
FormViewer = Annotated[Viewer, Depends(form_viewer)]


def require(viewer: Viewer, *roles: str) -> None:
    if viewer.role not in roles:
        error = Forbidden("Deze pagina hoort niet bij uw rol.", "This page is not for your role.")
        error.actor, error.audit_reason = viewer.principal, "role_gate"
        raise error


def render(
    request: Request,
    template: str,
    viewer: Viewer | None = None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page of the web app: the signed-in person's menu and role around `render_page`. `heading`
    (the page's title) is a gettext msgid, or a text already in the page's language (`words`)."""
    return render_page(
        request,
        template,
        status=status,
        viewer=viewer,
        menu=MENU.get(viewer.role, []) if viewer else [],
        role_name=ROLES.get(viewer.role, viewer.role) if viewer else None,
        **context,
    )


def redirect(path: str) -> RedirectResponse:
    """After a POST, always redirect (303) so a reload never repeats it."""
    return RedirectResponse(path, status_code=303, headers=SECURITY_HEADERS)


def sign_in_url(next_path: str) -> str:
    return "/aanmelden" + (f"?next={quote(next_path)}" if next_path not in ("", "/") else "")


T = TypeVar("T")


def attempt(db: Session, call: Callable[[], T]) -> tuple[T | None, VaultError | None]:
    """Run an API function; on a refusal, undo its half-work (a denial is already logged and
    committed by the access seam) and hand the error back for the page to show."""
    try:
        return call(), None
    except VaultError as error:
        db.rollback()
        note_denial(error)  # e.g. a role gate: in its own transaction, now that this one has ended
        return None, error


def words(request: Request) -> Callable[..., str]:
    """`_` in the page's language, for a text made in Python: `_ = words(request)`, then
    `_("Gezin %(code)s", code=family.code)` (a gettext message, found by pybabel extract)."""
    return gettext_callables(language(request))["_"]


def notice(request: Request, said: Mapping[str, str], key: str | None) -> str | None:
    """What a POST did, shown once after its redirect (`?gedaan=key`): the msgid `said[key]` in the page's
    language, or None for a key the page does not know."""
    return words(request)(said[key]) if key is not None and key in said else None


def message(request: Request, error: VaultError) -> str:
    return error.message_en if language(request) == "en" else error.message_nl
