"""The audit log as privacy officers read it: a family's or an employee's records, the search, the
signals and the chain's verification.

Each function takes a session and the principal, keeps the officer to their own organisation, logs the
read itself, and flushes, never commits: the routes (vault/audit/api.py) and the privacy pages
(vault/web/privacy/log.py, reports.py) both call these."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from vault import audit
from vault.accounts import require_role
from vault.audit import _review as review
from vault.audit._publish import public_key
from vault.domain.models import User
from vault.errors import NotFound
from vault.families.models import Family
from vault.settings import get_settings
from vault.store import backend_from_settings


def officer(db: Session, principal: audit.Principal, what: str, **detail: str) -> None:
    """A privacy officer only; the read is logged."""
    require_role(principal, "privacy_officer")
    audit.record(
        db, action="audit_read", outcome="allowed", actor=principal, object_type=what, detail=detail
    )


def own(db: Session, principal: audit.Principal, row: Family | User | None) -> None:
    """An officer reads about the families and people of their own organisation only."""
    require_role(principal, "privacy_officer")
    if row is None or row.organisation_id != principal.organisation_id:
        error = NotFound("Niet gevonden in uw organisatie.", "Not found in your organisation.")
        error.denial, error.actor, error.audit_reason = True, principal, "other_organisation"
        raise error


def review_every() -> timedelta:
    return timedelta(days=get_settings().audit_review_days)


def family_records(
    db: Session, principal: audit.Principal, family_id: uuid.UUID, since: datetime | None
) -> list[audit.AuditRecord]:
    """Everything about one family of the officer's organisation."""
    own(db, principal, db.get(Family, family_id))
    officer(db, principal, "family_report", family_id=str(family_id))
    return audit.family_report(db, family_id, since=since)


def employee_records(
    db: Session, principal: audit.Principal, user_id: uuid.UUID, since: datetime | None
) -> list[audit.AuditRecord]:
    """Everything one employee of the officer's organisation did."""
    own(db, principal, db.get(User, user_id))
    officer(db, principal, "employee_report", user_id=str(user_id))
    return audit.employee_report(db, user_id, since=since)


def search(
    db: Session,
    principal: audit.Principal,
    *,
    family_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    action: audit.AuditAction | None = None,
    outcome: audit.Outcome | None = None,
    seq: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[audit.AuditRecord], int]:
    """The records found and how many there are, newest first, within the officer's organisation; the
    read is logged after the search, so the answer shows the log as it was before this read."""
    require_role(principal, "privacy_officer")
    rows, total = audit.search(
        db,
        organisation_id=principal.organisation_id,
        family_id=family_id,
        user_id=user_id,
        action=action,
        outcome=outcome,
        seq=seq,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    filters = {
        "family_id": family_id,
        "user_id": user_id,
        "action": action,
        "outcome": outcome,
        "seq": seq,
        "since": since,
        "until": until,
    }
    officer(db, principal, "log_search", **{k: str(v) for k, v in filters.items() if v is not None})
    return rows, total


def anomalies(
    db: Session, principal: audit.Principal, since: datetime | None
) -> list[dict[str, Any]]:
    """The signals in the officer's organisation (the items of Signals), a review not done in time
    among them."""
    officer(db, principal, "anomalies")
    items = audit.anomalies(db, since=since, organisation_id=principal.organisation_id)
    if principal.organisation_id is not None:
        state = review.due(db, principal.organisation_id, datetime.now(UTC), review_every())
        if state["overdue"]:  # a review not done in time is a signal of its own
            last = review.last_review(db, principal.organisation_id)
            items.append(
                {
                    "signal": "review_overdue",
                    "seq": last.seq if last else 0,
                    "user_id": None,
                    "family_id": None,
                    "message": f"De logcontrole is te laat (sinds {state['due_at']:%d-%m-%Y}) "
                    "/ the log review is overdue",
                }
            )
    return items


def verify(
    db: Session, principal: audit.Principal, start: str | None = None, incremental: bool = False
) -> dict[str, Any]:
    """Verify the chain (from `start`, or from the last verified record when incremental); the result
    (the fields of VerifyResult) goes into the log itself, so the next reader sees the last check."""
    require_role(principal, "privacy_officer")
    settings = get_settings()
    if incremental and start is None:
        start = audit.last_verified(db)
    report = audit.verify(db, backend_from_settings(settings), public_key(settings), start=start)
    officer(db, principal, "verify", **audit.verify_detail(report))
    return report.as_dict()
