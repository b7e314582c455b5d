"""What every privacy officer's page shares: what the officer may look at (their organisation's
families and people) and the log's records as rows of a table, named in words (vault/web/labels/log.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from vault.domain.models import User
from vault.families.models import Family
from vault.i18n import N_
from vault.web._page import Viewer
from vault.web.labels.log import ACTIONS, BADGES, BASIS, LOGGED_ROLES, OBJECTS, OUTCOMES, REASONS

NOTICES: dict[str, str] = {  # what a POST did, shown after its redirect (?gedaan=...)
    "geplaatst": N_("De bewaarplicht is opgelegd."),
    "opgeheven": N_("De bewaarplicht is opgeheven."),
    "gecontroleerd": N_("De keten is gecontroleerd."),
}


def own_family(db: Session, viewer: Viewer, text: str | uuid.UUID) -> Family | None:
    """A family of the officer's organisation by pseudonym (FAM-XXXXXX) or id; None otherwise."""
    family: Family | None
    if isinstance(text, uuid.UUID):
        family = db.get(Family, text)
    else:
        text = text.strip()
        try:
            family = db.get(Family, uuid.UUID(text))
        except ValueError:
            family = db.exec(select(Family).where(Family.code == text.upper())).first()
    ok = family is not None and family.organisation_id == viewer.principal.organisation_id
    return family if ok else None


def people(db: Session, viewer: Viewer) -> list[User]:
    org = viewer.principal.organisation_id
    return list(db.exec(select(User).where(User.organisation_id == org).order_by(col(User.name))))


def family_codes(db: Session, viewer: Viewer, ids: Iterable[object]) -> dict[str, str]:
    """The pseudonyms of the organisation's families among `ids`."""
    wanted = {uuid.UUID(str(i)) for i in ids if i not in (None, "", "None")}
    if not wanted:
        return {}
    rows = db.exec(
        select(Family.id, Family.code).where(
            col(Family.id).in_(wanted),
            Family.organisation_id == viewer.principal.organisation_id,
        )
    )
    return {str(i): code for i, code in rows}


def parse_day(text: str) -> date:
    """A day as the date field sends it (2026-11-25) or as people type it (25-11-2026)."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if 1970 <= day.year <= 2999:
            return day
    raise ValueError(text)


def _basis(value: str) -> dict[str, Any]:
    """`consent:<id>` as a label, a short id and the whole value."""
    kind, _, ref = value.partition(":")
    return {"label": BASIS.get(kind, kind), "ref": _short(ref), "full": value}


def _short(value: str | None) -> str:
    return "" if not value else value[:8] + ("…" if len(value) > 8 else "")


def rows(db: Session, viewer: Viewer, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API's records, ready for the table: codes as gettext msgids (a code without a name is
    shown as itself), pseudonyms, links."""
    codes = family_codes(db, viewer, (i.get("family_id") for i in items))
    reportable = {str(u.id) for u in people(db, viewer)}  # only they have a report to link to
    out = []
    for item in items:
        family = item.get("family_id")
        outcome, obj, reason = item["outcome"], item.get("object_type"), item.get("reason")
        out.append(
            {
                "seq": item["seq"],
                "when": item["occurred_at"],
                "who": item["user_name"] or "–",
                "user_id": item["user_id"] if item["user_id"] in reportable else None,
                "role": LOGGED_ROLES.get(item["role"]),  # None: a code without a name
                "role_code": item["role"],
                "action": ACTIONS.get(item["action"], item["action"]),
                "outcome": OUTCOMES.get(outcome, outcome),
                "badge": BADGES.get(outcome, "warn"),
                "family_id": family,
                "family_code": codes.get(str(family)) if family else None,
                "object": OBJECTS.get(obj, obj) if obj else "",
                "object_id": _short(item.get("object_id")),
                "reason": REASONS.get(reason, reason) if reason else "",
                "basis": [_basis(str(b)) for b in item.get("basis") or []],
                "on_behalf_of": item.get("on_behalf_of"),
            }
        )
    return out
