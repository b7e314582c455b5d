"""Consent records as a family's overview: derived from the facts the access seam loads, at a moment."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

import consent
from vault.access import load_facts


def overview(db: Session, family_id: uuid.UUID, at: datetime) -> list[dict[str, Any]]:
    """Each consent record of the family as its parents and trainer read it: status at `at`, the
    signatures still missing, and its events. The API's consent overview and the parents' package."""
    facts = load_facts(db, family_id, None)
    out = []
    for record in facts.consents:
        state = consent.status(record, facts.events, facts.people, facts.authorities, at)
        missing = consent.missing_signatures(record, facts.people, facts.authorities)
        out.append({
            "id": str(record.id), "purpose": record.purpose, "trajectory_id": str(record.trajectory_id),
            "recording_ids": sorted(str(r) for r in record.recording_ids) if record.recording_ids is not None else None,
            "valid_from": record.valid_from.isoformat(), "valid_until": record.valid_until.isoformat() if record.valid_until else None,
            "status": state, "evidence": record.evidence_object_id is not None,
            "missing_signatures": [{"person_id": str(m.person_id) if m.person_id else None, "capacity": m.capacity, "message": m.message} for m in missing],
            "events": [{"kind": e.kind, "at": e.at.isoformat(), "recording_ids": sorted(str(r) for r in e.recording_ids) if e.recording_ids else None}
                       for e in facts.events if e.record_id == record.id],
        })  # fmt: skip
    return out
