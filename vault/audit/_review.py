"""Systematic log review (NEN 7513; the Dutch DPA's fines for reviewing only now and then): every period the
privacy officer reviews the period's signals and a sample of accesses, and signs off a conclusion that is stored
in the log itself. A review not done in time is a signal of its own."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from vault.audit._log import AuditRecord, Principal, record
from vault.audit._reports import FOOTAGE_READS, anomalies, as_dict, in_organisation
from vault.domain.models import Organisation

REVIEW = "log_review"


def last_review(session: Session, organisation_id: uuid.UUID) -> AuditRecord | None:
    return session.exec(
        select(AuditRecord)
        .where(
            AuditRecord.action == "audit_read",
            AuditRecord.object_type == REVIEW,
            AuditRecord.outcome == "success",
            AuditRecord.organisation_id == organisation_id,
        )
        .order_by(col(AuditRecord.seq).desc())
    ).first()


def _start(session: Session, organisation_id: uuid.UUID) -> datetime:
    """Before the first review, the period starts when the organisation was registered."""
    organisation = session.get(Organisation, organisation_id)
    return organisation.created_at if organisation is not None else datetime.fromtimestamp(0, UTC)


def _period_start(session: Session, organisation_id: uuid.UUID) -> datetime:
    last = last_review(session, organisation_id)
    if last is None:
        return _start(session, organisation_id)
    return datetime.fromisoformat(json.loads(last.detail)["until"])


def due(
    session: Session, organisation_id: uuid.UUID, now: datetime, every: timedelta
) -> dict[str, Any]:
    """When the next review is due and whether it is overdue."""
    last = last_review(session, organisation_id)
    due_at = (last.occurred_at if last is not None else _start(session, organisation_id)) + every
    return {
        "last_review": last.occurred_at if last is not None else None,
        "due_at": due_at,
        "overdue": now > due_at,
    }


def review_task(
    session: Session, organisation_id: uuid.UUID, now: datetime, every: timedelta, sample: int = 20
) -> dict[str, Any]:
    """What to review: the period since the last review, its signals and a random sample of footage accesses."""
    since = _period_start(session, organisation_id)
    picked = session.exec(
        select(AuditRecord)
        .where(
            col(AuditRecord.action).in_(FOOTAGE_READS),
            in_organisation(session, organisation_id),
            AuditRecord.occurred_at >= since,
            AuditRecord.occurred_at < now,
        )
        .order_by(func.random())
        .limit(sample)
    ).all()
    return {
        "from": since.isoformat(),
        "until": now.isoformat(),
        "signals": anomalies(session, since=since, organisation_id=organisation_id),
        "sample": [as_dict(r) for r in sorted(picked, key=lambda r: r.seq)],
        **due(session, organisation_id, now, every),
    }


def finish_review(
    session: Session,
    principal: Principal,
    *,
    since: datetime,
    until: datetime,
    conclusion: str,
    signals: int,
    sample: list[int],
) -> AuditRecord:
    """The officer's signed-off conclusion, as a record in the log (under the next signed checkpoint)."""
    return record(
        session,
        action="audit_read",
        outcome="success",
        actor=principal,
        object_type=REVIEW,
        reason="review_signed_off",
        detail={
            "from": since.isoformat(),
            "until": until.isoformat(),
            "conclusion": conclusion,
            "signals": str(signals),
            "sample": ",".join(str(s) for s in sample),
        },
    )
