"""The privacy officer's reports: per family, per employee, denied attempts, anomaly signals, FHIR export."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from vault.audit._log import AuditRecord
from vault.domain.models import User
from vault.families.models import Family

COLUMNS = (
    "seq",
    "event_id",
    "occurred_at",
    "action",
    "outcome",
    "reason",
    "user_id",
    "user_name",
    "role",
    "organisation_id",
    "on_behalf_of",
    "family_id",
    "object_id",
    "object_type",
    "basis",
    "network",
    "session_id",
)


def as_dict(row: AuditRecord) -> dict[str, object]:
    out: dict[str, object] = {}
    for name in COLUMNS:
        value = getattr(row, name)
        out[name] = (
            json.loads(value)
            if name == "basis"
            else (str(value) if value is not None and not isinstance(value, int | str) else value)
        )
    return out


def to_csv(rows: Iterable[AuditRecord]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        line = as_dict(row)
        line["basis"] = " ".join(json.loads(row.basis))
        writer.writerow(line)
    return buffer.getvalue()


def _query(
    session: Session, *where: object, since: datetime | None = None, until: datetime | None = None
) -> list[AuditRecord]:
    query = select(AuditRecord).order_by(col(AuditRecord.seq))
    for clause in where:
        query = query.where(clause)  # type: ignore[arg-type]  # a SQLModel column compared is typed bool
    if since is not None:
        query = query.where(AuditRecord.occurred_at >= since)
    if until is not None:
        query = query.where(AuditRecord.occurred_at < until)
    return list(session.exec(query))


def family_report(
    session: Session, family_id: uuid.UUID, **window: datetime | None
) -> list[AuditRecord]:
    """Everything that happened to one family: the client's NEN 7513 view."""
    return _query(session, AuditRecord.family_id == family_id, **window)


def employee_report(
    session: Session, user_id: uuid.UUID, **window: datetime | None
) -> list[AuditRecord]:
    return _query(session, AuditRecord.user_id == user_id, **window)


def denied_report(
    session: Session, organisation_id: uuid.UUID | None = None, **window: datetime | None
) -> list[AuditRecord]:
    scope = () if organisation_id is None else (in_organisation(session, organisation_id),)
    return _query(session, AuditRecord.outcome == "denied", *scope, **window)


def in_organisation(session: Session, organisation_id: uuid.UUID) -> ColumnElement[bool]:
    """The records that belong to one organisation: what its people did, everything that happened to
    its families and to its people's accounts (also the system's own steps, such as a purge)."""
    families = select(Family.id).where(Family.organisation_id == organisation_id)
    people = session.exec(select(User.id).where(User.organisation_id == organisation_id))
    return or_(
        col(AuditRecord.organisation_id) == organisation_id,
        col(AuditRecord.family_id).in_(families),
        and_(
            col(AuditRecord.object_type) == "user",
            col(AuditRecord.object_id).in_([str(p) for p in people]),
        ),
    )


def search(
    session: Session,
    *,
    organisation_id: uuid.UUID | None = None,
    family_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    action: str | None = None,
    outcome: str | None = None,
    seq: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditRecord], int]:
    """One page of the log, newest first, and how many records match in all.

    `organisation_id` keeps the view to one organisation (see `in_organisation`). Every other filter
    is optional; `until` is exclusive.
    """
    where: list[ColumnElement[bool]] = []
    if organisation_id is not None:
        where.append(in_organisation(session, organisation_id))
    for column, value in (
        (AuditRecord.family_id, family_id),
        (AuditRecord.user_id, user_id),
        (AuditRecord.action, action),
        (AuditRecord.outcome, outcome),
        (AuditRecord.seq, seq),
    ):
        if value is not None:
            where.append(col(column) == value)
    if since is not None:
        where.append(col(AuditRecord.occurred_at) >= since)
    if until is not None:
        where.append(col(AuditRecord.occurred_at) < until)
    total = session.exec(select(func.count()).select_from(AuditRecord).where(*where)).one()
    query = select(AuditRecord).where(*where).order_by(col(AuditRecord.seq).desc())
    return list(session.exec(query.offset(offset).limit(limit))), int(total)


FOOTAGE_READS = ("view", "stream_segment", "download", "export")


