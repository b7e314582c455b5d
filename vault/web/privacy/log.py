"""The audit log page (/privacy): the records with filters, the chain's state and its verification,
and the anomaly signals of the last days."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from consent import Role
from vault import audit
from vault.audit import service as audit_log
from vault.db import DB
from vault.families.models import Family
from vault.i18n import LOCAL, N_
from vault.settings import get_settings
from vault.store import backend_from_settings
from vault.web._page import FormViewer, PageViewer, Viewer, redirect, render, require, words
from vault.web.labels.log import ACTIONS, OUTCOMES, SIGNALS
from vault.web.privacy._common import NOTICES, family_codes, own_family, parse_day, people, rows

router = APIRouter()

PAGE_SIZE = 50
SIGNAL_DAYS = 30
FILTERS = ("van", "tot", "gezin", "medewerker", "handeling", "uitkomst", "regel")


def _midnight(day: date) -> datetime:
    """The start of a day as people in the Netherlands mean it, in UTC as the log keeps time."""
    return datetime.combine(day, datetime.min.time(), LOCAL).astimezone(UTC)


@dataclass
class LogFilter:
    """The log page's filters as typed, what they mean, and what was wrong with them."""

    van: str = ""
    tot: str = ""
    gezin: str = ""
    medewerker: str = ""
    handeling: str = ""
    uitkomst: str = ""
    regel: str = ""
    pagina: int = 1
    since: datetime | None = None
    until: datetime | None = None
    family: Family | None = None
    user_id: uuid.UUID | None = None
    seq: int | None = None
    problems: list[str] = field(default_factory=list)  # in the page's language

    def fields(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in FILTERS if getattr(self, k)}

    def link(self, page: int) -> str:
        query = {**self.fields(), **({"pagina": str(page)} if page > 1 else {})}
        return "/privacy" + (f"?{urlencode(query)}" if query else "")


def _filter(
    db: Session, viewer: Viewer, raw: Mapping[str, str], _: Callable[..., str]
) -> LogFilter:
    f = LogFilter()
    for name in FILTERS:
        setattr(f, name, raw.get(name, "").strip())
    days: dict[str, date] = {}
    for name, label in (("van", _("Van")), ("tot", _("Tot en met"))):
        if getattr(f, name):
            try:
                days[name] = parse_day(getattr(f, name))
            except ValueError:
                f.problems.append(
                    _(
                        "‘%(field)s’ is geen geldige datum; gebruik bijvoorbeeld 25-11-2026.",
                        field=label,
                    )
                )
    if "van" in days and "tot" in days and days["tot"] < days["van"]:
        f.problems.append(_("De einddatum ligt vóór de begindatum."))
    if "van" in days:
        f.since = _midnight(days["van"])
    if "tot" in days:
        f.until = _midnight(days["tot"] + timedelta(days=1))
    if f.gezin:
        f.family = own_family(db, viewer, f.gezin)
        if f.family is None:
            f.problems.append(
                _(
                    "Geen gezin ‘%(gezin)s’ in uw organisatie; gebruik het pseudoniem (FAM-…).",
                    gezin=f.gezin,
                )
            )
    if f.medewerker:
        if f.medewerker not in {str(u.id) for u in people(db, viewer)}:
            f.problems.append(_("Kies een medewerker uit de lijst."))
        else:
            f.user_id = uuid.UUID(f.medewerker)
    if f.handeling and f.handeling not in ACTIONS:
        f.problems.append(_("Kies een handeling uit de lijst."))
    if f.uitkomst and f.uitkomst not in OUTCOMES:
        f.problems.append(_("Kies een uitkomst uit de lijst."))
    if f.regel:
        if f.regel.isdigit():
            f.seq = int(f.regel)
        else:
            f.problems.append(_("Een regelnummer is een geheel getal."))
    page = raw.get("pagina", "1").strip() or "1"
    f.pagina = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    return f


def _chain_status(db: Session, viewer: Viewer) -> dict[str, Any]:
    """The last verification in this organisation (its result is in the log) and the last checkpoint."""
    last = db.exec(
        select(audit.AuditRecord)
        .where(
            audit.AuditRecord.action == "audit_read",
            audit.AuditRecord.object_type == "verify",
            audit.AuditRecord.organisation_id == viewer.principal.organisation_id,
        )
        .order_by(col(audit.AuditRecord.seq).desc())
    ).first()
    status: dict[str, Any] = {"verified": None, "checkpoint": None}
    if last is not None:
        detail = json.loads(last.detail)
        status["verified"] = {
            "when": last.occurred_at,
            "who": last.user_name,
            "ok": {"true": True, "false": False}.get(detail.get("ok", "")),
            "records": detail.get("records"),
            "checkpoints": detail.get("checkpoints"),
            "first_bad_seq": detail.get("first_bad_seq"),
        }
    backend = backend_from_settings(get_settings())
    names = sorted(backend.worm_names(audit.PREFIX))
    if names:
        head = json.loads(backend.get_worm(names[-1]))
        status["checkpoint"] = {"size": head.get("tree_size"), "when": head.get("timestamp")}
    status["count"] = len(names)
    return status


def _signals(db: Session, viewer: Viewer) -> list[dict[str, Any]]:
    since = datetime.now(UTC) - timedelta(days=SIGNAL_DAYS)
    found = audit_log.anomalies(db, viewer.principal, since)
    names = {str(u.id): u.name for u in people(db, viewer)}
    codes = family_codes(db, viewer, (s["family_id"] for s in found))
    return [
        {
            **s,
            "label": SIGNALS.get(str(s["signal"]), s["message"]),
            "who": names.get(s["user_id"], ""),
            "family_code": codes.get(s["family_id"]),
        }
        for s in reversed(found)
    ]


@router.get("/privacy")
def start(request: Request, viewer: PageViewer, db: DB) -> HTMLResponse:
    require(viewer, Role.privacy_officer)
    _ = words(request)
    f = _filter(db, viewer, request.query_params, _)
    found_rows: list[dict[str, Any]] = []
    total = 0
    if not f.problems:
        found, total = audit_log.search(
            db,
            viewer.principal,
            family_id=f.family.id if f.family else None,
            user_id=f.user_id,
            action=audit.AuditAction(f.handeling) if f.handeling else None,
            outcome=audit.Outcome(f.uitkomst) if f.uitkomst else None,
            seq=f.seq,
            since=f.since,
            until=f.until,
            limit=PAGE_SIZE,
            offset=(f.pagina - 1) * PAGE_SIZE,
        )
        found_rows = rows(db, viewer, [audit.as_dict(r) for r in found])
    notice = NOTICES.get(request.query_params.get("gedaan", ""))
    return render(
        request,
        "privacy/log.html",
        viewer,
        status=400 if f.problems else 200,
        heading=N_("Logboek"),
        f=f,
        rows=found_rows,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
        people=people(db, viewer),
        actions=ACTIONS,
        outcomes=OUTCOMES,
        chain=_chain_status(db, viewer),
        signals=_signals(db, viewer),
        signal_days=SIGNAL_DAYS,
        problems=f.problems,
        notice=_(notice) if notice else None,
    )


@router.post("/privacy/controle")
def verify_chain(viewer: FormViewer, db: DB) -> Response:
    require(viewer, Role.privacy_officer)
    audit_log.verify(db, viewer.principal)
    return redirect("/privacy?gedaan=gecontroleerd")
