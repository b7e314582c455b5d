"""What the administrator's pages share: notices, the role check, and the listings of their own
organisation's accounts and organisations (through vault.organisations.service)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlmodel import Session

from consent import Role
from vault.i18n import N_
from vault.organisations import service as admin_service
from vault.web._page import (
    Viewer,
    language,
    notice,
    require,
)

NOTICES = {
    "rol": N_("De rol is gewijzigd."),
    "uit": N_(
        "Het account is uitgeschakeld: aanmelden lukt niet meer en open sessies zijn beëindigd."
    ),
    "aan": N_("Het account is weer ingeschakeld."),
    "koppeling": N_("De begeleiding is voorgesteld; zij gaat in zodra de trainer haar bevestigt."),
    "opdracht": N_("De opdracht is voorgesteld; zij gaat in zodra de trainer haar bevestigt."),
    "termijn": N_("De bewaartermijnen zijn opgeslagen."),
    "gelijk": N_("Er was niets gewijzigd."),
}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
WHOLE = re.compile(r"-?[0-9]{1,7}")


def _admin(viewer: Viewer) -> None:
    require(viewer, Role.administrator)


def _pick(request: Request, pair: tuple[str, str]) -> str:
    """An error that arrives with both its texts (a RetentionError's, say): the page's language."""
    return pair[1] if language(request) == "en" else pair[0]


def _notice(request: Request, done: str | None) -> str | None:
    return notice(request, NOTICES, done)


def _all(call: Callable[[int], dict[str, Any]]) -> list[dict[str, Any]]:
    """Every item of a paginated API listing."""
    items: list[dict[str, Any]] = []
    while True:
        page = call(len(items))
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


def _users(viewer: Viewer, db: Session) -> list[dict[str, Any]]:
    users = _all(
        lambda offset: admin_service.list_users(db, viewer.principal, None, 500, offset).model_dump(
            mode="json"
        )
    )
    now = datetime.now(UTC)
    for user in users:
        until = user.get("locked_until")
        locked = datetime.fromisoformat(until) if until else None
        if locked is not None and locked.tzinfo is None:
            locked = locked.replace(tzinfo=UTC)
        user["locked"] = locked if locked is not None and locked > now else None
    return users


def _organisations(viewer: Viewer, db: Session) -> list[dict[str, Any]]:
    return _all(
        lambda offset: admin_service.list_organisations(
            db, viewer.principal, 500, offset
        ).model_dump(mode="json")
    )


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
