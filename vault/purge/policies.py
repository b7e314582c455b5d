"""Each organisation's own retention periods: the built-in defaults, overridden period by period.

A `RetentionPolicyRow` holds only the periods an organisation changed ({"keep_after_closure":
[months, days], ...}); every other period follows the default, also when the default changes later.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from sqlmodel import Session, select

import retention
from vault import audit
from vault.domain.models import Organisation, RetentionPolicyRow
from vault.errors import NotFound

Policies = Mapping[retention.TrajectoryType, retention.RetentionPolicy]

# Every period of a policy, in the order the plan applies them.
PERIODS: tuple[str, ...] = tuple(
    f.name
    for f in dataclasses.fields(retention.RetentionPolicy)
    if isinstance(
        getattr(retention.DEFAULT_POLICIES[retention.TrajectoryType.k_vht], f.name),
        retention.Period,
    )
)
LONGEST = retention.Period(months=1200)  # 100 years: anything longer is a typing error


def _with(
    base: retention.RetentionPolicy, periods: Mapping[str, list[int]], organisation_id: uuid.UUID
) -> retention.RetentionPolicy:
    changes = {
        name: retention.Period(int(value[0]), int(value[1]))
        for name, value in periods.items()
        if name in PERIODS
    }
    return dataclasses.replace(base, organisation_id=organisation_id, **changes)


def policies_for(db: Session, organisation_id: uuid.UUID | None) -> Policies:
    """The policies an organisation's families are planned with: its own periods where set."""
    if organisation_id is None:
        return retention.DEFAULT_POLICIES
    rows = db.exec(
        select(RetentionPolicyRow).where(RetentionPolicyRow.organisation_id == organisation_id)
    ).all()
    if not rows:
        return retention.DEFAULT_POLICIES
    policies = dict(retention.DEFAULT_POLICIES)
    for row in rows:
        kind = retention.TrajectoryType(row.trajectory_type)
        policies[kind] = _with(policies[kind], json.loads(row.periods), organisation_id)
    return MappingProxyType(policies)


def set_policy(
    db: Session,
    organisation_id: uuid.UUID,
    trajectory_type: str,
    periods: Mapping[str, retention.Period],
    *,
    by: audit.Principal,
) -> retention.RetentionPolicy:
    """Change some periods of one organisation's policy (the caller checked the role). A period
    equal to the default is not stored, so it keeps following the default. Every change is logged
    with its old and new value; `retention.RetentionError` for a period that cannot be right."""
    if db.get(Organisation, organisation_id) is None:
        raise NotFound("Organisatie niet gevonden.", "Organisation not found.")
    kind = retention.TrajectoryType(trajectory_type)
    for name, period in periods.items():
        if name not in PERIODS:
            raise retention.RetentionError(
                "unknown_period", "Onbekende bewaartermijn.", "Unknown retention period."
            )
        if period.months > LONGEST.months or period.days > 36525:
            raise retention.RetentionError(
                "period_too_long",
                "Een bewaartermijn kan hoogstens 100 jaar zijn.",
                "A retention period can be at most 100 years.",
            )
    current = policies_for(db, organisation_id)[kind]
    default = retention.DEFAULT_POLICIES[kind]
    changed = {
        name: (getattr(current, name), period)
        for name, period in periods.items()
        if getattr(current, name) != period
    }
    if not changed:
        return current
    row = db.exec(
        select(RetentionPolicyRow).where(
            RetentionPolicyRow.organisation_id == organisation_id,
            RetentionPolicyRow.trajectory_type == kind.value,
        )
    ).first() or RetentionPolicyRow(organisation_id=organisation_id, trajectory_type=kind.value)
    stored = {
        name: [period.months, period.days]
        for name in PERIODS
        if (period := periods.get(name, getattr(current, name))) != getattr(default, name)
    }
    row.periods = json.dumps(stored, sort_keys=True)
    row.updated_by = by.user_id
    row.updated_at = datetime.now(UTC)
    db.add(row)
    db.flush()
    audit.record(
        db,
        action="configuration_change",
        outcome="success",
        reason="retention_policy_changed",
        actor=by,
        object_id=row.id,
        object_type="retention_policy",
        detail={
            "organisation_id": str(organisation_id),
            "trajectory_type": kind.value,
            **{name: f"{old} → {new}" for name, (old, new) in changed.items()},
        },
    )
    return policies_for(db, organisation_id)[kind]
