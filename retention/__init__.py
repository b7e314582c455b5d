"""Retention: policies, legal holds and the purge plan. A pure engine: facts in, a dated plan out."""

from retention._facts import (
    ConsentFact,
    FamilyFacts,
    Kept,
    LegalHold,
    Phase,
    StoredObject,
    TrajectoryFacts,
    TrajectoryType,
    WokShare,
)
from retention._plan import (
    DEFAULT_POLICY,
    PURPOSE_OF,
    PlannedPurge,
    PurgePlan,
    RetentionPolicy,
    plan,
)

__all__ = [
    "DEFAULT_POLICY",
    "PURPOSE_OF",
    "ConsentFact",
    "FamilyFacts",
    "Kept",
    "LegalHold",
    "Phase",
    "PlannedPurge",
    "PurgePlan",
    "RetentionPolicy",
    "StoredObject",
    "TrajectoryFacts",
    "TrajectoryType",
    "WokShare",
    "plan",
]