def anomalies(
    session: Session,
    *,
    since: datetime | None = None,
    organisation_id: uuid.UUID | None = None,
    active_windows: dict[uuid.UUID, Sequence[tuple[datetime, datetime | None]]] | None = None,
    many_families: int = 10,
    window: timedelta = timedelta(hours=1),
    office_hours: tuple[int, int] = (7, 20),
) -> list[dict[str, object]]:
    """Signals for a person to look at, not verdicts.

    - access to a family outside its active trajectory windows (`active_windows` per family)
    - one employee reading many families within `window`
    - streaming outside office hours (local clock of the server: UTC here)
    - a WOK viewer refused for being outside the session window
    - every download

    `organisation_id` keeps to one organisation's records (see `in_organisation`).
    """
    scope = () if organisation_id is None else (in_organisation(session, organisation_id),)
    rows = _query(session, col(AuditRecord.action).in_(FOOTAGE_READS), *scope, since=since)
    signals: list[dict[str, object]] = []

    def signal(kind: str, row: AuditRecord, message: str) -> None:
        signals.append(
            {
                "signal": kind,
                "seq": row.seq,
                "user_id": str(row.user_id),
                "family_id": str(row.family_id),
                "message": message,
            }
        )

    for row in rows:
        if row.outcome != "allowed":
            continue
        windows = (active_windows or {}).get(row.family_id) if row.family_id else None
        if windows is not None and not any(
            s <= row.occurred_at and (e is None or row.occurred_at < e) for s, e in windows
        ):
            signal("outside_active_trajectory", row, "Toegang buiten een actief traject.")
        if (
            row.action == "stream_segment"
            and not office_hours[0] <= row.occurred_at.hour < office_hours[1]
        ):
            signal("off_hours_streaming", row, "Streamen buiten kantooruren.")
        if row.action == "download":
            signal("download", row, "Beeldmateriaal gedownload.")
    per_user: dict[uuid.UUID | None, list[AuditRecord]] = defaultdict(list)
    for row in rows:
        if row.outcome == "allowed" and row.family_id is not None:
            per_user[row.user_id].append(row)
    for user_rows in per_user.values():
        start = 0
        for end, row in enumerate(user_rows):
            while row.occurred_at - user_rows[start].occurred_at > window:
                start += 1
            families = {r.family_id for r in user_rows[start : end + 1]}
            if len(families) >= many_families:
                signal("many_families", row, f"{len(families)} gezinnen binnen {window}.")
                break
    for row in _query(session, AuditRecord.reason == "outside_wok_window", *scope, since=since):
        signal("wok_outside_window", row, "WOK-deelnemer buiten de bijeenkomst.")
    return sorted(signals, key=lambda s: int(str(s["seq"])))


def fhir_audit_event(row: AuditRecord) -> dict[str, object]:
    """One record as a FHIR R5 AuditEvent resource."""
    outcome_code = {"allowed": "0", "success": "0", "denied": "4", "failure": "8"}.get(
        row.outcome, "8"
    )
    entities: list[dict[str, object]] = []
    if row.family_id:
        entities.append(
            {
                "what": {
                    "identifier": {"system": "urn:beeldkluis:family", "value": str(row.family_id)}
                },
                "role": {"code": "1", "display": "Patient"},
            }
        )
    if row.object_id:
        entities.append(
            {
                "what": {
                    "identifier": {
                        "system": f"urn:beeldkluis:{row.object_type or 'object'}",
                        "value": row.object_id,
                    }
                },
                "role": {"code": "4", "display": "Domain Resource"},
            }
        )
    for basis in json.loads(row.basis):
        entities.append(
            {
                "what": {"identifier": {"system": "urn:beeldkluis:basis", "value": basis}},
                "role": {"code": "13", "display": "Security Resource"},
            }
        )
    return {
        "resourceType": "AuditEvent",
        "id": str(row.event_id),
        "category": [{"coding": [{"system": "urn:beeldkluis:audit", "code": row.action}]}],
        "code": {"coding": [{"system": "urn:beeldkluis:audit", "code": row.action}]},
        "action": row.fhir_action,
        "occurredDateTime": row.occurred_at.isoformat(),
        "recorded": row.recorded_at.isoformat(),
        "outcome": {
            "code": {
                "system": "http://terminology.hl7.org/CodeSystem/audit-event-outcome",
                "code": outcome_code,
            },
            "detail": [{"text": row.reason}] if row.reason else [],
        },
        "agent": [
            {
                "who": {
                    "identifier": {
                        "system": "urn:beeldkluis:user",
                        "value": str(row.user_id) if row.user_id else "system",
                    },
                    "display": row.user_name,
                },
                "role": [{"text": row.role}],
                "requestor": True,
                **({"networkString": row.network} if row.network else {}),
                **({"onBehalfOf": {"display": row.on_behalf_of}} if row.on_behalf_of else {}),
            }
        ],
        "source": {"observer": {"display": "Beeldkluis"}},
        "entity": entities,
        "extension": [
            {"url": "urn:beeldkluis:seq", "valueInteger": row.seq},
            {"url": "urn:beeldkluis:session", "valueString": row.session_id or ""},
        ],
    }


def retention_cutoff(now: datetime, keep: timedelta = timedelta(days=5 * 365 + 1)) -> datetime:
    """Records before this moment are past the log's own retention (default five years)."""
    return now - keep
